"""The evidence an answer is read from: documents (their stored facts) and their sentences, with offsets."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from huiyi.index.records import Document, SearchHit

QUOTE_MAX_CHARS = 260  # a cited sentence plus the clause that carries its period


@dataclass
class DocInfo:
    """What the answerer needs to know about one document beyond the sentence."""

    doc_id: str
    title: str
    text: str
    regions: set[str]  # stems of the places the document is about (衡东, 雁峰)
    years: set[int]  # years the document reports on
    placeholders: list[tuple[int, int]]  # spans the report gives as placeholders (X-values, template repeats)
    sentences: list[tuple[int, int]]
    meetings: set[tuple[str, str]] = field(default_factory=set)  # (届, 次) named in the title or opening
    headings: list[tuple[int, int, str]] = field(default_factory=list)  # (offset, level, title)
    date: dt.date | None = None  # the date the report is dated
    entities: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, kind), in order

    _grams: dict[str, list[int]] | None = field(default=None, repr=False)

    def sentences_sharing(self, grams: frozenset[str]) -> dict[int, int]:
        """Sentence index → how many of `grams` (character bigrams) it holds, for sentences holding any."""
        if self._grams is None:
            index: dict[str, list[int]] = {}
            for i, (s, e) in enumerate(self.sentences):
                piece = self.text[s:e]
                for g in {piece[j:j + 2] for j in range(len(piece) - 1)}:
                    index.setdefault(g, []).append(i)
            self._grams = index
        counts: dict[int, int] = {}
        for g in grams:
            for i in self._grams.get(g, ()):
                counts[i] = counts.get(i, 0) + 1
        return counts

    def entities_in(self, start: int, end: int, kinds: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """Stored entities of these kinds (person, place, org, date) inside [start, end)."""
        i = bisect.bisect_left(self.entities, (start, -1, ""))
        out = []
        while i < len(self.entities) and self.entities[i][0] < end:
            s, e, kind = self.entities[i]
            if e <= end and kind in kinds:
                out.append((s, e, kind))
            i += 1
        return out

    def section_titles(self, pos: int) -> list[str]:
        """Titles of the outline headings whose section holds `pos`, outermost first."""
        path: list[tuple[int, str]] = []
        for offset, level, title in self.headings:
            if offset > pos:
                break
            path = [p for p in path if p[0] < level] + [(level, title)]
        return [title for _, title in path]


@dataclass
class Sentence:
    doc: DocInfo
    chunk_id: str
    start: int
    end: int
    rank: int  # best rank of a hit that holds it (0 = top)
    ctx_start: int  # start of the enclosing 。-sentence: a period written before a ; still governs
    retrieved: bool = True  # in a retrieved chunk, not added by expansion

    @property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]

    @property
    def context(self) -> str:
        return self.doc.text[self.ctx_start:self.end]


def doc_info(doc: Document) -> DocInfo:
    """What the answerer reads of a document: its stored facts (huiyi.index.facts), never recomputed here."""
    return doc.view("qa.doc_info", _doc_info)


def _doc_info(doc: Document) -> DocInfo:
    facts = doc.facts
    if facts is None:
        raise ValueError(f"document {doc.id} has no facts; read documents through huiyi.index.corpus.Corpus")
    return DocInfo(doc.id, doc.meta.title, doc.text, set(facts.regions), set(facts.years),
                   [(p.start, p.end) for p in doc.meta.placeholders], facts.sentences, set(facts.plenums),
                   facts.headings, doc.meta.date_iso, facts.entities)


def build_docs(hits: list[SearchHit], document: Callable[[str], Document]) -> dict[str, DocInfo]:
    docs: dict[str, DocInfo] = {}
    for hit in hits:
        if hit.doc_id not in docs:
            docs[hit.doc_id] = doc_info(document(hit.doc_id))
    return docs


def context_start(text: str, start: int) -> int:
    for i in range(start - 1, max(-1, start - 200), -1):
        if text[i] in "。!?!?\n":
            return i + 1
    return start


def paragraph_of(sent: Sentence) -> str:
    text = sent.doc.text
    start = text.rfind("\n", 0, sent.start) + 1
    return text[start:sent.end]


def paragraph_bounds(text: str, start: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", start)
    return s, (len(text) if e < 0 else e)


def sentence_of(doc: DocInfo, pos: int) -> tuple[int, int] | None:
    return next(((s, e) for s, e in doc.sentences if s <= pos < e), None)
