"""The real FastAPI app over HTTP (uvicorn on loopback) on a copy of the seeded store."""

from __future__ import annotations

import base64
import time

import httpx
import pytest

from huiyi.server.app import create_app
from tests.support.live import live_server

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def api(seeded_settings):
    seeded_settings.max_upload_bytes = 200_000
    with live_server(create_app(seeded_settings)) as base:
        with httpx.Client(base_url=base, timeout=60) as client:
            yield client


def test_health_and_list(api):
    health = api.get("/healthz").json()
    assert health["status"] == "ok" and health["documents"] == 5 and health["mode"] == "offline"
    docs = api.get("/documents").json()["documents"]
    assert len(docs) == 5
    by_source = {d["source"]: d for d in docs}
    first = by_source["000_4803b7c4fa62c0f1.txt"]
    assert first["date"] == "2023-07-28" and first["region"] == "衡东县" and first["chunks"] > 0


def test_text_offsets_match_search(api):
    results = api.get("/search", params={"q": "固定资产投资增长", "k": 5}).json()["results"]
    assert results
    for r in results:
        text = api.get(f"/documents/{r['doc_id']}/text").json()["text"]
        assert text[r["start"]:r["end"]] == r["text"]


def test_search_filters(api):
    docs = api.get("/documents").json()["documents"]
    target = docs[0]["id"]
    results = api.get("/search", params={"q": "经济", "doc_id": target}).json()["results"]
    assert results and {r["doc_id"] for r in results} == {target}
    by_region = api.get("/search", params={"q": "经济", "region": "雁峰区"}).json()["results"]
    assert by_region and all("雁峰" in r["title"] or r["doc_id"] for r in by_region)
    region_ids = {d["id"] for d in docs if d["region"] == "雁峰区"}
    assert {r["doc_id"] for r in by_region} <= region_ids


WAIT = {"wait": 30}


def test_upload_is_a_job_with_progress(api):
    text = "某某县召开经济运行分析会。会议指出,上半年全县地区生产总值增长6.2%。"
    r = api.post("/documents", json={"text": text, "title": "测试会议"})
    assert r.status_code == 202 and r.headers["location"] == f"/jobs/{r.json()['id']}"
    job = r.json()
    assert job["state"] in {"queued", "running", "succeeded"} and job["kind"] == "upload"
    for _ in range(300):
        job = api.get(f"/jobs/{job['id']}").json()
        if job["state"] in {"succeeded", "failed"}:
            break
        time.sleep(0.05)
    assert job["state"] == "succeeded" and job["result"]["status"] == "added", job
    chunks = job["result"]["document"]["chunks"]
    assert job["progress"] == {"stage": "done", "done": chunks, "total": chunks,
                               "files_done": None, "files_total": None, "percent": None}  # those three: folder jobs only
    assert api.get("/jobs/nope").json()["code"] == "unknown_job"


def test_upload_json_then_duplicate_then_delete(api):
    text = "某某县召开经济运行分析会。会议指出,上半年全县地区生产总值增长6.2%。"
    first = api.post("/documents", json={"text": text, "title": "测试会议"}, params=WAIT)
    assert first.status_code == 201, first.text
    doc = first.json()["result"]["document"]
    again = api.post("/documents", json={"text": text, "title": "测试会议"}, params=WAIT)
    assert again.status_code == 200 and again.json()["result"]["document"]["id"] == doc["id"]
    assert len(api.get("/documents").json()["documents"]) == 6
    assert api.delete(f"/documents/{doc['id']}").status_code == 204
    assert api.get(f"/documents/{doc['id']}").status_code == 404
    assert len(api.get("/documents").json()["documents"]) == 5


