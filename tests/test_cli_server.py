"""`huiyi ask/search/summarize/docs` go through a running server when one is configured (HUIYI_URL) or found
on HUIYI_HOST:HUIYI_PORT serving the same store; otherwise they open the store themselves, quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from huiyi.cli import app
from huiyi.config import Settings
from huiyi.core import Huiyi
from huiyi.index.embed import HashEmbedder
from huiyi.index.pipeline import Index
from huiyi.server.app import create_app
from tests.support.live import free_port, live_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def hash_server(tmp_path, monkeypatch):
    """A server over a store built with an embedder the CLI cannot open itself (it would fail with exit 4):
    an answer at the CLI proves the question went over HTTP."""
    settings = Settings(data_dir=tmp_path / "server-data", ingest_seeds_on_start=False, openai_api_key=None,
                        openai_base_url=None, llm_model=None)
    index = Index.open(settings, HashEmbedder(64))
    index.ingest_paths([ROOT / "seeds"])
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HUIYI_LLM_MODEL", "HUIYI_URL", "HUIYI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HUIYI_DATA_DIR", str(settings.data_dir))
    with live_server(create_app(settings, Huiyi(settings, index))) as base:
        yield base


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_the_server_on_the_default_port_is_found_when_it_serves_the_same_store(hash_server, monkeypatch):
    monkeypatch.setenv("HUIYI_PORT", hash_server.rsplit(":", 1)[1])
    result = invoke("ask", "雁峰区委书记是谁?", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["status"] == "answered" and body["citations"][0]["quote"]
    hits = json.loads(invoke("search", "营商环境品牌", "--json", "-k", "3").stdout)
    assert 0 < len(hits) <= 3 and all(h["end"] > h["start"] for h in hits)
    listed = json.loads(invoke("docs", "--json").stdout)
    assert len(listed) == 5
    seed = next(d["id"] for d in listed if d["source"].startswith("000_"))  # ids come from content
    md = invoke("summarize", seed, "--format", "md")
    assert md.exit_code == 0 and "纪要" in md.stdout

    monkeypatch.setenv("HUIYI_URL", "local")  # never the server: the CLI opens the store and refuses its embedder
    assert invoke("ask", "雁峰区委书记是谁?").exit_code == 4


def test_a_server_over_another_store_is_not_used(hash_server, monkeypatch, seeded_settings):
    monkeypatch.setenv("HUIYI_PORT", hash_server.rsplit(":", 1)[1])
    monkeypatch.setenv("HUIYI_DATA_DIR", str(seeded_settings.data_dir))  # a different store: answered locally
    result = invoke("ask", "雁峰区委书记是谁?", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["mode"] == "extractive"


def test_huiyi_url_is_used_and_its_errors_keep_their_exit_codes(hash_server, monkeypatch):
    monkeypatch.setenv("HUIYI_URL", hash_server)
    monkeypatch.setenv("HUIYI_DATA_DIR", "/nonexistent/elsewhere")  # an explicit URL needs no matching store
    assert invoke("ask", "雁峰区委书记是谁?").exit_code == 0
    missing = invoke("summarize", "no_such_document")
    assert missing.exit_code == 3 and "no_such_document" in missing.output
    monkeypatch.setenv("HUIYI_URL", f"http://127.0.0.1:{free_port()}")
    down = invoke("ask", "雁峰区委书记是谁?")
    assert down.exit_code == 5 and "huiyi serve" in down.output


def test_local_cli_prints_no_third_party_loading_noise(seeded_settings):
    env = {**os.environ, "HUIYI_DATA_DIR": str(seeded_settings.data_dir), "HUIYI_URL": "local",
           "HUIYI_KEYWORD_TOKENIZER": "jieba", "PYTHONPATH": str(ROOT)}  # jieba's dictionary gets loaded
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HUIYI_LLM_MODEL"):
        env.pop(var, None)
    done = subprocess.run([sys.executable, "-m", "huiyi.cli", "ask", "雁峰区委书记是谁?"], capture_output=True,
                          env=env, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "王燕" in done.stdout.decode()
    assert done.stderr.decode() == ""
