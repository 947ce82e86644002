"""`huiyi serve`'s first start: the server answers at once, indexes the seeds in the background with progress
in /healthz, then warms the models."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx

from huiyi.config import Settings
from huiyi.core import Huiyi
from huiyi.index.embed import HashEmbedder
from huiyi.index.pipeline import Index
from huiyi.server.app import create_app
from tests.support.live import live_server

ROOT = Path(__file__).resolve().parents[2]


class SlowEmbedder(HashEmbedder):
    """Takes a while per batch, like a real model on a small machine."""

    def embed_passages(self, texts):
        time.sleep(0.15)
        return super().embed_passages(texts)


def test_first_start_answers_at_once_and_reports_indexing_progress(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted((ROOT / "seeds").glob("*.txt"))[:3]:
        shutil.copy(path, seeds / path.name)
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=seeds, embed_batch=4, openai_api_key=None,
                        openai_base_url=None, llm_model=None)
    service = Huiyi(settings, Index.open(settings, SlowEmbedder(64)))
    seen: list[dict] = []
    with live_server(create_app(settings, service, background_start=True), lifespan="on") as base:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            health = httpx.get(base + "/healthz", timeout=5).json()
            seen.append(health["indexing"])
            if health["indexing"]["state"] == "done" and health["warm"] in ("done", "failed"):
                break
            time.sleep(0.1)
        answer = httpx.post(base + "/ask", json={"question": "雁峰区委书记是谁?"}, timeout=60).json()
    running = [s for s in seen if s["state"] == "running"]
    assert running, "the server only answered once indexing was over"
    assert any(0 < s["percent"] < 100 and s["files_total"] == 3 for s in running)
    assert [s["percent"] for s in seen] == sorted(s["percent"] for s in seen)
    assert seen[-1]["state"] == "done" and seen[-1]["documents"] == 3 and health["warm"] == "done"
    assert health["documents"] == 3 and answer["status"] == "answered"


def test_a_store_with_documents_is_not_seeded_again(seeded_settings):
    settings = seeded_settings.model_copy(update={"ingest_seeds_on_start": True})
    service = Huiyi.open(settings)
    with live_server(create_app(settings, service, background_start=True), lifespan="on") as base:
        health = httpx.get(base + "/healthz", timeout=5).json()
    assert health["indexing"] is None and health["documents"] == 5
