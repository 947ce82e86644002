"""Every adapter behind the same API keys as the rest of the app, and keys limited to knowledge bases.

A full read key, a read key limited to 衡东县, and a wrong key, against /v1 (the openai client), /retrieval
(Dify's requests and error shape), /mcp (the mcp client session) and /ask."""

from __future__ import annotations

import anyio
import httpx
import openai
import pytest

pytest.importorskip("huiyi.server.auth")

from huiyi.server.app import create_app  # noqa: E402
from huiyi.server.auth import KeyRing  # noqa: E402
from tests.server.conftest import doc_ids_by_source, kb_settings  # noqa: E402
from tests.support.live import live_server  # noqa: E402

GDP = "衡东县上半年GDP增长多少?"
FULL = "full-read-key-for-tests"


def dify(knowledge_id: str) -> dict:
    return {"knowledge_id": knowledge_id, "query": GDP, "retrieval_setting": {"top_k": 5, "score_threshold": 0.0}}


@pytest.fixture(scope="module")
def served(kb_store, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("auth")
    settings = kb_settings(kb_store, tmp, api_keys=f"read:{FULL}", api_key_file=tmp / "keys")
    limited, _ = KeyRing(settings).add("read", "衡东县 only", kbs=["衡东县"])
    with live_server(create_app(settings), lifespan="on") as base:
        ids = doc_ids_by_source(httpx.get(base + "/documents", headers={"Authorization": f"Bearer {FULL}"}).json()["documents"])
        yield base, limited, ids


def _client(base: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base + "/v1", api_key=key, max_retries=0, timeout=60)


def test_openai_adapter_needs_a_key_and_keeps_to_the_keys_kbs(served):
    base, limited, ids = served
    with pytest.raises(openai.AuthenticationError) as err:
        _client(base, "wrong").chat.completions.create(model="huiyi", messages=[{"role": "user", "content": GDP}])
    assert set(err.value.body) >= {"message", "type"}
    full = _client(base, FULL)
    assert "huiyi/雁峰区" in [m.id for m in full.models.list()]
    mine = _client(base, limited)
    assert [m.id for m in mine.models.list()] == ["huiyi/衡东县"]
    hd = {ids["000_"], ids["002_"]}
    for model in ("huiyi", "huiyi/衡东县"):  # "huiyi" reads what the key may read
        extra = mine.chat.completions.create(model=model, messages=[{"role": "user", "content": GDP}]) \
            .choices[0].message.model_extra["huiyi"]
        assert extra["citations"] and {c["doc_id"] for c in extra["citations"]} <= hd
    with pytest.raises(openai.PermissionDeniedError):
        mine.chat.completions.create(model="huiyi/雁峰区", messages=[{"role": "user", "content": GDP}])


def test_dify_errors_and_kb_limit(served):
    base, limited, ids = served
    wrong = httpx.post(base + "/retrieval", json=dify("衡东县"), headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 403 and wrong.json()["error_code"] == 1002 and wrong.json()["error_msg"]
    malformed = httpx.post(base + "/retrieval", json=dify("衡东县"), headers={"Authorization": "Token x"})
    assert malformed.status_code == 403 and malformed.json()["error_code"] == 1001
    none = httpx.post(base + "/retrieval", json=dify("衡东县"))
    assert none.json()["error_code"] in (1001, 1002)
    ok = httpx.post(base + "/retrieval", json=dify("衡东县"), headers={"Authorization": f"Bearer {limited}"})
    assert ok.status_code == 200 and {r["metadata"]["doc_id"] for r in ok.json()["records"]} <= {ids["000_"], ids["002_"]}
    other = httpx.post(base + "/retrieval", json=dify("雁峰区"), headers={"Authorization": f"Bearer {limited}"})
    assert other.status_code == 403 and other.json()["error_code"] == 1002
    unknown = httpx.post(base + "/retrieval", json=dify("没有这个库"), headers={"Authorization": f"Bearer {FULL}"})
    assert unknown.status_code == 404 and unknown.json()["error_code"] == 2001


def test_mcp_over_http_with_keys(served):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    base, limited, ids = served
    refused = httpx.post(base + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                         headers={"Accept": "application/json, text/event-stream"})
    assert refused.status_code == 401

    async def main():
        import httpx2  # the transport the mcp client is built on

        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {limited}"}, timeout=60) as http:
            async with streamable_http_client(base + "/mcp", http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    kbs = (await session.call_tool("list_knowledge_bases", {})).structured_content["kbs"]
                    docs = (await session.call_tool("list_documents", {})).structured_content["documents"]
                    answer = (await session.call_tool("ask_reports", {"question": GDP})).structured_content
                    other = await session.call_tool("ask_reports", {"question": GDP, "kbs": ["雁峰区"]})
                    summary = await session.call_tool("get_meeting_summary", {"doc_id": ids["001_"]})
                    return kbs, docs, answer, other, summary

    kbs, docs, answer, other, summary = anyio.run(main)
    hd = {ids["000_"], ids["002_"]}
    assert [k["name"] for k in kbs] == ["衡东县"] and {d["id"] for d in docs} == hd
    assert "5.9" in answer["answer"] and {c["doc_id"] for c in answer["citations"]} <= hd
    assert other.is_error and "kb_forbidden" in other.content[0].text
    assert summary.is_error


def test_rest_routes_keep_to_the_keys_kbs(served):
    base, limited, ids = served
    headers = {"Authorization": f"Bearer {limited}"}
    docs = httpx.get(base + "/documents", headers=headers).json()["documents"]
    assert {d["id"] for d in docs} == {ids["000_"], ids["002_"]}
    r = httpx.post(base + "/ask", json={"question": GDP}, headers=headers, timeout=60).json()
    assert {c["doc_id"] for c in r["citations"]} <= {ids["000_"], ids["002_"]}
    assert httpx.get(base + f"/documents/{ids['001_']}/summary", headers=headers).status_code in (403, 404)
    assert httpx.post(base + "/ask", json={"question": GDP, "filters": {"kbs": ["雁峰区"]}},
                      headers=headers).status_code == 403
