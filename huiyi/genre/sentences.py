"""Sentences and clauses of a report, as offsets: the one sentence splitter of huiyi.

A sentence ends at a terminator (。！？；!? and a "." before whitespace) or a line break. Reports of
this genre often drop their 。 (a web page's <p> breaks lost in copy-paste), so an over-long
"sentence" is split at an inline outline marker, at commas, or — last resort — at a position that
splits no number and no Latin word ("5.9", "6.08亿", "15.3 %", "2023.07.28" are never cut).
Clauses split a sentence at , ; : ; a *full* sentence keeps its semicolons (a period written once,
"上半年,…;…;…。", governs every clause of it).
"""

from __future__ import annotations

import bisect
import re

from huiyi.genre.numbers import CN_ORDINAL

SENTENCE_MAX_CHARS = 200  # longer "sentences" are split; keeps quotes readable and chunks packable


# A terminator run, plus the closing quotes/brackets that belong to the sentence it ends.
# "." ends a sentence only before whitespace or the end: "5.9", "A.奋力…", "1.部分…" never.
_BOUNDARY = re.compile(r"(?:[。！？；!?;｡]|\.(?=\s|$))[。！？；!?;｡”’」』）)】》〉]*|\n")
# Numbers (with their units) and Latin words: no cut may fall strictly inside one.
_UNBREAKABLE = re.compile(
    r"[0-9０-９A-Za-z]+(?:[.．,:：/~～\-][0-9０-９A-Za-z]+)*(?:\s?[%％‰])?(?:个百分点|百分点|[亿万千百]+)?"
    r"|百分之[零〇一二两三四五六七八九十百点]+"
)
_SOFT_BREAK = re.compile(r"[，,、：:…—]+")
# Outline markers worth splitting an unpunctuated stretch at; not 一、/一是/一要 inside a line,
# which are as often words ("统一、规范", "统一要求", "唯一是") as markers.
INLINE_MARKER = re.compile(rf"[(（]{CN_ORDINAL}[)）]|(?<![0-9.．A-Za-z])\d{{1,2}}[.．、](?=[^\d\s])|【[^】\n]{{1,12}}】")
CLAUSE_RE = re.compile(r"[^,,;;::。!?!?]+")
# A full sentence ends at 。!? or a line break; ";" stays inside.
_FULL_END = re.compile(r"[。!?！？]+[”’」』)）]*|\n")


class Guard:
    """Answers "may a span boundary fall at this offset?" for one text."""

    def __init__(self, text: str):
        spans = [m.span() for m in _UNBREAKABLE.finditer(text)]
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    def inside(self, pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._starts, pos - 1) - 1  # last token starting before pos
        if i >= 0 and self._starts[i] < pos < self._ends[i]:
            return self._starts[i], self._ends[i]
        return None

    def safe(self, pos: int) -> bool:
        return self.inside(pos) is None


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the white space at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def primary_spans(text: str) -> list[tuple[int, int]]:
    """Spans ended by a terminator run or a newline, trimmed, empty ones dropped."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        spans.append(trim_span(text, start, m.end()))
        start = m.end()
    spans.append(trim_span(text, start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _choose_cut(text: str, start: int, limit: int, guard: Guard) -> int:
    """Where to end a piece that must end by `limit`: a marker, a comma, else a safe hard cut."""
    low = start + max(1, (limit - start) // 3)  # no tiny pieces when a better break exists
    window = text[low:limit]
    markers = [low + m.start() for m in INLINE_MARKER.finditer(window) if m.start() > 0]
    markers = [p for p in markers if guard.safe(p)]
    if markers:
        return markers[-1]
    soft = [low + m.end() for m in _SOFT_BREAK.finditer(window)]
    soft = [p for p in soft if guard.safe(p)]
    if soft:
        return soft[-1]
    for pos in range(limit, start, -1):
        if guard.safe(pos):
            return pos
    return limit  # a single number or word longer than the cap: nothing better exists


def split_long(text: str, start: int, end: int, max_chars: int, guard: Guard) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_chars:
        cut = _choose_cut(text, start, start + max_chars, guard)
        s, e = trim_span(text, start, cut)
        if e > s:
            pieces.append((s, e))
        start = trim_span(text, cut, end)[0]
    if end > start:
        pieces.append((start, end))
    return pieces


def split_sentences(text: str, max_chars: int = SENTENCE_MAX_CHARS) -> list[tuple[int, int]]:
    """Sentence spans [start, end) over `text`; gaps between spans are whitespace only."""
    guard = Guard(text)
    out: list[tuple[int, int]] = []
    for s, e in primary_spans(text):
        out.extend(split_long(text, s, e, max_chars, guard) if e - s > max_chars else [(s, e)])
    return out



def clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of `text`, split at , ; : and sentence ends."""
    return [(m.start(), m.end()) for m in CLAUSE_RE.finditer(text) if m.group(0).strip()]


def full_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ending at 。!? or a line break (semicolons inside), untrimmed."""
    out, start = [], 0
    for m in _FULL_END.finditer(text):
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(text)))
    return out
