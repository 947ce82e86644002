"""Turn a quote an LLM says it copied into a verbatim span of the cleaned document, or nothing.

Models misquote: they drop the space in "5.9 %", swap full-width punctuation, trim a clause or
paraphrase. The rule, in order, within the windows the quote may come from (the cited chunk):
1. the quote occurs exactly;
2. it occurs once whitespace and punctuation are ignored (digits keep their decimal point);
3. it mostly matches one sentence of the window (fuzzy alignment: ≥ MIN_COVERAGE of its characters).
A located span is widened to the whole sentence(s) it touches, so a citation is always a readable
sentence of the report, never a bare "5.9 %". A quote that cannot be located is dropped: the
citation then does not exist, and whatever it was meant to support must stand on other quotes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher

from huiyi.genre.sentences import split_sentences

MIN_COVERAGE = 0.7  # share of the quote's characters the best sentence must contain, in runs of two or more
MIN_FUZZY_CHARS = 6  # shorter quotes must match exactly (after normalisation)
_MARKER = re.compile(r"^\s*\[\d{1,2}\]\s*|\s*\[\d{1,2}\]\s*$")

Window = tuple[int, int]


def _keep(text: str, i: int) -> bool:
    """Characters that carry meaning: letters, digits, CJK, % and a decimal point between digits."""
    ch = text[i]
    if ch.isspace():
        return False
    if ch in ".．":
        return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
    if ch in "%％":
        return True
    return not unicodedata.category(ch).startswith(("P", "S", "Z", "C"))


def normalize(text: str) -> tuple[str, list[int]]:
    """(normalised text, index of each kept character in `text`); widths folded, case folded."""
    chars, where = [], []
    for i in range(len(text)):
        if _keep(text, i):
            chars.append(unicodedata.normalize("NFKC", text[i]).lower()[:1] or text[i])
            where.append(i)
    return "".join(chars), where


def _sentences(text: str, window: Window) -> list[Window]:
    s0, e0 = window
    return [(s0 + s, s0 + e) for s, e in split_sentences(text[s0:e0])]


def _widen(span: Window, sentences: list[Window]) -> Window:
    """The smallest run of whole sentences covering `span` (the span itself when none overlap)."""
    touching = [s for s in sentences if s[0] < span[1] and span[0] < s[1]]
    if not touching:
        return span
    return min(span[0], touching[0][0]), max(span[1], touching[-1][1])


def _exact(text: str, quote: str, window: Window) -> Window | None:
    at = text.find(quote, window[0], window[1])
    return (at, at + len(quote)) if at >= 0 else None


def _normalised(text: str, nq: str, window: Window) -> Window | None:
    nw, where = normalize(text[window[0]:window[1]])
    at = nw.find(nq)
    if at < 0:
        return None
    return window[0] + where[at], window[0] + where[at + len(nq) - 1] + 1


def _coverage(nq: str, ns: str) -> float:
    blocks = SequenceMatcher(None, nq, ns, autojunk=False).get_matching_blocks()
    # Scattered single characters (全, 县, 增…) say nothing about a copy; runs of two or more do.
    return sum(b.size for b in blocks if b.size >= 2) / len(nq)


def _fuzzy(text: str, nq: str, sentences: list[Window]) -> Window | None:
    best, best_score = None, 0.0
    for s, e in sentences:
        ns, _ = normalize(text[s:e])
        if not ns:
            continue
        # Cheap bound first: a sentence sharing too few characters cannot reach the threshold.
        if SequenceMatcher(None, nq, ns, autojunk=False).quick_ratio() * (len(nq) + len(ns)) / 2 < MIN_COVERAGE * len(nq):
            continue
        score = _coverage(nq, ns)
        if score > best_score:
            best, best_score = (s, e), score
    return best if best_score >= MIN_COVERAGE else None


def locate_quote(text: str, quote: str, windows: Sequence[Window], *, anywhere: bool = False,
                 fuzzy: bool = True) -> Window | None:
    """[start, end) of the sentence(s) in `text` that `quote` was copied from, searched in `windows`.

    `anywhere` also accepts an exact or normalised match elsewhere in `text` (summaries cite the
    whole report; answers must cite the numbered source they name). `fuzzy=False` skips step 3,
    so a caller can prefer a verbatim copy in another window over a near miss in this one.
    """
    quote = _MARKER.sub("", (quote or "").strip()).strip("“”\"'‘’「」 ")
    nq, _ = normalize(quote)
    if not nq:
        return None
    windows = [(max(0, s), min(len(text), e)) for s, e in windows if e > s] or ([(0, len(text))] if anywhere else [])
    wide = windows + ([(0, len(text))] if anywhere else [])
    span = next((m for w in wide if (m := _exact(text, quote, w))), None)
    if span is None:
        span = next((m for w in wide if (m := _normalised(text, nq, w))), None)
    if span is not None:
        return _widen(span, _sentences(text, _around(text, span)))
    if not fuzzy or len(nq) < MIN_FUZZY_CHARS:
        return None
    sentences = [s for w in windows for s in _sentences(text, w)]
    return _fuzzy(text, nq, sentences)


def _around(text: str, span: Window, margin: int = 400) -> Window:
    """A stretch around a match to split into sentences (splitting a 300,000-character report is not free)."""
    return max(0, span[0] - margin), min(len(text), span[1] + margin)


def merge_windows(spans: Sequence[Window]) -> list[Window]:
    """Sorted, overlapping windows joined (for searching several chunks of one document)."""
    out: list[Window] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def contains(haystack: str, needle: str) -> bool:
    """`needle` occurs in `haystack` once whitespace, punctuation and widths are ignored."""
    nn, _ = normalize(needle)
    return bool(nn) and nn in normalize(haystack)[0]

