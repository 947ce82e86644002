"""Sentences, outline sections and chunks over a cleaned report (Document → list[Chunk]).

Chunks are packed from whole sentences, budgeted in cl100k tokens and capped in characters,
start afresh at a new top-level section, and never cut inside a number ("5.9", "6.08亿",
"15.3 %", "2023.07.28"). Reports of this genre often drop their 。 (a web page's <p> breaks
lost in copy-paste), so an over-long "sentence" is split at commas, at an inline outline
marker, or — last resort — at a position that splits no number and no Latin word.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from huiyi.config import Settings
from huiyi.index.records import Chunk, Document
from huiyi.index.tokens import count_tokens

SENTENCE_MAX_CHARS = 200  # longer "sentences" are split; keeps quotes readable and chunks packable
HEADING_MAX_CHARS = 30

# A terminator run, plus the closing quotes/brackets that belong to the sentence it ends.
# "." ends a sentence only before whitespace or the end: "5.9", "A.奋力…", "1.部分…" never.
_BOUNDARY = re.compile(r"(?:[。！？；!?;｡]|\.(?=\s|$))[。！？；!?;｡”’」』）)】》〉]*|\n")
# Numbers (with their units) and Latin words: no cut may fall strictly inside one.
_UNBREAKABLE = re.compile(
    r"[0-9０-９A-Za-z]+(?:[.．,:：/~～\-][0-9０-９A-Za-z]+)*(?:\s?[%％‰])?(?:个百分点|百分点|[亿万千百]+)?"
    r"|百分之[零〇一二两三四五六七八九十百点]+"
)
_SOFT_BREAK = re.compile(r"[，,、：:…—]+")
_CN_NUM = "[一二三四五六七八九十]{1,3}"
# Outline markers by kind; the level of a kind is the order in which kinds first appear.
_MARKERS: dict[str, re.Pattern[str]] = {
    "cn": re.compile(_CN_NUM + "、"),
    "cn_paren": re.compile(rf"[(（]{_CN_NUM}[)）]"),
    "num": re.compile(r"\d{1,2}(?:[.．](?!\d)|、)"),
    "num_paren": re.compile(r"[(（]\d{1,2}[)）]"),
    "bracket": re.compile(r"【[^】\n]{1,12}】"),
    "latin": re.compile(r"[A-H][.．、](?![A-Za-z0-9])"),
    "cn_enum": re.compile(_CN_NUM + r"[是要](?=\S)"),  # 一要… / 一是… : only at a line start
}
_LINE_START_ONLY = {"cn_enum"}
# Outline markers worth splitting an unpunctuated stretch at; not 一、/一是/一要 inside a line,
# which are as often words ("统一、规范", "统一要求", "唯一是") as markers.
_INLINE_MARKER = re.compile(r"[(（][一二三四五六七八九十]{1,3}[)）]|(?<![0-9.．A-Za-z])\d{1,2}[.．、](?=[^\d\s])|【[^】\n]{1,12}】")
_HEADING_STOP = re.compile(r"[。！？；!?;\n]")
_HEADING_SOFT_STOP = re.compile(r"[，,：:]")
# Where a heading lost its line break, the body usually opens with a time or framing adverbial
# ("今年以来,", "二季度,", "与一季度相比,", "在肯定成绩的同时,", "三季度是…"): the heading ends there.
_BODY_OPENER = re.compile(
    r"(?:今年以来|去年以来|年初|年底|上半年|下半年|前三季度|[一二三四]季度|总体来[讲看说]"
    r"|与.{1,6}相比|自.{1,10}以来|在.{1,10}的同时)(?=[，,是])"
)


@dataclass(frozen=True)
class Heading:
    offset: int
    level: int  # 0 = top level
    title: str
    path: str  # "一、… > 1.…"


class _Guard:
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


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _primary_spans(text: str) -> list[tuple[int, int]]:
    """Spans ended by a terminator run or a newline, trimmed, empty ones dropped."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        spans.append(_trim(text, start, m.end()))
        start = m.end()
    spans.append(_trim(text, start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _choose_cut(text: str, start: int, limit: int, guard: _Guard) -> int:
    """Where to end a piece that must end by `limit`: a marker, a comma, else a safe hard cut."""
    low = start + max(1, (limit - start) // 3)  # no tiny pieces when a better break exists
    window = text[low:limit]
    markers = [low + m.start() for m in _INLINE_MARKER.finditer(window) if m.start() > 0]
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


def _split_long(text: str, start: int, end: int, max_chars: int, guard: _Guard) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_chars:
        cut = _choose_cut(text, start, start + max_chars, guard)
        s, e = _trim(text, start, cut)
        if e > s:
            pieces.append((s, e))
        start = _trim(text, cut, end)[0]
    if end > start:
        pieces.append((start, end))
    return pieces


def split_sentences(text: str, max_chars: int = SENTENCE_MAX_CHARS) -> list[tuple[int, int]]:
    """Sentence spans [start, end) over `text`; gaps between spans are whitespace only."""
    guard = _Guard(text)
    out: list[tuple[int, int]] = []
    for s, e in _primary_spans(text):
        out.extend(_split_long(text, s, e, max_chars, guard) if e - s > max_chars else [(s, e)])
    return out


def _heading_title(text: str, start: int, marker_end: int) -> str:
    """Marker plus phrase up to sentence punctuation (or a comma once long enough), capped."""
    cap = min(len(text), start + HEADING_MAX_CHARS)
    stop = _HEADING_STOP.search(text, marker_end, cap)
    end = stop.start() if stop else cap
    soft = _HEADING_SOFT_STOP.search(text, start + 12, end)
    if soft:
        end = soft.start()
    opener = _BODY_OPENER.search(text, marker_end + 4, min(len(text), end + 1))  # +1: its lookahead
    if opener and opener.start() < end:
        end = opener.start()
    return text[start:end].strip()


def _is_line_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\u3000\r")
    return not before or before.endswith("\n")


def _match_marker(text: str, pos: int) -> tuple[str, int] | None:
    line_start = _is_line_start(text, pos)
    for kind, rx in _MARKERS.items():
        m = rx.match(text, pos)
        if m and (line_start or kind not in _LINE_START_ONLY) and m.end() < len(text):
            return kind, m.end()
    return None


def headings(text: str) -> list[Heading]:
    """Outline headings with levels and paths, in text order."""
    kinds: list[str] = []  # first-appearance order decides the level
    stack: list[str] = []
    out: list[Heading] = []
    for start, _ in _primary_spans(text):
        found = _match_marker(text, start)
        if not found:
            continue
        kind, marker_end = found
        if kind not in kinds:
            kinds.append(kind)
        level = min(kinds.index(kind), len(stack))
        title = _heading_title(text, start, marker_end)
        stack = stack[:level] + [title]
        out.append(Heading(start, level, title, " > ".join(stack)))
    return out


def outline_sections(text: str) -> list[tuple[int, str]]:
    """(offset, heading text) for each outline marker at a line start or after a sentence end."""
    return [(h.offset, h.title) for h in headings(text)]


def _fits(text: str, start: int, end: int, budget: int, cap: int) -> bool:
    return end - start <= cap and count_tokens(text[start:end]) <= budget


def _fit_units(text: str, spans: list[tuple[int, int]], budget: int, cap: int) -> list[tuple[int, int]]:
    """Split any sentence that alone exceeds the token budget (dense CJK can, under the char cap)."""
    guard = _Guard(text)
    out: list[tuple[int, int]] = []
    todo = list(reversed(spans))
    while todo:
        s, e = todo.pop()
        if _fits(text, s, e, budget, cap) or e - s <= 1:
            out.append((s, e))
            continue
        shrink = max(1, min(cap, e - s - 1) * budget // max(count_tokens(text[s:e]), 1))
        todo.extend(reversed(_split_long(text, s, e, min(shrink, e - s - 1), guard)))
    return out


@dataclass
class _Packer:
    """Greedy packing of sentence units into chunks, closing at section starts and at the caps."""

    text: str
    units: list[tuple[int, int]]
    budget: int
    cap: int
    overlap: int

    def fits(self, first: int, last: int) -> bool:
        return _fits(self.text, self.units[first][0], self.units[last][1], self.budget, self.cap)

    def overlap_from(self, first: int, last: int, nxt: int) -> int:
        """First unit of the next chunk: up to `overlap` trailing units of [first, last], if they fit."""
        for k in range(min(self.overlap, last - first), 0, -1):
            start = last - k + 1
            small = _fits(self.text, self.units[start][0], self.units[last][1], self.budget // 2, self.cap // 2)
            if small and self.fits(start, nxt):
                return start
        return nxt

    def pack(self, breaks: dict[int, int]) -> list[tuple[int, int]]:
        """Unit index ranges [first, last]; `breaks` maps a unit start offset to its heading level."""
        groups: list[tuple[int, int]] = []
        first: int | None = None
        for i, (start, _) in enumerate(self.units):
            if first is None:
                first = i
                continue
            level = breaks.get(start)
            if level is not None and (level == 0 or self._filled(first, i - 1)):
                groups.append((first, i - 1))  # a new section: no overlap across it
                first = i
            elif not self.fits(first, i):
                groups.append((first, i - 1))
                first = self.overlap_from(first, i - 1, i)
        if first is not None:
            groups.append((first, len(self.units) - 1))
        return groups

    def _filled(self, first: int, last: int) -> bool:
        # A sub-section starts a new chunk only when the current one already holds a fair share.
        span = self.text[self.units[first][0] : self.units[last][1]]
        return len(span) >= self.cap // 4 or count_tokens(span) >= self.budget // 4


def chunk_document(doc: Document, settings: Settings) -> list[Chunk]:
    """Sentence- and outline-aware chunks of `doc.text`; deterministic, offsets into doc.text."""
    text = doc.text
    budget, cap = settings.chunk_tokens, settings.chunk_max_chars
    units = _fit_units(text, split_sentences(text, min(SENTENCE_MAX_CHARS, cap)), budget, cap)
    if not units:
        return []
    heads = headings(text)
    packer = _Packer(text, units, budget, cap, settings.chunk_overlap_sentences)
    groups = packer.pack({h.offset: h.level for h in heads})
    offsets = [h.offset for h in heads]
    chunks = []
    for ord_, (first, last) in enumerate(groups):
        start, end = units[first][0], units[last][1]
        i = bisect.bisect_right(offsets, start) - 1
        body = text[start:end]
        chunks.append(
            Chunk(
                id=f"{doc.id}:{ord_:04d}",
                doc_id=doc.id,
                ord=ord_,
                text=body,
                start=start,
                end=end,
                section=heads[i].path if i >= 0 else "",
                tokens=count_tokens(body),
            )
        )
    return chunks
