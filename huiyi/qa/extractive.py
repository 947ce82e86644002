"""The offline (extractive) answerer: retrieve → read → a special kind's answer or the best sentence's span."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from huiyi.index.records import Document, DocumentRecord, SearchFilters, SearchHit
from huiyi.index.search import Mode
from huiyi.qa.models import AskResponse
from huiyi.qa.prepare import PreparedQuestion, prepare
from huiyi.qa.reading import NOT_FOUND, THRESHOLD, not_found, read, respond
from huiyi.qa.scope import place_scope, scoped
from huiyi.qa.special import answer_special

__all__ = ["NOT_FOUND", "THRESHOLD", "answer_offline", "answer_text", "merge_hits", "retrieve"]

RETRIEVAL_K = 10  # hits per retrieval query


class Searcher(Protocol):
    def search_many(self, queries: Sequence[str], k: int, filters: SearchFilters | None = None,
                    modes: Sequence[Mode] | None = None) -> list[list[SearchHit]]: ...

    def known_records(self) -> Mapping[str, DocumentRecord]: ...


def retrieve(prepared: PreparedQuestion, corpus: Searcher, k: int = RETRIEVAL_K) -> list[SearchHit]:
    """Run every query of the prepared question (one batch) and merge the hits, best first, each chunk once."""
    filters = scoped(prepared.filters, place_scope(prepared.analysis, corpus.known_records()))
    lists = corpus.search_many(prepared.queries, k, filters, prepared.modes)
    return merge_hits(lists)


def merge_hits(lists: Sequence[Sequence[SearchHit]]) -> list[SearchHit]:
    merged: dict[str, SearchHit] = {}
    for rank in range(max((len(x) for x in lists), default=0)):
        for hits in lists:  # interleave so each part's best chunks come early
            if rank < len(hits) and hits[rank].chunk_id not in merged:
                merged[hits[rank].chunk_id] = hits[rank]
    return list(merged.values())


def answer_offline(
    prepared: PreparedQuestion,
    hits: list[SearchHit],
    document: Callable[[str], Document],
    threshold: float | None = THRESHOLD,
) -> AskResponse:
    """Answer from the retrieved chunks only; refuse ("资料中未提及") when the evidence is weak or contradicts."""
    if not hits:
        return not_found()
    reading = read(prepared, hits, document, threshold)
    special = answer_special(reading)
    if special is not None:
        return special
    parts = reading.analysis.parts or (reading.analysis,)
    return respond(reading, parts, [reading.best(p) for p in parts])


def answer_text(question: str, text: str, doc_id: str = "passage", title: str = "") -> AskResponse:
    """Answer `question` with `text` as the only source (a benchmark passage, a test); nothing is stored."""
    from huiyi.index.facts import plain_document

    doc = plain_document(doc_id, title or doc_id, text)
    hit = SearchHit(chunk_id=f"{doc_id}:0000", doc_id=doc_id, title=doc.meta.title, text=text, start=0, end=len(text),
                    score=1.0)
    # The passage is the source the caller chose: the question is asked within it (as with a scoped question).
    return answer_offline(prepare(question, filters=SearchFilters(doc_ids=[doc_id])), [hit], {doc_id: doc}.__getitem__)
