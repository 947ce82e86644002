"""`huiyi eval --set … --split …` end to end over fake stores: the parts it runs, the reports, the baseline, the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huiyi.errors import BadInput
from huiyi.evals import runner
from huiyi.evals.cmrc import Prediction
from huiyi.evals.sets import SET_NAMES, document_name, resolve, select_parts, stored_ids
from tests.evals.fakes import opener


def gold_reader(q) -> Prediction:
    return Prediction(str(q.answers[0]), "answered")


def run(tmp_path: Path, *args: str, degrade: str = "none", only: str | None = None, baseline: Path | None = None) -> int:
    argv = ["--out", str(tmp_path / "out"), "--baseline", str(baseline or tmp_path / "baseline.json"), "--quiet", *args]
    return runner.main(argv, opener=opener(degrade, only), reader=gold_reader)


def report(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "out" / "eval-report.json").read_text(encoding="utf-8"))


def test_every_set_and_part_runs_by_default(tmp_path: Path) -> None:
    assert run(tmp_path, "--no-summaries") == 0
    data = report(tmp_path)
    assert [p["set"] + "/" + p["split"] for p in data["parts"]] == [
        "seeds/dev", "seeds/test", "gov/dev", "gov/test", "meetings/dev", "meetings/test", "cmrc/dev", "cmrc/test"]
    assert data["gate"]["ok"] and all(p["gate"]["ok"] for p in data["parts"])
    cmrc = [p for p in data["parts"] if p["set"] == "cmrc"]
    assert all(p["metrics"]["cmrc_em"] == 100.0 for p in cmrc)
    assert sum(p["metrics"]["questions"] for p in cmrc) == 1002
    md = (tmp_path / "out" / "eval-report.md").read_text(encoding="utf-8")
    assert md.startswith("# huiyi eval report") and "**PASS**" in md
    for name in SET_NAMES:
        assert f"## {name} — " in md
    assert "| **all** | 194 / 155 |" in md  # gov: development / test side by side
    assert "| number |" in md and "refusal recall" in md and "| who |" in md


def test_set_and_split_select_parts(tmp_path: Path) -> None:
    assert run(tmp_path, "--set", "gov", "--split", "test", "--no-summaries") == 0
    assert [(p["set"], p["split"]) for p in report(tmp_path)["parts"]] == [("gov", "test")]
    assert run(tmp_path, "--set", "seeds", "cmrc", "--split", "dev", "--no-summaries") == 0
    assert [(p["set"], p["split"]) for p in report(tmp_path)["parts"]] == [("seeds", "dev"), ("cmrc", "dev")]


def test_summaries_run_per_part(tmp_path: Path) -> None:
    run(tmp_path, "--set", "meetings")
    parts = {p["split"]: p for p in report(tmp_path)["parts"]}
    assert parts["dev"]["metrics"]["summary_docs"] == 12 and parts["test"]["metrics"]["summary_docs"] == 12
    assert {s["doc_id"] for s in parts["test"]["summaries"]} == {f"mt{i:02d}" for i in range(1, 13)}


def test_update_baseline_moves_only_the_parts_it_ran_and_a_degraded_part_fails(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert run(tmp_path, "--no-summaries") == 0
    assert not baseline.exists()  # only --update-baseline writes it
    assert run(tmp_path, "--no-summaries", "--update-baseline") == 0
    saved = json.loads(baseline.read_text(encoding="utf-8"))
    assert len(saved["parts"]) == 8 and saved["parts"]["gov/test"]["metrics"]["accuracy"] == 1.0
    assert saved["parts"]["seeds/dev"]["cases"]["hd-h1-gdp"] is True
    # a regression on one test part fails the run and leaves the baseline alone
    assert run(tmp_path, "--no-summaries", degrade="wrong_answers", only="gov/test") == 1
    assert json.loads(baseline.read_text(encoding="utf-8")) == saved
    data = report(tmp_path)
    assert not data["gate"]["ok"] and all(f.startswith("gov/test: ") for f in data["gate"]["failures"])
    assert any(f.startswith("gov/test: accuracy moved") for f in data["gate"]["failures"])
    assert [p["gate"]["ok"] for p in data["parts"] if p["set"] == "gov"] == [True, False]
    # updating one part keeps the others' entries
    assert run(tmp_path, "--set", "cmrc", "--split", "test", "--update-baseline") == 0
    again = json.loads(baseline.read_text(encoding="utf-8"))
    assert again["parts"]["gov/test"] == saved["parts"]["gov/test"] and set(again["parts"]) == set(saved["parts"])


def test_only_a_type_never_gates_or_moves_the_baseline(tmp_path: Path) -> None:
    assert run(tmp_path, "--set", "gov", "--only", "number", "--update-baseline", degrade="wrong_answers") == 0
    assert not (tmp_path / "baseline.json").exists()
    assert all(set(p["by_type"]) == {"number"} or "number" in p["by_tag"] for p in report(tmp_path)["parts"])


def test_unknown_set_is_refused() -> None:
    with pytest.raises(BadInput):
        select_parts("budget")
    with pytest.raises(SystemExit):
        runner.main(["--set", "budget"])


def test_gold_names_resolve_through_the_stored_source() -> None:
    class Rec:
        def __init__(self, id: str, source: str):
            self.id, self.source = id, source

    records = [Rec("a1b2c3", "2026_gansu.txt"), Rec("md01", "md01.txt"), Rec("x9", "sub/004_85b44ce977ed7e00.docx")]
    ids = stored_ids(records)
    assert ids == {"2026_gansu": "a1b2c3", "md01": "md01", "004_85b44ce977ed7e00": "x9"}
    assert resolve(["2026_gansu", "md01"], ids, where="t") == ["a1b2c3", "md01"]
    with pytest.raises(BadInput, match="2026_hunan"):
        resolve(["2026_hunan"], ids, where="t")
    assert document_name("C:\\reports\\2026_gansu.txt") == "2026_gansu"


def test_cli_passes_sets_and_splits(monkeypatch) -> None:
    from typer.testing import CliRunner

    from huiyi import cli
    from huiyi.evals import runner

    seen: list[list[str]] = []
    monkeypatch.setattr(runner, "main", lambda argv: seen.append(list(argv)) or 0)
    result = CliRunner().invoke(cli.app, ["eval", "--set", "gov,meetings", "--split", "test", "--out", "x"])
    assert result.exit_code == 0, result.output
    assert seen == [["--out", "x", "--set", "gov", "meetings", "--split", "test"]]
