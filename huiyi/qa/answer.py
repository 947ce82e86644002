"""Answer orchestration: validate → rewrite follow-up → retrieve → answer (offline, or LLM with fallback)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from huiyi.qa.models import AskRequest, AskResponse
from huiyi.qa.extractive import answer_offline, gather_hits, search_queries
from huiyi.qa.analysis import validate_question
from huiyi.qa.history import rewrite_question

if TYPE_CHECKING:
    from huiyi.core import Huiyi

RETRIEVAL_K = 10
_DELTA_SPLIT = re.compile(r"(?<=[,,;;。!?!?、])")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def _prepare(service: Huiyi, request: AskRequest):
    question = validate_question(request.question, service.settings.max_question_chars)
    standalone = rewrite_question(question, request.history)
    t0 = time.perf_counter()
    # Several queries: the question as asked (hybrid), then its lexical expansions — keywords with synonyms,
    # one per part of a multi-part question — keyword-only, since embedding each would double the latency.
    queries = search_queries(question, request.history)
    modes = ["hybrid"] + ["keyword"] * (len(queries) - 1)
    found = service.index.search_many(queries, k=RETRIEVAL_K, filters=request.filters, modes=modes)
    results = dict(zip(queries, found))
    hits = gather_hits(lambda q, k: results[q], question, request.history, k=RETRIEVAL_K)
    return question, standalone, hits, _ms(t0)


def _doc_accessors(service: Huiyi):
    @lru_cache(maxsize=64)
    def doc(doc_id: str):
        return service.cached_document(doc_id)

    return (lambda d: doc(d).text), (lambda d: doc(d).meta)


def answer(service: Huiyi, request: AskRequest) -> AskResponse:
    t0 = time.perf_counter()
    question, standalone, hits, search_ms = _prepare(service, request)
    get_text, get_meta = _doc_accessors(service)
    t1 = time.perf_counter()
    response = answer_offline(question, hits, get_text, history=request.history, get_meta=get_meta)
    offline_ms = _ms(t1)
    timing = {"search_ms": search_ms, "offline_ms": offline_ms}
    if service.llm is not None:
        from huiyi.qa.llm_answer import answer_llm

        t2 = time.perf_counter()
        response = answer_llm(service, request, standalone, hits, response, get_text)
        timing["llm_ms"] = _ms(t2)
    timing["total_ms"] = _ms(t0)
    return response.model_copy(update={"timing": timing})


def answer_stream(service: Huiyi, request: AskRequest) -> Iterator[tuple[str, dict]]:
    """(event, data) frames: `delta` text pieces, `citations`, then `done` with the full response."""
    if service.llm is not None:
        from huiyi.qa.llm_answer import stream_llm

        yield from stream_llm(service, request)
        return
    response = answer(service, request)
    for piece in _DELTA_SPLIT.split(response.answer):
        if piece:
            yield "delta", {"text": piece}
    yield "citations", {"citations": [c.model_dump(mode="json") for c in response.citations]}
    yield "done", response.model_dump(mode="json")
