"""Text units and genre patterns the offline summariser reads reports with.

Everything here works on offsets into the cleaned text, so every extracted value can be cited
verbatim. The patterns describe the genre (会议新闻稿、讲话稿), never particular reports.
"""

from __future__ import annotations

import re
from functools import lru_cache

from huiyi.cite.models import Citation
from huiyi.genre.sentences import full_sentences
from huiyi.genre.spans import Span
from huiyi.index.records import Document

# Clause breaks inside a sentence; a break inside “…” does not count ("“不进则退,慢进也是退”").
_CLAUSE_BREAK = set(",，;；:：")
_OPEN_QUOTES, _CLOSE_QUOTES = "“‘「『《", "”’」』》"
MAX_SENTENCE = 600  # unpunctuated reports run for pages; patterns only need a window

DEMAND_VERB = re.compile(r"(?:强调|指出|要求|提出|表示|部署)[,，:：]?")


def trim(text: str, start: int, end: int) -> Span:
    """Shrink [start, end) past whitespace and stray separators at either edge."""
    while start < end and (text[start].isspace() or text[start] in ",，、;；:：。"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",，、;；:："):
        end -= 1
    return Span(start, end)


def sentences(text: str) -> list[Span]:
    """Sentence spans ending at 。!? or a newline; a run longer than MAX_SENTENCE is cut into windows."""
    return list(_sentences(text))


@lru_cache(maxsize=8)  # the readers of one summary split the same report several times
def _sentences(text: str) -> tuple[Span, ...]:
    out: list[Span] = []
    for start, end in full_sentences(text):
        out.extend(_windows(text, start, end))
    return tuple(s for s in out if s.end > s.start)


@lru_cache(maxsize=8)
def outline(text: str) -> tuple:
    """The report's outline headings (huiyi.genre.outline.headings), once per text."""
    from huiyi.genre.outline import headings

    return tuple(headings(text))


def _windows(text: str, start: int, end: int) -> list[Span]:
    span = trim(text, start, end)
    if span.end - span.start <= MAX_SENTENCE:
        return [span]
    pieces, pos = [], span.start
    while pos < span.end:
        cut = min(span.end, pos + MAX_SENTENCE)
        if cut < span.end:  # prefer a clause break so no pattern is cut mid-phrase
            soft = max(text.rfind(c, pos + MAX_SENTENCE // 2, cut) for c in ",，;；")
            cut = soft + 1 if soft > pos else cut
        pieces.append(trim(text, pos, cut))
        pos = cut
    return pieces


def clauses(text: str, span: Span) -> list[Span]:
    """Clause spans inside `span`, split at , ; : outside quotation marks."""
    out, depth, start = [], 0, span.start
    for i in range(span.start, span.end):
        ch = text[i]
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth = max(0, depth - 1)
        elif ch in _CLAUSE_BREAK and depth == 0:
            out.append(trim(text, start, i))
            start = i + 1
    out.append(trim(text, start, span.end))
    return [c for c in out if c.end > c.start]


def paragraphs(text: str) -> list[Span]:
    out, start = [], 0
    for m in re.finditer(r"\n+", text):
        out.append(trim(text, start, m.start()))
        start = m.end()
    out.append(trim(text, start, len(text)))
    return [p for p in out if p.end > p.start]


def cite(doc: Document, start: int, end: int) -> Citation:
    """A verbatim citation of doc.text[start:end]."""
    start, end = max(0, start), min(len(doc.text), end)
    return Citation(doc_id=doc.id, title=doc.meta.title, quote=doc.text[start:end], start=start, end=end, chunk_id="")


def cite_span(doc: Document, span: Span) -> Citation:
    return cite(doc, span.start, span.end)


def find_first(doc: Document, needle: str, start: int = 0) -> Citation | None:
    """Cite the first occurrence of `needle` at or after `start`, or None when the text lacks it."""
    if not needle:
        return None
    pos = doc.text.find(needle, start)
    return cite(doc, pos, pos + len(needle)) if pos >= 0 else None


def enclosing(spans: list[Span], pos: int) -> Span | None:
    """The span containing position `pos` (spans sorted, non-overlapping)."""
    lo, hi = 0, len(spans) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s = spans[mid]
        if pos < s.start:
            hi = mid - 1
        elif pos >= s.end:
            lo = mid + 1
        else:
            return s
    return None


def split_outside_brackets(text: str, sep: str = "、") -> list[tuple[int, int]]:
    """Offsets of `sep`-separated items, not splitting inside 《…》 or “…”."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            items.append((start, i))
            start = i + 1
    items.append((start, len(text)))
    return [(s, e) for s, e in items if e > s]
