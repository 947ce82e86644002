"""The real FastAPI app over HTTP (uvicorn on loopback) on a copy of the seeded store."""

from __future__ import annotations

import base64
import io

import httpx
import pytest

from huiyi.service.app import create_app
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


def test_upload_json_then_duplicate_then_delete(api):
    text = "某某县召开经济运行分析会。会议指出,上半年全县地区生产总值增长6.2%。"
    first = api.post("/documents", json={"text": text, "title": "测试会议"})
    assert first.status_code == 201, first.text
    doc = first.json()
    again = api.post("/documents", json={"text": text, "title": "测试会议"})
    assert again.status_code == 200 and again.json()["id"] == doc["id"]
    assert len(api.get("/documents").json()["documents"]) == 6
    assert api.delete(f"/documents/{doc['id']}").status_code == 204
    assert api.get(f"/documents/{doc['id']}").status_code == 404
    assert len(api.get("/documents").json()["documents"]) == 5


def test_upload_multipart_keeps_source_name(api):
    body = "雁山县召开全会。会议审议通过了工作报告。".encode("gbk")
    r = api.post("/documents", files={"file": ("雁山县全会.txt", body, "text/plain")})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "雁山县全会.txt"


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
    r = api.post("/documents", files={"file": ("noise.txt", "扫一扫在手机打开当前页\n相关阅读:\n".encode(), "text/plain")})
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
