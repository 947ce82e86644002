"""The reading of one question: its analysis with the places the documents name, the retrieved documents'
facts, the candidate sentences, and how picks become a grounded response."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from huiyi.cite.grounding import check_grounding
from huiyi.cite.models import Citation, Grounding
from huiyi.genre.places import region_stem
from huiyi.index.records import Document, SearchHit
from huiyi.qa import relevance, scoring
from huiyi.qa.analysis import QuestionAnalysis
from huiyi.qa.candidates import Candidate, best_candidates, candidate_sentences
from huiyi.qa.evidence import DocInfo, Sentence, build_docs
from huiyi.qa.models import AskResponse
from huiyi.qa.prepare import PreparedQuestion

NOT_FOUND = "资料中未提及。"
# The lowest score answered rather than refused: calibrated on development data with the scoring model
# (huiyi/qa/weights.json, benchmarks/fit_answerer.py); None means "the model's".
THRESHOLD: float | None = None


@dataclass
class Reading:
    """What the offline answerer reads for one question: its analysis (with the places the documents name),
    the retrieved documents' facts and the candidate sentences. Special question kinds use it too."""

    prepared: PreparedQuestion
    analysis: QuestionAnalysis
    hits: list[SearchHit]
    docs: dict[str, DocInfo]
    sentences: list[Sentence]
    document: Callable[[str], Document]
    threshold: float | None = THRESHOLD

    def candidates(self, part: QuestionAnalysis) -> list[Candidate]:
        """Every candidate answer to `part`, best first (rejected sentences are absent)."""
        return best_candidates(part, self.sentences)

    def best(self, part: QuestionAnalysis) -> Candidate | None:
        """The best candidate when it clears the refusal threshold."""
        limit = scoring.threshold() if self.threshold is None else self.threshold
        scoped = bool(self.prepared.filters and self.prepared.filters.doc_ids)
        for c in self.candidates(part):
            if c.score < limit:
                return None
            if relevance.about(part, c.sentence, c.features, scoped):
                return c
        return None


def read(prepared: PreparedQuestion, hits: list[SearchHit], document: Callable[[str], Document],
         threshold: float | None = THRESHOLD) -> Reading:
    docs = build_docs(hits, document)
    a = with_known_places(prepared.analysis, docs)
    return Reading(prepared, a, hits, docs, candidate_sentences(hits, docs, a), document, threshold)


def respond(reading: Reading, parts: Sequence[QuestionAnalysis], picks: Sequence[Candidate | None],
            answer: str | None = None) -> AskResponse:
    """The response for the picks of each part (or a composed `answer` over them), grounded in code."""
    if all(c is None for c in picks):
        return not_found()
    answer = answer if answer is not None else _compose(parts, picks)
    citations = _citations(c for c in picks if c is not None)
    document = reading.document
    grounding = check_grounding(answer, citations, lambda d: document(d).text, lambda d: document(d).meta)
    if not grounding.ok:  # never state what the quotes do not carry
        return not_found(grounding)
    status = "answered" if any(c is not None and not c.placeholder for c in picks) else "undisclosed"
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


def not_found(grounding: Grounding | None = None) -> AskResponse:
    g = Grounding(note=grounding.note) if grounding is not None else Grounding()
    return AskResponse(answer=NOT_FOUND, status="not_found", citations=[], mode="extractive", grounding=g)