def test_upload_multipart_keeps_source_name(api):
    body = "雁山县召开全会。会议审议通过了工作报告。".encode("gbk")
    r = api.post("/documents", files={"file": ("雁山县全会.txt", body, "text/plain")}, params=WAIT)
    assert r.status_code == 201, r.text
    assert r.json()["result"]["document"]["source"] == "雁山县全会.txt"


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("empty.txt", b"", 422, "empty_document"),
        ("image.txt", PNG, 415, "unsupported_format"),
        ("tool.exe", b"MZ\x90\x00", 415, "unsupported_format"),
        ("big.txt", "会".encode() * 100_000, 413, "too_large"),
    ],
)
def test_bad_uploads_are_clear_and_leave_store_intact(api, name, data, status, code):
    r = api.post("/documents", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["message"]
    assert len(api.get("/documents").json()["documents"]) == 5


def test_only_boilerplate_upload(api):
    r = api.post("/documents", files={"file": ("noise.txt", "扫一扫在手机打开当前页\n相关阅读:\n".encode(), "text/plain")}, params=WAIT)
    assert r.status_code == 422 and r.json()["code"] in {"only_boilerplate", "empty_document"}


@pytest.mark.parametrize("doc_id", ["..%2F..%2Fetc%2Fpasswd", "nope", "%2E%2E"])
def test_unknown_or_malicious_ids(api, doc_id):
    r = api.get(f"/documents/{doc_id}")
    assert r.status_code in (400, 404, 422)
    assert "code" in r.json()
    assert "root:" not in r.text


def test_errors_are_json_not_traces(api):
    r = api.get("/search", params={"q": ""})
    assert r.status_code == 422 and r.json()["code"]
    r = api.get("/search", params={"q": "经济", "k": 0})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    r = api.post("/documents", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "Traceback" not in r.text


def _doc_id(api, source: str) -> str:
    return next(d["id"] for d in api.get("/documents").json()["documents"] if d["source"] == source)


def test_summary_formats_and_unknown_id(api):
    doc_id = _doc_id(api, "001_715056be48430865.txt")
    summary = api.get(f"/documents/{doc_id}/summary").json()
    text = api.get(f"/documents/{doc_id}/text").json()["text"]
    cited = [c for field in summary.values() if isinstance(field, dict) for c in field.get("citations", [])]
    assert cited, "a summary field without citations"
    for c in cited:
        assert text[c["start"]:c["end"]] == c["quote"]
    md = api.get(f"/documents/{doc_id}/summary", params={"format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and "纪要" in md.text and "[1]" not in md.text
    audit = api.get(f"/documents/{doc_id}/summary", params={"format": "md", "variant": "audit"})
    assert "基本情况" in audit.text and "[1]" in audit.text
    docx = api.get(f"/documents/{doc_id}/summary", params={"format": "docx"})
    assert docx.content[:2] == b"PK" and "attachment" in docx.headers["content-disposition"]
    audit_docx = api.get(f"/documents/{doc_id}/summary", params={"format": "docx", "variant": "audit"})
    assert audit_docx.content[:2] == b"PK" and "%E5%AE%A1%E6%A0%B8%E7%A8%BF" in audit_docx.headers["content-disposition"]  # 审核稿
    assert api.get(f"/documents/{doc_id}/summary", params={"format": "md", "variant": "draft"}).status_code == 422
    assert api.get("/documents/nope/summary").json()["code"] == "not_found"
    assert api.get(f"/documents/{doc_id}/summary", params={"format": "pdf"}).status_code == 422


def test_indicators_across_reports(api):
    body = api.get("/indicators", params={"name": "地区生产总值"}).json()
    rows = body["rows"]
    assert len({r["doc_id"] for r in rows}) >= 2
    for r in rows:
        text = api.get(f"/documents/{r['doc_id']}/text").json()["text"]
        c = r["citation"]
        assert text[c["start"]:c["end"]] == c["quote"]
    assert api.get("/indicators", params={"name": ""}).status_code == 422


def test_ask_and_stream(api):
    body = api.post("/ask", json={"question": "雁峰区的全会在几月几日召开?"}).json()
    assert body["status"] == "answered" and body["citations"]
    text = api.get(f"/documents/{body['citations'][0]['doc_id']}/text").json()["text"]
    c = body["citations"][0]
    assert text[c["start"]:c["end"]] == c["quote"]
    with api.stream("POST", "/ask/stream", json={"question": "雁峰区的全会在几月几日召开?"}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [line.split(":", 1)[1].strip() for line in r.iter_lines() if line.startswith("event:")]
    assert events[0] == "delta" and events[-2:] == ["citations", "done"]


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"question": ""}, "empty_question"), ({"question": "问" * 10_000}, "question_too_long")],
)
def test_ask_bad_questions(api, payload, code):
    r = api.post("/ask", json=payload)
    assert r.status_code == 422 and r.json()["code"] == code


def test_ask_unknown_doc_filter(api):
    r = api.post("/ask", json={"question": "GDP增长多少?", "filters": {"doc_ids": ["nope"]}})
    assert r.status_code == 404 and r.json()["code"] == "unknown_document"


def test_answers_follow_a_replaced_document(api):
    """The answer path caches documents in memory; a replacement (PUT) must be visible to the next question."""
    name = "某山县全会.txt"
    first = "某山县召开全会。会议指出,上半年全县地区生产总值增长6.2%。".encode()
    r = api.post("/documents", files={"file": (name, first, "text/plain")}, params=WAIT)
    assert r.status_code == 201
    doc_id = r.json()["result"]["document"]["id"]
    ask = {"question": "某山县上半年地区生产总值增长多少?"}
    assert "6.2" in api.post("/ask", json=ask).json()["answer"]
    second = "某山县召开全会。会议指出,上半年全县地区生产总值增长7.4%。".encode()
    r = api.put(f"/documents/{doc_id}", files={"file": (name, second, "text/plain")}, params=WAIT)
    assert r.status_code == 201 and r.headers["x-huiyi-ingest"] == "replaced"
    assert r.json()["result"]["document"]["id"] == doc_id
    assert api.put("/documents/d_0000000000000000", files={"file": (name, second, "text/plain")}).status_code == 404
    body = api.post("/ask", json=ask).json()
    assert "7.4" in body["answer"] and "6.2" not in body["answer"]
    text = api.get(f"/documents/{body['citations'][0]['doc_id']}/text").json()["text"]
    c = body["citations"][0]
    assert text[c["start"]:c["end"]] == c["quote"]
