"""A span of text: [start, end) offsets into the string it was found in, and what it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str = ""
    kind: str = ""  # person | org | place | date | list | slogan | clause | number | … ("" when only offsets matter)
