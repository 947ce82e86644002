"""Server mode: a real `chroma run` process on loopback, reached through HUIYI_CHROMA_URL."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from huiyi.config import Settings
from huiyi.evals.harness import resolve_doc_name
from huiyi.index.embed import HashEmbedder
from huiyi.index.pipeline import Index

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path):
    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} missing: chromadb ships the `chroma` CLI; reinstall the dev environment")
    port = free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chroma server did not start: " + (tmp_path / "chroma.log").read_text(errors="replace")[-2000:])
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.slow
def test_ingest_and_search_through_a_chroma_server(chroma_url, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_url)
    index = Index.open(settings, HashEmbedder(64))
    report = index.ingest_paths([SEEDS])
    assert report.added == 5 and not report.errors
    assert not settings.store_dir.exists()  # nothing local: the server holds the vectors
    s000, s001 = (resolve_doc_name(index.documents(), n) for n in ("000_4803b7c4fa62c0f1", "001_715056be48430865"))
    assert index.search("王燕", k=1, mode="keyword")[0].doc_id == s001
    assert any(h.doc_id == s000 for h in index.search("全县GDP增长", k=5))

    # A second worker sees the same store, and notices writes made by the first one.
    other = Index.open(settings, HashEmbedder(64))
    assert len(other.documents()) == 5
    assert other.search("王燕", k=1)[0].doc_id == s001
    index.delete(s001)
    assert all(h.doc_id != s001 for h in other.search("王燕", k=5))
    assert len(other.documents()) == 4
    assert not any(settings.data_dir.glob("keyword_*"))  # server mode keeps BM25 in memory
