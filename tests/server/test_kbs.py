"""Knowledge bases over HTTP: listing, scoping every read, uploading into one, membership, old stores."""

from __future__ import annotations

import httpx
import pytest

from huiyi.server.app import create_app
from tests.server.conftest import doc_ids_by_source, kb_settings
from tests.support.live import live_server

GDP = "衡东县上半年GDP增长多少?"


@pytest.fixture(scope="module")
def api(kb_base_url):
    with httpx.Client(base_url=kb_base_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def ids(api):
    return doc_ids_by_source(api.get("/documents").json()["documents"])


def test_list_kbs_and_documents(api, ids):
    kbs = {k["name"]: k for k in api.get("/kbs").json()["kbs"]}
    assert {n: k["documents"] for n, k in kbs.items()} == {"default": 2, "衡东县": 2, "雁峰区": 1}
    assert kbs["default"]["default"] is True
    listed = api.get("/documents", params={"kb": "衡东县"}).json()["documents"]
    assert {d["id"] for d in listed} == {ids["000_"], ids["002_"]}
    both = api.get("/documents", params=[("kb", "衡东县"), ("kb", "雁峰区")]).json()["documents"]
    assert len(both) == 3
    assert len(api.get("/documents", params={"kb": "default"}).json()["documents"]) == 2


def test_ask_scoped_to_a_kb(api, ids):
    inside = api.post("/ask", json={"question": GDP, "filters": {"kbs": ["衡东县"]}}).json()
    assert "5.9" in inside["answer"] and inside["citations"]
    assert {c["doc_id"] for c in inside["citations"]} <= {ids["000_"], ids["002_"]}
    outside = api.post("/ask", json={"question": GDP, "filters": {"kbs": ["雁峰区"]}}).json()
    assert {c["doc_id"] for c in outside["citations"]} <= {ids["001_"]}
    assert "5.9" not in outside["answer"]


def test_search_indicators_summary_scoped(api, ids):
    hits = api.get("/search", params={"q": "GDP增长", "kb": "雁峰区"}).json()["results"]
    assert hits and {h["doc_id"] for h in hits} == {ids["001_"]}
    rows = api.get("/indicators", params={"name": "GDP", "kb": "衡东县"}).json()["rows"]
    assert rows and {r["doc_id"] for r in rows} <= {ids["000_"], ids["002_"]}
    assert api.get(f"/documents/{ids['000_']}/summary", params={"kb": "衡东县"}).status_code == 200
    outside = api.get(f"/documents/{ids['001_']}/summary", params={"kb": "衡东县"})
    assert outside.status_code == 404
    assert api.get(f"/documents/{ids['001_']}/text", params={"kb": "衡东县"}).status_code == 404


def test_unknown_kb_is_a_404_with_a_code(api):
    r = api.post("/ask", json={"question": GDP, "filters": {"kbs": ["不存在的库"]}})
    assert r.status_code == 404 and r.json()["code"] == "unknown_kb"
    assert api.get("/search", params={"q": "GDP", "kb": "不存在的库"}).json()["code"] == "unknown_kb"
    assert api.get("/documents", params={"kb": "a/b"}).json()["code"] == "bad_kb_name"
    assert api.post("/documents", json={"text": "某县召开全会。", "kb": "huiyi"}).json()["code"] == "bad_kb_name"


def test_upload_into_kb_and_membership(kb_store, tmp_path):
    text = "某某县召开经济运行分析会。会议指出,上半年全县地区生产总值增长6.2%。"
    with live_server(create_app(kb_settings(kb_store, tmp_path))) as base, httpx.Client(base_url=base, timeout=60) as api:
        first = api.post("/documents", params={"wait": 60}, json={"text": text, "title": "测试会议", "kb": "2026政府工作报告"})
        assert first.status_code == 201, first.text
        doc = first.json()["result"]["document"]
        assert doc["kbs"] == ["2026政府工作报告"]
        again = api.post("/documents", params={"kb": "测试库", "wait": 60}, json={"text": text, "title": "测试会议"})
        assert again.status_code == 200 and again.json()["result"]["document"]["kbs"] == ["2026政府工作报告", "测试库"]
        names = {k["name"] for k in api.get("/kbs").json()["kbs"]}
        assert {"2026政府工作报告", "测试库"} <= names
        answer = api.post("/ask", json={"question": "某某县上半年地区生产总值增长多少?", "filters": {"kbs": ["测试库"]}}).json()
        assert "6.2%" in answer["answer"] and {c["doc_id"] for c in answer["citations"]} == {doc["id"]}
        removed = api.delete(f"/kbs/测试库/documents/{doc['id']}").json()
        assert removed["kbs"] == ["2026政府工作报告"]
        added = api.put(f"/kbs/雁峰区/documents/{doc['id']}").json()
        assert added["kbs"] == ["2026政府工作报告", "雁峰区"]
        multipart = api.post("/documents", files={"file": ("雁山县全会.txt", "雁山县召开全会。".encode(), "text/plain")},
                             data={"kb": "雁峰区"}, params={"wait": 60})
        assert multipart.status_code == 201 and multipart.json()["result"]["document"]["kbs"] == ["雁峰区"]


def test_store_without_kbs_is_all_default(seeded_settings):
    with live_server(create_app(seeded_settings)) as base:
        kbs = httpx.get(base + "/kbs").json()["kbs"]
        assert kbs == [{"name": "default", "documents": 5, "chunks": kbs[0]["chunks"], "default": True}]
        r = httpx.post(base + "/ask", json={"question": GDP, "filters": {"kbs": ["default"]}}, timeout=60).json()
        assert "5.9" in r["answer"]


def test_no_gold_question_scoped_to_a_kb_cites_another(api, ids, kb_base_url):
    """Every gold question, scoped to each knowledge base, through /ask and the OpenAI adapter."""
    import openai

    from huiyi.evals.harness import load_cases

    members = {"衡东县": {ids["000_"], ids["002_"]}, "雁峰区": {ids["001_"]}, "default": {ids["003_"], ids["004_"]}}
    questions = [c.question for c in load_cases() if not c.history][::5]
    client = openai.OpenAI(base_url=kb_base_url + "/v1", api_key="x", max_retries=0, timeout=60)
    for kb, docs in members.items():
        for q in questions:
            cited = {c["doc_id"] for c in api.post("/ask", json={"question": q, "filters": {"kbs": [kb]}}).json()["citations"]}
            assert cited <= docs, (kb, q, cited)
            extra = client.chat.completions.create(model=f"huiyi/{kb}", messages=[{"role": "user", "content": q}]) \
                .choices[0].message.model_extra["huiyi"]
            assert {c["doc_id"] for c in extra["citations"]} <= docs, (kb, q)
