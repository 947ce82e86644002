"""Chunks over a cleaned report (Document → list[Chunk]).

Chunks are packed from whole sentences (huiyi.genre.sentences), budgeted in cl100k tokens and capped
in characters, start afresh at a new top-level section (huiyi.genre.outline), and so never cut inside
a number.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from huiyi.config import Settings
from huiyi.genre.outline import headings
from huiyi.genre.sentences import SENTENCE_MAX_CHARS, Guard, split_long, split_sentences
from huiyi.index.records import Chunk, Document
from huiyi.index.tokens import count_tokens


def _fits(text: str, start: int, end: int, budget: int, cap: int) -> bool:
    return end - start <= cap and count_tokens(text[start:end]) <= budget


def _fit_units(text: str, spans: list[tuple[int, int]], budget: int, cap: int) -> list[tuple[int, int]]:
    """Split any sentence that alone exceeds the token budget (dense CJK can, under the char cap)."""
    guard = Guard(text)
    out: list[tuple[int, int]] = []
    todo = list(reversed(spans))
    while todo:
        s, e = todo.pop()
        if _fits(text, s, e, budget, cap) or e - s <= 1:
            out.append((s, e))
            continue
        shrink = max(1, min(cap, e - s - 1) * budget // max(count_tokens(text[s:e]), 1))
        todo.extend(reversed(split_long(text, s, e, min(shrink, e - s - 1), guard)))
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
