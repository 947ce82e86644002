"""complete_json: validation, one repair with the error, then a typed error for the caller's fallback."""

from __future__ import annotations

import pytest

from huiyi.errors import InvalidLLMOutput
from huiyi.llm import OpenAILLM, ScriptedLLM, complete_json, parse_json
from huiyi.llm.schemas import LLMAnswer
from tests.support.fake_openai import ok

MSGS = [{"role": "system", "content": "只依据资料回答。"}, {"role": "user", "content": "GDP增长多少?"}]
GOOD = '{"answer": "增长5.9%[1]", "citations": [{"source": 1, "quote": "上半年,全县GDP增长5.9 %"}], "status": "answered"}'


def test_parse_json_accepts_fences_and_chatter():
    assert parse_json(f"```json\n{GOOD}\n```", LLMAnswer).citations[0].source == 1
    assert parse_json(f"好的,结果如下:{GOOD} 以上。", LLMAnswer).answer == "增长5.9%[1]"


@pytest.mark.parametrize("bad", ["没有 JSON", '{"answer": 1', '{"citations": []}', '{"answer": "a", "status": "maybe"}'])
def test_parse_json_rejects_invalid(bad):
    with pytest.raises(ValueError):
        parse_json(bad, LLMAnswer)


def test_valid_first_reply_needs_no_repair():
    llm = ScriptedLLM(GOOD)
    out = complete_json(llm, MSGS, LLMAnswer, max_tokens=200)
    assert out.value.status == "answered" and not out.repaired
    assert llm.calls[0].json_schema == LLMAnswer.model_json_schema()
    assert llm.calls[0].max_tokens == 200


def test_invalid_then_repair_ok():
    bad = '{"answer": "增长5.9%", "citations": [{"source": 0, "quote": ""}]}'
    llm = ScriptedLLM(bad, GOOD)
    out = complete_json(llm, MSGS, LLMAnswer)
    assert out.repaired and out.value.citations[0].quote == "上半年,全县GDP增长5.9 %"
    assert out.usage.completion_tokens == len(bad) + len(GOOD)  # both calls are paid for
    repair = llm.calls[1].messages
    assert repair[: len(MSGS)] == MSGS
    assert repair[-2]["role"] == "assistant" and '"source": 0' in repair[-2]["content"]
    assert repair[-1]["role"] == "user" and "citations.0.source" in repair[-1]["content"]


def test_invalid_twice_raises_typed_error_with_usage():
    llm = ScriptedLLM("我不知道", "还是不知道")
    with pytest.raises(InvalidLLMOutput) as info:
        complete_json(llm, MSGS, LLMAnswer)
    assert info.value.code == "llm_invalid_output"
    assert info.value.usage.completion_tokens == len("我不知道") + len("还是不知道")
    assert info.value.last_text == "还是不知道"
    assert len(llm.calls) == 2


def test_repair_over_http_after_json_schema_fallback(fake, settings_for):
    fake.reject_json_schema = True
    fake.script(ok("答案是5.9%"), ok(GOOD))
    out = complete_json(OpenAILLM(settings_for(fake.base_url)), MSGS, LLMAnswer)
    assert out.repaired and out.response_format == "json_object"
    formats = [r.response_format for r in fake.chat_requests()]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert fake.chat_requests()[-1].messages[-2] == {"role": "assistant", "content": "答案是5.9%"}
