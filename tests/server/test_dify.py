"""Dify's external knowledge API: requests shaped as in Dify's documentation, against the real app over HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.server.conftest import doc_ids_by_source

GDP = "衡东县上半年GDP增长多少?"


def dify_request(knowledge_id: str, query: str, top_k: int = 5, threshold: float = 0.5, **extra) -> dict:
    return {"knowledge_id": knowledge_id, "query": query,
            "retrieval_setting": {"top_k": top_k, "score_threshold": threshold}, **extra}


@pytest.fixture(scope="module")
def api(kb_base_url):
    with httpx.Client(base_url=kb_base_url, timeout=60, headers={"Authorization": "Bearer any-key"}) as client:
        yield client


@pytest.fixture(scope="module")
def ids(api):
    return doc_ids_by_source(api.get("/documents").json()["documents"])


def test_records_above_threshold_sorted(api):
    r = api.post("/retrieval", json=dify_request("huiyi", GDP, top_k=5, threshold=0.5))
    assert r.status_code == 200, r.text
    records = r.json()["records"]
    assert records and all(rec["score"] >= 0.5 for rec in records) and len(records) <= 5
    assert [rec["score"] for rec in records] == sorted((rec["score"] for rec in records), reverse=True)
    assert any("5.9" in rec["content"] for rec in records)
    for rec in records:
        assert set(rec) == {"content", "score", "title", "metadata"} and isinstance(rec["metadata"], dict)
        text = api.get(f"/documents/{rec['metadata']['doc_id']}/text").json()["text"]
        assert text[rec["metadata"]["start"]:rec["metadata"]["end"]] == rec["content"]
    everything = api.post("/retrieval", json=dify_request("huiyi", GDP, top_k=5, threshold=0.0)).json()["records"]
    assert len(everything) == 5 and len(everything) >= len(records)
    strict = api.post("/retrieval", json=dify_request("huiyi", GDP, threshold=1.0)).json()["records"]
    assert all(rec["score"] >= 1.0 for rec in strict)


def test_kb_scoping(api, ids):
    records = api.post("/retrieval", json=dify_request("雁峰区", GDP, threshold=0.0)).json()["records"]
    assert records and {rec["metadata"]["doc_id"] for rec in records} == {ids["001_"]}
    hd = api.post("/retrieval", json=dify_request("衡东县", GDP, threshold=0.0)).json()["records"]
    assert hd and {rec["metadata"]["doc_id"] for rec in hd} <= {ids["000_"], ids["002_"]}


def test_metadata_conditions(api, ids):
    cond = {"logical_operator": "and", "conditions": [
        {"name": "region", "comparison_operator": "is", "value": "衡东县"},
        {"name": "date", "comparison_operator": "after", "value": "2023-12-31"}]}
    records = api.post("/retrieval", json=dify_request("huiyi", "GDP", threshold=0.0, metadata_condition=cond)).json()["records"]
    assert records and {rec["metadata"]["doc_id"] for rec in records} == {ids["002_"]}
    none = {"conditions": [{"name": "title", "comparison_operator": "contains", "value": "没有这样的标题"}]}
    assert api.post("/retrieval", json=dify_request("huiyi", "GDP", metadata_condition=none)).json() == {"records": []}


def test_unknown_knowledge_is_2001(api):
    r = api.post("/retrieval", json=dify_request("没有这个库", GDP))
    assert r.status_code == 404 and r.json()["error_code"] == 2001 and r.json()["error_msg"]


def test_bad_request_in_dify_shape(api):
    r = api.post("/retrieval", json={"knowledge_id": "huiyi", "query": GDP})
    assert r.status_code == 400 and set(r.json()) == {"error_code", "error_msg"}
