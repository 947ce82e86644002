"""The real-model tier: OpenAILLM against llama-cpp-python serving Gemma 3 270M (Q4_K_M) on loopback.

The model is tiny and answers badly on purpose; these tests check the protocol and our
guarantees (usage counted, streams finish, structured output valid or a typed error, the
deadline held), never the model's wisdom. Install once with `make llama`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from huiyi.config import Settings
from huiyi.errors import InvalidLLMOutput, UpstreamTimeout
from huiyi.llm import OpenAILLM, complete_json, deadline_after
from huiyi.llm.prompts import PromptSource, answer_messages
from huiyi.llm.schemas import LLMAnswer
from tests.support.llama_server import MODEL_ALIAS, llama_server, require_llama

pytestmark = [pytest.mark.llama, pytest.mark.slow]

QUESTION = [{"role": "user", "content": "请用一句话介绍县委全会。"}]


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory) -> Iterator[str]:
    require_llama()
    with llama_server(tmp_path_factory.mktemp("llama") / "server.log") as url:
        yield url


@pytest.fixture
def llm(llama_url) -> OpenAILLM:
    # Generous per-request timeout: a shared 2-core machine can be slow; deadlines are tested separately.
    return OpenAILLM(Settings(openai_base_url=llama_url, openai_api_key=None, llm_model=MODEL_ALIAS,
                              llm_timeout=120, llm_retries=0, llm_deadline=180))


def test_complete_returns_text_and_counts_usage(llm):
    result = llm.complete(QUESTION, max_tokens=16)
    assert result.text.strip()
    assert result.usage.prompt_tokens > 0 and 0 < result.usage.completion_tokens <= 16
    assert result.model == MODEL_ALIAS and result.finish_reason in ("stop", "length")


def test_stream_yields_deltas_and_finishes(llm):
    stream = llm.stream(QUESTION, max_tokens=16)
    deltas = list(stream)
    assert deltas and "".join(deltas).strip() and stream.text == "".join(deltas)
    assert stream.finish_reason in ("stop", "length")


class _Short(BaseModel):
    answer: str


def test_structured_output_falls_back_to_grammar_json(llm):
    # llama-cpp-python refuses response_format json_schema (as a 500); the client must step down
    # to json_object with the schema, which llama.cpp enforces with a grammar.
    out = complete_json(llm, [{"role": "user", "content": "衡东县上半年GDP增长5.9%。GDP增长多少?"}], _Short, max_tokens=48)
    assert isinstance(out.value, _Short) and out.response_format == "json_object"
    assert out.usage.prompt_tokens > 0


def test_answer_prompt_gives_valid_answer_json_or_a_typed_error(llm):
    sources = [PromptSource("衡东县委全会", "上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%。"),
               PromptSource("雁峰区全会", "大会应到区委委员35人,实到35人。")]
    try:
        out = complete_json(llm, answer_messages("衡东县上半年GDP增长多少?", sources), LLMAnswer, max_tokens=160)
    except InvalidLLMOutput as exc:  # a tiny model may fail twice: the caller falls back, and knows the cost
        assert exc.usage.prompt_tokens > 0
        return
    assert out.value.status in ("answered", "not_found", "undisclosed")
    assert all(c.source >= 1 for c in out.value.citations)


def test_deadline_holds_against_a_slow_real_model(llm):
    t0 = time.monotonic()
    try:
        llm.complete([{"role": "user", "content": "请详细写一篇两千字的文章,介绍县域经济发展。"}], max_tokens=400,
                     deadline=deadline_after(1.5))
    except UpstreamTimeout:
        pass
    assert time.monotonic() - t0 < 1.5 + 0.5
