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


def _seed_folder(tmp_path: Path, count: int) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted((ROOT / "seeds").glob("*.txt"))[:count]:
        shutil.copy(path, seeds / path.name)
    return seeds


def test_the_seeds_are_a_folder_job_and_uploads_queue_behind_them(tmp_path):
    """One writer: the first-start seeding runs on the ingest queue, so an upload made meanwhile waits its turn."""
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=_seed_folder(tmp_path, 3), embed_batch=4,
                        openai_api_key=None, openai_base_url=None, llm_model=None)
    service = Huiyi(settings, Index.open(settings, SlowEmbedder(64)))
    with live_server(create_app(settings, service, background_start=True), lifespan="on") as base:
        deadline = time.monotonic() + 60
        indexing = None
        while time.monotonic() < deadline and not (indexing and indexing.get("job")):
            indexing = httpx.get(base + "/healthz", timeout=5).json()["indexing"]
            time.sleep(0.05)
        seed_job = indexing["job"]
        upload = httpx.post(base + "/documents", json={"text": "某县召开全会。上半年GDP增长6.6%。会议要求,抓好落实。"}, timeout=10)
        assert upload.status_code == 202, upload.text
        seeding = httpx.get(f"{base}/jobs/{seed_job}", timeout=5).json()
        assert seeding["kind"] == "folder" and seeding["name"] == "seeds"
        if seeding["state"] == "running":
            assert httpx.get(f"{base}/jobs/{upload.json()['id']}", timeout=5).json()["state"] == "queued"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            jobs = [httpx.get(f"{base}/jobs/{j}", timeout=5).json() for j in (seed_job, upload.json()["id"])]
            if all(j["state"] in ("succeeded", "failed") for j in jobs):
                break
            time.sleep(0.1)
        health = httpx.get(base + "/healthz", timeout=5).json()
    seeded, uploaded = jobs
    assert seeded["state"] == "succeeded" and seeded["result"]["report"]["documents"] == 3
    assert seeded["progress"]["files_done"] == seeded["progress"]["files_total"] == 3
    assert uploaded["state"] == "succeeded" and uploaded["result"]["status"] == "added"
    assert uploaded["finished_at"] > seeded["finished_at"]
    assert health["indexing"]["state"] == "done" and health["documents"] == 4


def test_a_server_stopping_mid_seed_stops_the_seed_job_between_writes(tmp_path):
    seeds = _seed_folder(tmp_path, 5)
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=seeds, embed_batch=2, openai_api_key=None,
                        openai_base_url=None, llm_model=None)
    index = Index.open(settings, SlowEmbedder(64))
    service = Huiyi(settings, index)
    app = create_app(settings, service, background_start=True)
    with live_server(app, lifespan="on") as base:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            indexing = httpx.get(base + "/healthz", timeout=5).json()["indexing"]
            if indexing.get("job") and indexing.get("chunks_done"):
                break
            time.sleep(0.05)
    job = app.state.jobs.get(indexing["job"])  # the server has stopped: the queue was closed
    assert job.state == "failed" and job.error is not None and job.error.code == "cancelled"
    assert app.state.startup.warm == "pending"  # no warming on the way out
    stored = index.documents()
    assert len(stored) < 5
    for record in stored:  # whatever was written is whole
        assert len(index.store.chunk_ids(record.id)) == record.chunks
