"""OpenAILLM against a real (scripted) HTTP server: retries, deadlines, malformed replies, streams."""

from __future__ import annotations

import socket
import time

import pytest

from huiyi.errors import UpstreamError, UpstreamTimeout
from huiyi.llm import OpenAILLM, deadline_after
from tests.llm.conftest import TEST_KEY
from tests.support.fake_openai import empty_choices, malformed, ok, sleep, status, stream_cut

MSGS = [{"role": "user", "content": "衡东县上半年GDP增长多少?"}]
SLACK = 0.35  # seconds of scheduling slack allowed past a deadline on a busy 2-core machine


def _no_secret(exc: Exception) -> None:
    assert TEST_KEY not in str(exc)


def test_complete_ok_returns_text_usage_and_sends_settings(fake, settings_for):
    fake.script(ok("上半年增长5.9%。", prompt_tokens=12, completion_tokens=7))
    llm = OpenAILLM(settings_for(fake.base_url, llm_max_tokens=123))
    result = llm.complete(MSGS)
    assert result.text == "上半年增长5.9%。"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (12, 7)
    assert result.model == "fake-model" and result.finish_reason == "stop"
    req = fake.chat_requests()[0]
    assert req.body["model"] == "fake-model"
    assert req.body["max_tokens"] == 123
    assert req.body["messages"] == MSGS
    assert req.headers.get("authorization") == f"Bearer {TEST_KEY}"


def test_timeout_raises_upstream_timeout_within_the_request_timeout(fake, settings_for):
    fake.script(sleep(3))
    llm = OpenAILLM(settings_for(fake.base_url, llm_timeout=0.5, llm_retries=0))
    t0 = time.monotonic()
    with pytest.raises(UpstreamTimeout) as info:
        llm.complete(MSGS)
    assert time.monotonic() - t0 < 0.5 + SLACK
    assert fake.base_url in info.value.message and "HUIYI_LLM_TIMEOUT" in info.value.message
    _no_secret(info.value)


def test_timeouts_are_retried_then_reported_as_timeout(fake, settings_for):
    fake.script(sleep(2), sleep(2))
    llm = OpenAILLM(settings_for(fake.base_url, llm_timeout=0.3, llm_retries=1))
    with pytest.raises(UpstreamTimeout):
        llm.complete(MSGS)
    assert len(fake.chat_requests()) == 2


def test_overall_deadline_caps_retries(fake, settings_for):
    fake.script(*[sleep(3)] * 5)
    llm = OpenAILLM(settings_for(fake.base_url, llm_timeout=5.0, llm_retries=4))
    t0 = time.monotonic()
    with pytest.raises(UpstreamTimeout):
        llm.complete(MSGS, deadline=deadline_after(1.0))
    assert time.monotonic() - t0 < 1.0 + SLACK
    assert len(fake.chat_requests()) == 1


def test_429_waits_for_retry_after_then_succeeds(fake, settings_for):
    fake.script(status(429, retry_after=1), ok("好"))
    llm = OpenAILLM(settings_for(fake.base_url))
    assert llm.complete(MSGS).text == "好"
    first, second = fake.chat_requests()
    assert second.at - first.at >= 0.95


def test_429_retry_after_beyond_the_deadline_fails_fast(fake, settings_for):
    fake.script(status(429, retry_after=30), ok("never"))
    llm = OpenAILLM(settings_for(fake.base_url, llm_retries=3))
    t0 = time.monotonic()
    with pytest.raises(UpstreamTimeout) as info:
        llm.complete(MSGS, deadline=deadline_after(2.0))
    assert time.monotonic() - t0 < 1.0
    assert "429" in info.value.message
    assert len(fake.chat_requests()) == 1


def test_500_then_ok_is_retried(fake, settings_for):
    fake.script(status(500), ok("恢复了"))
    llm = OpenAILLM(settings_for(fake.base_url, llm_retries=1))
    assert llm.complete(MSGS).text == "恢复了"
    assert len(fake.chat_requests()) == 2


