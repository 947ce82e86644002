"""The `huiyi` command line, in-process through typer's runner, on a copy of the seeded store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from huiyi.cli import app


@pytest.fixture
def run(seeded_settings, monkeypatch):
    monkeypatch.setenv("HUIYI_DATA_DIR", str(seeded_settings.data_dir))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HUIYI_LLM_MODEL"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def test_docs_json_lists_seeds(run):
    result = run("docs", "--json")
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert len(docs) == 5 and all(d["chunks"] > 0 for d in docs)


def test_search_json_offsets(run):
    result = run("search", "营商环境品牌", "--json", "-k", "3")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert 0 < len(hits) <= 3 and all(h["end"] > h["start"] for h in hits)


def test_ask_json_has_verbatim_citation(run):
    result = run("ask", "雁峰区委书记是谁?", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["status"] in {"answered", "not_found", "undisclosed"}
    assert body["mode"] == "extractive"
    for c in body["citations"]:
        assert c["quote"] and c["end"] - c["start"] == len(c["quote"])


def test_ingest_reports_errors_with_exit_code(run, tmp_path):
    (tmp_path / "ok.txt").write_text("某县召开全会。会议审议通过了工作报告,县委书记李明作讲话。", encoding="gbk")
    (tmp_path / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run("ingest", str(tmp_path))
    assert result.exit_code == 1  # some files failed
    assert "bad.txt" in result.output and "empty.txt" in result.output
    docs = json.loads(run("docs", "--json").stdout)
    assert len(docs) == 6  # the good one landed, the bad ones changed nothing


def test_rm_unknown_and_malicious_ids(run):
    assert run("rm", "no-such-doc").exit_code == 3
    result = run("rm", "../../etc/passwd")
    assert result.exit_code in (2, 3)
    assert len(json.loads(run("docs", "--json").stdout)) == 5


def test_summarize_markdown_and_docx(run, tmp_path):
    doc_id = json.loads(run("docs", "--json").stdout)[0]["id"]
    md = run("summarize", doc_id, "--format", "md")
    assert md.exit_code == 0 and md.stdout.startswith("# ") and "纪要" in md.stdout.splitlines()[0]
    assert "[1]" not in md.stdout and "基本情况" not in md.stdout  # the clean 纪要: no marks
    audit = run("summarize", doc_id, "--format", "md", "--variant", "audit")
    assert audit.exit_code == 0 and "基本情况" in audit.stdout and "[1]" in audit.stdout and "## 出处" in audit.stdout
    out = tmp_path / "s.docx"
    docx = run("summarize", doc_id, "--format", "docx", "-o", str(out))
    assert docx.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    assert run("summarize", doc_id, "--format", "md", "--variant", "draft").exit_code == 2


def test_empty_question_is_bad_input(run):
    result = run("ask", "   ")
    assert result.exit_code == 2
