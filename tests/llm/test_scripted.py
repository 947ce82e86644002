"""ScriptedLLM (the test double) and make_llm (the one place that decides offline vs LLM)."""

from __future__ import annotations

import pytest

from huiyi.config import Settings
from huiyi.errors import UpstreamTimeout
from huiyi.llm import LLM, OpenAILLM, ScriptedLLM, make_llm

MSGS = [{"role": "user", "content": "问题"}]


def _settings(**kw: object) -> Settings:
    base: dict[str, object] = dict(openai_api_key=None, openai_base_url=None, llm_model=None)
    base.update(kw)
    return Settings(**base)


@pytest.mark.parametrize("kw", [{}, {"llm_model": "m"}, {"openai_api_key": "k"}, {"openai_base_url": "http://127.0.0.1:9/v1"}])
def test_make_llm_is_none_without_model_and_endpoint(kw):
    assert make_llm(_settings(**kw)) is None


@pytest.mark.parametrize("kw", [{"openai_api_key": "k"}, {"openai_base_url": "http://127.0.0.1:9/v1"}])
def test_make_llm_builds_openai_client_when_configured(kw):
    llm = make_llm(_settings(llm_model="qwen", **kw))
    assert isinstance(llm, OpenAILLM) and isinstance(llm, LLM) and llm.model == "qwen"


def test_scripted_records_calls_and_returns_queued_replies():
    llm = ScriptedLLM("第一", model="fake")
    result = llm.complete(MSGS, json_schema={"type": "object"}, max_tokens=50, deadline=1.0)
    assert result.text == "第一" and result.model == "fake" and result.usage.completion_tokens == 2
    call = llm.calls[0]
    assert (call.kind, call.messages, call.json_schema, call.max_tokens, call.deadline) == (
        "complete", MSGS, {"type": "object"}, 50, 1.0)
    assert isinstance(llm, LLM)


def test_scripted_stream_yields_chunks_and_usage():
    llm = ScriptedLLM("一二三四五六七", chunk_chars=3)
    stream = llm.stream(MSGS)
    assert list(stream) == ["一二三", "四五六", "七"]
    assert stream.text == "一二三四五六七" and stream.finish_reason == "stop"
    assert stream.usage.completion_tokens == 7 and llm.calls[0].kind == "stream"


def test_scripted_raises_queued_errors_and_complains_when_empty():
    llm = ScriptedLLM(UpstreamTimeout("slow"))
    with pytest.raises(UpstreamTimeout):
        llm.complete(MSGS)
    with pytest.raises(AssertionError, match="no reply queued"):
        llm.complete(MSGS)
