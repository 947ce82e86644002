"""One process per local data directory: a second `huiyi serve` (or any opener) is refused clearly."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from huiyi.config import Settings
from huiyi.index.embed import HashEmbedder
from huiyi.index.pipeline import Index

ROOT = Path(__file__).resolve().parents[2]
OPEN = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from huiyi.config import Settings
    from huiyi.index.embed import HashEmbedder
    from huiyi.index.pipeline import Index
    Index.open(Settings(data_dir={data!r}), HashEmbedder(16))
    print("opened")
""")


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUIYI_", "OPENAI_"))}
    return env | {"HUIYI_DATA_DIR": str(data), "PYTHONPATH": str(ROOT), "HUIYI_INGEST_SEEDS_ON_START": "false"}


def test_a_second_server_on_the_same_data_dir_refuses(tmp_path):
    data = tmp_path / "data"
    index = Index.open(Settings(data_dir=data), HashEmbedder(16))
    again = Index.open(Settings(data_dir=data), HashEmbedder(16))  # the same process shares its lock
    serve = subprocess.run([sys.executable, "-m", "huiyi.cli", "serve", "--port", "1"], env=_env(data),
                           capture_output=True, text=True, timeout=120)
    assert serve.returncode == 5, serve.stderr[-2000:]
    assert "store_locked" in serve.stderr and f"pid {os.getpid()}" in serve.stderr
    assert "HUIYI_DATA_DIR" in serve.stderr
    other = subprocess.run([sys.executable, "-c", OPEN.format(root=str(ROOT), data=str(data))],
                           capture_output=True, text=True, timeout=120)
    assert other.returncode != 0 and "in use by another huiyi process" in other.stderr
    index.close()
    again.close()
    freed = subprocess.run([sys.executable, "-c", OPEN.format(root=str(ROOT), data=str(data))],
                           capture_output=True, text=True, timeout=120)
    assert freed.returncode == 0 and "opened" in freed.stdout, freed.stderr[-2000:]


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    data = tmp_path / "data"
    holder = subprocess.Popen([sys.executable, "-c", OPEN.format(root=str(ROOT), data=str(data)) +
                               "import time; time.sleep(60)\n"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "opened"
    holder.kill()  # SIGKILL: no cleanup runs
    holder.wait(10)
    index = Index.open(Settings(data_dir=data), HashEmbedder(16))
    assert index.documents() == []
    index.close()
