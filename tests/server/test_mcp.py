"""The MCP server through the official `mcp` client session: streamable HTTP against the real app, and stdio
against `huiyi mcp` in a child process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.server.conftest import doc_ids_by_source

ROOT = Path(__file__).resolve().parents[2]
GDP = "衡东县上半年GDP增长多少?"
TOOLS = {"search_reports", "ask_reports", "get_meeting_summary", "get_indicator_series", "list_documents",
         "list_knowledge_bases"}


async def _exercise(session: ClientSession, texts: dict[str, str], ids: dict[str, str]) -> dict:
    await session.initialize()
    tools = {t.name: t for t in (await session.list_tools()).tools}
    assert TOOLS <= set(tools)
    for tool in tools.values():
        assert tool.input_schema["type"] == "object" and tool.output_schema and tool.description
    assert tools["ask_reports"].input_schema["required"] == ["question"]
    assert "kbs" in tools["search_reports"].input_schema["properties"]

    answer = (await session.call_tool("ask_reports", {"question": GDP})).structured_content
    assert answer["status"] == "answered" and "5.9" in answer["answer"] and answer["citations"]
    for c in answer["citations"]:
        assert texts[c["doc_id"]][c["start"]:c["end"]] == c["quote"]
    follow = (await session.call_tool("ask_reports", {"question": "那前三季度呢?", "history": [
        {"role": "user", "content": GDP}, {"role": "assistant", "content": answer["answer"]}]})).structured_content
    assert "5.7" in follow["answer"]
    hidden = (await session.call_tool("ask_reports", {"question": "二季度制造业投资增长多少?"})).structured_content
    assert hidden["status"] == "undisclosed" and "未披露" in hidden["answer"]
    refused = (await session.call_tool("ask_reports", {"question": "衡阳市上半年GDP增长多少?"})).structured_content
    assert refused["status"] == "not_found" and "资料中未提及" in refused["answer"] and refused["citations"] == []

    summary = (await session.call_tool("get_meeting_summary", {"doc_id": ids["000_"]})).structured_content
    assert summary["doc_id"] == ids["000_"] and summary["name"]["value"]
    cited = [summary["name"], summary["date"], summary["place"]]
    for field in cited:
        for c in field["citations"]:
            assert texts[c["doc_id"]][c["start"]:c["end"]] == c["quote"]

    series = (await session.call_tool("get_indicator_series", {"name": "GDP", "region": "衡东县"})).structured_content
    assert any("5.9" in (r["change"] or "") for r in series["rows"])
    docs = (await session.call_tool("list_documents", {"kbs": ["衡东县"]})).structured_content["documents"]
    assert {d["id"] for d in docs} == {ids["000_"], ids["002_"]}
    hits = (await session.call_tool("search_reports", {"query": "GDP增长", "kbs": ["雁峰区"]})).structured_content["results"]
    assert hits and {h["doc_id"] for h in hits} == {ids["001_"]}

    scoped = (await session.call_tool("ask_reports", {"question": GDP, "kbs": ["雁峰区"]})).structured_content
    assert not {c["doc_id"] for c in scoped["citations"]} & {ids["000_"], ids["002_"]}
    outside = await session.call_tool("get_meeting_summary", {"doc_id": ids["000_"], "kbs": ["雁峰区"]})
    assert outside.is_error and "not_found" in outside.content[0].text
    unknown = await session.call_tool("ask_reports", {"question": GDP, "kbs": ["没有这个库"]})
    assert unknown.is_error and "unknown_kb" in unknown.content[0].text

    templates = (await session.list_resource_templates()).resource_templates
    assert [t.uri_template for t in templates] == ["huiyi://documents/{doc_id}/text"]
    text = (await session.read_resource(f"huiyi://documents/{ids['000_']}/text")).contents[0].text
    assert text == texts[ids["000_"]]
    return answer


@pytest.fixture(scope="module")
def corpus(kb_base_url):
    with httpx.Client(base_url=kb_base_url, timeout=60) as api:
        docs = api.get("/documents").json()["documents"]
        texts = {d["id"]: api.get(f"/documents/{d['id']}/text").json()["text"] for d in docs}
        return texts, doc_ids_by_source(docs)


def test_mcp_over_http(kb_base_url, corpus):
    texts, ids = corpus

    async def main():
        async with streamable_http_client(kb_base_url + "/mcp") as (read, write):
            async with ClientSession(read, write) as session:
                return await _exercise(session, texts, ids)

    answer = anyio.run(main)
    plain = httpx.post(kb_base_url + "/ask", json={"question": GDP}, timeout=60).json()
    assert answer["answer"] == plain["answer"] and answer["citations"] == plain["citations"]


def test_mcp_over_stdio(kb_store, tmp_path, corpus):
    from tests.server.conftest import kb_settings

    texts, ids = corpus
    settings = kb_settings(kb_store, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HUIYI_DATA_DIR": str(settings.data_dir),
           "OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "HUIYI_LLM_MODEL": ""}
    params = StdioServerParameters(command=sys.executable, args=["-m", "huiyi.cli", "mcp"], env=env, cwd=str(ROOT))

    async def main():
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                return await _exercise(session, texts, ids)

    answer = anyio.run(main)
    assert "5.9" in answer["answer"]
    assert json.loads(json.dumps(answer))  # plain JSON all the way


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def test_mcp_refuses_foreign_host_headers_on_loopback(kb_base_url):
    ok = httpx.post(kb_base_url + "/mcp", json=INITIALIZE, headers=MCP_HEADERS, timeout=30)
    assert ok.status_code == 200, ok.text
    rebound = httpx.post(kb_base_url + "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Host": "evil.example"}, timeout=30)
    assert rebound.status_code in (400, 403, 421)


def test_mcp_allowed_hosts_setting(kb_store, tmp_path):
    from huiyi.server.app import create_app
    from tests.server.conftest import kb_settings
    from tests.support.live import live_server

    settings = kb_settings(kb_store, tmp_path, mcp_allowed_hosts=["huiyi.lan:*"])
    with live_server(create_app(settings), lifespan="on") as base:
        named = httpx.post(base + "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Host": "huiyi.lan:8000"}, timeout=30)
        assert named.status_code == 200, named.text
        other = httpx.post(base + "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Host": "evil.example"}, timeout=30)
        assert other.status_code in (400, 403, 421)
