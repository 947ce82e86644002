"""Answer orchestration: prepared question → retrieve → offline answer → (LLM answer, verified, with fallback)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from huiyi.config import Settings
from huiyi.index.corpus import Corpus
from huiyi.llm.client import LLM
from huiyi.qa.extractive import answer_offline, retrieve
from huiyi.qa.models import AskResponse
from huiyi.qa.prepare import PreparedQuestion

_DELTA_SPLIT = re.compile(r"(?<=[,,;;。!?!?、])")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def answer(prepared: PreparedQuestion, corpus: Corpus, settings: Settings, llm: LLM | None = None) -> AskResponse:
    t0 = time.perf_counter()
    hits = retrieve(prepared, corpus)
    timing = {"search_ms": _ms(t0)}
    t1 = time.perf_counter()
    response = answer_offline(prepared, hits, corpus.document)
    timing["offline_ms"] = _ms(t1)
    if llm is not None:
        from huiyi.qa.llm_answer import answer_llm

        t2 = time.perf_counter()
        response = answer_llm(prepared, hits, response, corpus, settings, llm)
        timing["llm_ms"] = _ms(t2)
    timing["total_ms"] = _ms(t0)
    return response.model_copy(update={"timing": timing})


def answer_stream(prepared: PreparedQuestion, corpus: Corpus, settings: Settings,
                  llm: LLM | None = None) -> Iterator[tuple[str, dict]]:
    """(event, data) frames: `delta` text pieces, `citations`, then `done` with the full response."""
    if llm is not None:
        from huiyi.qa.llm_answer import stream_llm

        yield from stream_llm(prepared, corpus, settings, llm)
        return
    response = answer(prepared, corpus, settings)
    for piece in _DELTA_SPLIT.split(response.answer):
        if piece:
            yield "delta", {"text": piece}
    yield "citations", {"citations": [c.model_dump(mode="json") for c in response.citations]}
    yield "done", response.model_dump(mode="json")
