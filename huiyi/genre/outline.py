"""Outline markers and headings of a report: 一、 (一) 1. (1) 【镜头一】 A. and 一要…/一是… at a line start.

Levels nest as the markers open and close: a kind already open above closes what was nested under it.
Unnumbered headings on their own line count too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from huiyi.genre.numbers import CN_DIGIT, CN_DIGITS, CN_ORDINAL
from huiyi.genre.periods import PERIOD_WORDS
from huiyi.genre.sentences import primary_spans

HEADING_MAX_CHARS = 30
_CN_NUM = CN_ORDINAL
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
# An outline marker opening a line (a heading, not a title or a salutation).
LINE_OUTLINE = re.compile(rf"^(?:{CN_DIGIT}+、|[（(][{CN_DIGITS}\d]+[)）]|\d+[.、．]|【|[A-Z][.．])")
# Item markers of a list of demands: 1. / 一、 / (一) / X. (a withheld number)
ITEM_MARKER = rf"(?:[0-9X]{{1,2}}[.．、]|{CN_DIGIT}、|[(（][{CN_DIGITS}\d]{{1,2}}[)）])"
ENUMERATION = re.compile(rf"({CN_DIGIT})要")  # 一要…二要…
_HEADING_STOP = re.compile(r"[。！？；!?;\n]")
_HEADING_SOFT_STOP = re.compile(r"[，,：:]")
# Where a heading lost its line break, the body usually opens with a time or framing adverbial
# ("今年以来,", "二季度,", "与一季度相比,", "在肯定成绩的同时,", "三季度是…"): the heading ends there.
_BODY_OPENER = re.compile(
    r"(?:今年以来|去年以来|年初|年底|" + PERIOD_WORDS + r"|总体来[讲看说]"
    r"|与.{1,6}相比|自.{1,10}以来|在.{1,10}的同时)(?=[，,是])"
)


@dataclass(frozen=True)
class Heading:
    offset: int
    level: int  # 0 = top level
    title: str
    path: str  # "一、… > 1.…"


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


# An unnumbered heading on its own line ("2026年重点工作", "“十四五”时期工作回顾"): short, no sentence or clause
# punctuation, followed by a longer line of body text; never the document's first line (its title).
_PLAIN_HEADING = re.compile(r"[^\n。！？；;，,：:、!?]{4,24}")
_PLAIN_BODY_MIN = 40  # characters of the line after a plain heading


def _plain_headings(text: str) -> dict[int, int]:
    """Start -> end of each unnumbered heading line."""
    out: dict[int, int] = {}
    pos, first = 0, True
    lines = text.split("\n")
    for i, line in enumerate(lines):
        start, stripped = pos, line.strip()
        pos += len(line) + 1
        if not stripped:
            continue
        if first:
            first = False
            continue
        nxt = next((x.strip() for x in lines[i + 1:] if x.strip()), "")
        if (_PLAIN_HEADING.fullmatch(stripped) and len(re.findall(r"[\u4e00-\u9fff]", stripped)) >= 4
                and len(nxt) >= _PLAIN_BODY_MIN and not _match_marker(text, start + line.find(stripped))):
            at = start + line.find(stripped)
            out[at] = at + len(stripped)
    return out


def headings(text: str) -> list[Heading]:
    """Outline headings with levels and paths, in text order. A marker kind already open above closes what
    was nested under it ((二) after (一)'s 1. 2. is (一)'s sibling); a new kind nests under the open ones."""
    stack: list[tuple[str, str]] = []  # (kind, title) of the open headings, outermost first
    out: list[Heading] = []
    plain = _plain_headings(text)
    starts = sorted({s for s, _ in primary_spans(text)} | set(plain))
    for start in starts:
        found = ("plain", start) if start in plain else _match_marker(text, start)
        if not found:
            continue
        kind, marker_end = found
        open_kinds = [k for k, _ in stack]
        level = open_kinds.index(kind) if kind in open_kinds else len(stack)
        title = text[start:plain[start]] if kind == "plain" else _heading_title(text, start, marker_end)
        stack = stack[:level] + [(kind, title)]
        out.append(Heading(start, level, title, " > ".join(t for _, t in stack)))
    return out


def outline_sections(text: str) -> list[tuple[int, str]]:
    """(offset, heading text) for each outline marker at a line start or after a sentence end."""
    return [(h.offset, h.title) for h in headings(text)]