def test_retries_exhausted_raise_upstream_error(fake, settings_for):
    fake.script(status(502), status(503), ok("too late"))
    llm = OpenAILLM(settings_for(fake.base_url, llm_retries=1))
    with pytest.raises(UpstreamError) as info:
        llm.complete(MSGS)
    assert not isinstance(info.value, UpstreamTimeout)
    assert info.value.code == "upstream_error" and "503" in info.value.message
    assert len(fake.chat_requests()) == 2
    _no_secret(info.value)


def test_malformed_body_is_a_clear_error_without_retry(fake, settings_for):
    fake.script(malformed(), ok("unused"))
    llm = OpenAILLM(settings_for(fake.base_url, llm_retries=2))
    with pytest.raises(UpstreamError) as info:
        llm.complete(MSGS)
    assert info.value.code == "upstream_bad_response"
    assert "OPENAI_BASE_URL" in info.value.message
    assert len(fake.chat_requests()) == 1


def test_empty_choices_is_a_clear_error(fake, settings_for):
    fake.script(empty_choices())
    with pytest.raises(UpstreamError) as info:
        OpenAILLM(settings_for(fake.base_url)).complete(MSGS)
    assert info.value.code == "upstream_bad_response" and "no choices" in info.value.message


def test_auth_failure_names_the_variable_not_the_key(fake, settings_for):
    fake.script(status(401, message="invalid api key"))
    with pytest.raises(UpstreamError) as info:
        OpenAILLM(settings_for(fake.base_url, llm_retries=2)).complete(MSGS)
    assert info.value.code == "upstream_auth" and "OPENAI_API_KEY" in info.value.message
    assert len(fake.chat_requests()) == 1
    _no_secret(info.value)


def test_endpoint_down_fails_within_the_deadline(settings_for):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = OpenAILLM(settings_for(f"http://127.0.0.1:{port}/v1", llm_retries=2))
    t0 = time.monotonic()
    with pytest.raises(UpstreamError) as info:
        llm.complete(MSGS, deadline=deadline_after(3.0))
    assert time.monotonic() - t0 < 3.0 + SLACK
    assert f"127.0.0.1:{port}" in info.value.message


def test_stream_yields_deltas_and_final_usage(fake, settings_for):
    fake.script(ok("前三季度增长5.7%。", chunk_chars=3, prompt_tokens=9, completion_tokens=6))
    stream = OpenAILLM(settings_for(fake.base_url)).stream(MSGS)
    deltas = list(stream)
    assert len(deltas) >= 3 and "".join(deltas) == "前三季度增长5.7%。" == stream.text
    assert stream.finish_reason == "stop"
    assert (stream.usage.prompt_tokens, stream.usage.completion_tokens) == (9, 6)
    assert fake.chat_requests()[0].body["stream_options"] == {"include_usage": True}


def test_stream_cut_midway_raises_after_partial_deltas(fake, settings_for):
    fake.script(stream_cut("一二三四五六七八九十", chunk_chars=2))
    stream = OpenAILLM(settings_for(fake.base_url)).stream(MSGS)
    got: list[str] = []
    with pytest.raises(UpstreamError) as info:
        for delta in stream:
            got.append(delta)
    assert got and "".join(got) == "一二三四五六七八九十"[: len("".join(got))]
    assert info.value.code == "upstream_stream_cut"


def test_slow_stream_is_closed_at_the_deadline(fake, settings_for):
    fake.script(ok("慢" * 40, chunk_chars=1, delay=0.1))
    stream = OpenAILLM(settings_for(fake.base_url, llm_timeout=5.0)).stream(MSGS, deadline=deadline_after(1.0))
    t0 = time.monotonic()
    got: list[str] = []
    with pytest.raises(UpstreamTimeout):
        for delta in stream:
            got.append(delta)
    assert time.monotonic() - t0 < 1.0 + SLACK
    assert 0 < len(got) < 40


