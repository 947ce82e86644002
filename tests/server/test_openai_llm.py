"""/v1/chat/completions in LLM mode (a scripted model behind the service): only checked answers reach the client."""

from __future__ import annotations

import json

import openai
import pytest

from huiyi.core import Huiyi
from huiyi.index.pipeline import Index
from huiyi.llm import ScriptedLLM
from huiyi.server.app import create_app
from tests.server.conftest import kb_settings
from tests.support.live import live_server

GDP = "衡东县上半年GDP增长多少?"


def reply(answer: str, quote: str) -> str:
    return json.dumps({"answer": answer, "citations": [{"source": 1, "quote": quote}], "status": "answered"},
                      ensure_ascii=False)


@pytest.fixture
def llm_client(kb_store, tmp_path):
    settings = kb_settings(kb_store, tmp_path, llm_deadline=10.0)
    service = Huiyi(settings, Index.open(settings), None)
    with live_server(create_app(settings, service)) as base:
        with openai.OpenAI(base_url=base + "/v1", api_key="x", max_retries=0, timeout=60) as client:
            yield client, service


@pytest.mark.parametrize("stream", [False, True])
def test_fabricated_number_never_reaches_the_client(llm_client, stream):
    client, service = llm_client
    bad = reply("衡东县上半年GDP增长6.2%[1]。", "上半年,全县GDP增长5.9 %;")
    service.llm = ScriptedLLM(bad, bad)
    messages = [{"role": "user", "content": GDP}]
    if stream:
        chunks = list(client.chat.completions.create(model="huiyi", messages=messages, stream=True))
        content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        extra = [c for c in chunks if c.choices and c.choices[0].finish_reason][0].choices[0].delta.model_extra["huiyi"]
    else:
        message = client.chat.completions.create(model="huiyi", messages=messages).choices[0].message
        content, extra = message.content, message.model_extra["huiyi"]
    assert "6.2" not in content and "5.9" in content
    assert extra["mode"] == "extractive" and "6.2%" in extra["fallback"]


def test_grounded_llm_answer_streams_in_llm_mode(llm_client):
    client, service = llm_client
    service.llm = ScriptedLLM(reply("衡东县上半年GDP增长5.9%[1]。", "上半年,全县GDP增长5.9 %;"))
    chunks = list(client.chat.completions.create(model="huiyi/衡东县", messages=[{"role": "user", "content": GDP}],
                                                  stream=True))
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    extra = [c for c in chunks if c.choices and c.choices[0].finish_reason][0].choices[0].delta.model_extra["huiyi"]
    assert "5.9" in content and extra["mode"] == "llm" and extra["citations"]
