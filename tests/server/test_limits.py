"""Bounded work: question slots and rates (429 + Retry-After), the ingest queue, streamed body limits."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from huiyi.config import Settings
from huiyi.index.records import DocumentRecord
from huiyi.qa.models import AskResponse
from huiyi.server.app import create_app
from huiyi.server.limits import TokenBuckets
from tests.support.live import live_server


class SlowService:
    """Just enough of `Huiyi` for the limiter and the job queue: slow answers, slow ingests."""

    llm = None

    def __init__(self, settings: Settings, delay: float = 0.6):
        self.settings, self.delay = settings, delay
        self.ingested: list[str] = []

    def ask(self, request):
        time.sleep(self.delay)
        return AskResponse(answer="资料中未提及。", status="not_found")

    def ingest_text(self, text, title=None, **options):
        time.sleep(self.delay)
        self.ingested.append(text)
        record = DocumentRecord(id="d_x", title="t", source="s", chunks=1, chars=len(text), placeholders=0,
                                content_hash="h", ingested_at="2026-01-01T00:00:00")
        from huiyi.index.pipeline import IngestResult

        return IngestResult(status="added", record=record)

    def health(self):
        return {"status": "ok", "documents": 0}

    def resolve_kbs(self, requested, allowed=None):
        return None


@pytest.fixture
def slow(tmp_path):
    settings = Settings(data_dir=tmp_path, ask_concurrency=1, ask_queue=1, ask_queue_timeout=5, rate_per_minute=0,
                        job_queue=1, max_upload_bytes=100_000, max_request_bytes=10_000)
    service = SlowService(settings)
    with live_server(create_app(settings, service)) as base:
        yield base, service


def test_questions_beyond_the_slots_and_the_waiting_room_get_429(slow):
    base, _ = slow
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: httpx.post(base + "/ask", json={"question": "GDP增长多少?"}, timeout=30), range(6)))
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) >= 2 and codes.count(429) >= 1, codes  # one answering, one waiting, the rest refused
    refused = next(r for r in results if r.status_code == 429)
    assert refused.json()["code"] == "too_busy" and int(refused.headers["retry-after"]) >= 1
    assert httpx.get(base + "/healthz", timeout=2).status_code == 200


def test_per_client_rate(tmp_path):
    settings = Settings(data_dir=tmp_path, rate_per_minute=10)  # burst of one
    with live_server(create_app(settings, SlowService(settings, delay=0))) as base:
        first = httpx.post(base + "/ask", json={"question": "GDP增长多少?"})
        second = httpx.post(base + "/ask", json={"question": "GDP增长多少?"})
        other = httpx.post(base + "/ask", json={"question": "GDP增长多少?"}, headers={"X-API-Key": "another client"})
    assert first.status_code == 200 and second.status_code == 429
    assert second.json()["code"] == "rate_limited" and 1 <= int(second.headers["retry-after"]) <= 7
    assert other.status_code == 200  # keys are separate clients (keys are off here, so any key passes)


def test_token_buckets_refill_and_stay_bounded():
    buckets = TokenBuckets(60, max_clients=3)
    assert [buckets.take("a", now=0.0) for _ in range(6)][:6] == [0.0] * 6  # burst of 6
    assert buckets.take("a", now=0.0) == pytest.approx(1.0)
    assert buckets.take("a", now=1.0) == 0.0
    for c in "bcdef":
        buckets.take(c, now=2.0)
    assert len(buckets._buckets) == 3


def test_full_ingest_queue_gets_429_and_queued_jobs_finish(slow):
    base, service = slow
    responses = [httpx.post(base + "/documents", json={"text": f"第{i}份报告。会议要求,抓好落实。"}) for i in range(4)]
    codes = [r.status_code for r in responses]
    assert codes[0] == 202 and 429 in codes, codes
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["code"] == "queue_full" and int(refused.headers["retry-after"]) >= 1
    accepted = [r.json()["id"] for r in responses if r.status_code == 202]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        states = [httpx.get(f"{base}/jobs/{j}").json()["state"] for j in accepted]
        if all(s == "succeeded" for s in states):
            break
        time.sleep(0.1)
    assert states == ["succeeded"] * len(accepted)
    assert len(service.ingested) == len(accepted)  # refused uploads were never ingested


def test_declared_and_streamed_bodies_over_the_limit_get_413(slow):
    base, service = slow
    big = httpx.post(base + "/ask", content=b"{" + b" " * 20_000 + b"}", headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["code"] == "too_large"
    sent = {"bytes": 0}

    def endless():
        yield (b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
               b"Content-Type: text/plain\r\n\r\n")
        for _ in range(10_000):  # would be 100 MB; the server must stop reading long before
            sent["bytes"] += 10_000
            yield b"x" * 10_000

    with httpx.Client(timeout=30) as client:
        r = client.post(base + "/documents", content=endless(),
                        headers={"content-type": "multipart/form-data; boundary=zzz"})
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert sent["bytes"] < 5_000_000, sent
    assert service.ingested == []
    assert httpx.get(base + "/healthz").status_code == 200