def test_stream_retries_without_stream_options_when_refused(fake, settings_for):
    fake.script(status(400, message="unknown field stream_options"), ok("好的"))
    llm = OpenAILLM(settings_for(fake.base_url))
    assert "".join(llm.stream(MSGS)) == "好的"
    first, second = fake.chat_requests()
    assert "stream_options" in first.body and "stream_options" not in second.body


SCHEMA = {"title": "Answer", "type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}


def test_json_schema_is_sent_when_enabled(fake, settings_for):
    fake.script(ok('{"answer": "5.9%"}'))
    result = OpenAILLM(settings_for(fake.base_url)).complete(MSGS, json_schema=SCHEMA)
    req = fake.chat_requests()[0]
    assert req.body["response_format"]["type"] == "json_schema"
    assert req.body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert result.response_format == "json_schema"
    assert req.body["messages"] == MSGS  # the schema travels in response_format, not the prompt


def test_json_schema_rejected_falls_back_to_json_object_and_remembers(fake, settings_for):
    fake.reject_json_schema = True
    fake.script(ok('{"answer": "a"}'), ok('{"answer": "b"}'))
    llm = OpenAILLM(settings_for(fake.base_url))
    first = llm.complete(MSGS, json_schema=SCHEMA)
    assert first.text == '{"answer": "a"}' and first.response_format == "json_object"
    second = llm.complete(MSGS, json_schema=SCHEMA)
    assert second.response_format == "json_object"
    formats = [r.response_format for r in fake.chat_requests()]
    assert formats == ["json_schema", "json_object", "json_object"]
    # llama.cpp's grammar-constrained json_object takes the schema; the prompt carries it for everyone else.
    assert fake.chat_requests()[1].body["response_format"]["schema"] == SCHEMA
    last_user = fake.chat_requests()[1].messages[-1]
    assert last_user["role"] == "user" and '"answer"' in last_user["content"] and "JSON" in last_user["content"]


def test_json_object_rejected_too_falls_back_to_plain_text(fake, settings_for):
    fake.script(status(400), status(400), status(400), ok('{"answer": "c"}'))
    result = OpenAILLM(settings_for(fake.base_url)).complete(MSGS, json_schema=SCHEMA)
    assert result.response_format == "text"
    reqs = fake.chat_requests()
    assert [r.response_format for r in reqs] == ["json_schema", "json_object", "json_object", None]
    assert "schema" in reqs[1].body["response_format"] and "schema" not in reqs[2].body["response_format"]


def test_500_naming_response_format_is_a_refusal_not_an_outage(fake, settings_for):
    # llama-cpp-python answers an unknown response_format type with 500 and a validation message.
    fake.script(status(500, message="('body', 'response_format', 'type'): Input should be 'text' or 'json_object'"),
                ok('{"answer": "e"}'))
    result = OpenAILLM(settings_for(fake.base_url, llm_retries=0)).complete(MSGS, json_schema=SCHEMA)
    assert result.text == '{"answer": "e"}' and result.response_format == "json_object"
    assert [r.response_format for r in fake.chat_requests()] == ["json_schema", "json_object"]


def test_json_schema_disabled_starts_with_json_object(fake, settings_for):
    fake.script(ok('{"answer": "d"}'))
    OpenAILLM(settings_for(fake.base_url, llm_json_schema=False)).complete(MSGS, json_schema=SCHEMA)
    assert fake.chat_requests()[0].response_format == "json_object"


def test_plain_400_without_structured_output_is_a_rejection(fake, settings_for):
    fake.script(status(400, message="context length exceeded"))
    with pytest.raises(UpstreamError) as info:
        OpenAILLM(settings_for(fake.base_url)).complete(MSGS)
    assert info.value.code == "upstream_rejected" and "context length exceeded" in info.value.message
