"""How a meeting text is laid out: what kind of document it is, its title line, a speech's byline and
occasion line, a notice's headed sections, and the lines that carry no content (datelines, bylines).

Works on offsets into the cleaned text so every value read here can be cited verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from huiyi.genre.meetings import MEETING_NOUN
from huiyi.genre.numbers import CN_DIGITS, CN_ORDINAL
from huiyi.genre.outline import LINE_OUTLINE
from huiyi.genre.proceedings import (
    BYLINE,
    DATELINE,
    NOTICE_CLOSERS,
    NOTICE_HEADINGS,
    NOTICE_TITLE,
    OCCASION_LINE,
    REPORTER_PAREN,
    ROLE_NAME_LINE,
    SPEECH_KIND,
)
from huiyi.genre.spans import Span
from huiyi.index.records import Document

HEAD_LINES = 12  # a title, a byline and an occasion line sit within the first lines
_SENTENCE_PUNCT = re.compile(r"[。!?！？;；]")
_MARKER = re.compile(rf"^\s*(?:{CN_ORDINAL}、|[(（][{CN_DIGITS}\d]{{1,3}}[)）]|\d{{1,2}}[.．、](?!\d))\s*")
_LABEL_VALUE = re.compile(r"^(?P<label>[^：:\n]{2,12})[：:]\s*(?P<value>.*)$")
_SPEECH_TITLE = re.compile(r"在(?P<name>[^。!?！？;；,，\n]{2,60}?)上的(?:总结)?(?:讲话|讲评|发言|报告|工作报告|致辞)")
_SALUTATION = re.compile(r"^(?:同志们|各位代表|各位委员|各位|尊敬的)[^\n]{0,20}[:：,，]?$")
_COMMUNIQUE = re.compile(r"公报$|公报[（(]")
_TITLE_WORDS = re.compile(MEETING_NOUN + r"|工作报告|讲话|公报|通知|召开|举行|纪要")


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


@dataclass
class NoticeSection:
    kind: str  # time_place | time | place | attendees | agenda | requirements
    heading: Span  # the heading line (marker included)
    value: Span | None = None  # text after "：" on the heading line
    items: list[Span] = field(default_factory=list)  # the lines under the heading, markers stripped


@dataclass
class Layout:
    kind: str  # notice | release | communique | speech | report
    title: Line | None
    byline: tuple[Span, Span] | None = None  # (role, name) of a speech's speaker line
    occasion: tuple[Span | None, Span] | None = None  # (date, meeting name) of "——…在…上"
    notice: list[NoticeSection] = field(default_factory=list)
    skip: list[tuple[int, int]] = field(default_factory=list)  # title, bylines, datelines: never content

    def skipped(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.skip)

    def section(self, kind: str) -> NoticeSection | None:
        return next((s for s in self.notice if s.kind == kind), None)


def lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        while s < e and text[s] in " \t\u3000\r":
            s += 1
        while e > s and text[e - 1] in " \t\u3000\r":
            e -= 1
        if e > s:
            out.append(Line(s, e, text[s:e]))
        pos += len(raw) + 1
    return out


def _headline(line: Line) -> bool:
    t = line.text
    return (4 <= len(t) <= 80 and not _SENTENCE_PUNCT.search(t) and not t.endswith((":", "：")) and not LINE_OUTLINE.match(t)
            and sum(ch >= "\u4e00" for ch in t) >= 4 and not BYLINE.search(t) and not _SALUTATION.match(t))


def content_start(text: str, start: int, end: int) -> int:
    """Past a dateline ("白沙融媒7月18日讯(记者 杨帆)") at the start of [start, end)."""
    m = DATELINE.match(text, start, end)
    pos = m.end() if m else start
    r = REPORTER_PAREN.match(text, pos, end)
    return r.end() if r else pos


@lru_cache(maxsize=64)
def _layout(doc_id: str, text: str) -> Layout:
    ls = lines(text)
    head = ls[:HEAD_LINES]
    notice_title = next((ln for ln in head[:4] if NOTICE_TITLE.search(ln.text)), None)
    candidates = [ln for ln in head if _headline(ln)]
    # Portal chrome ("云南要闻") also looks like a headline: prefer one that names a meeting or a document kind.
    named = [ln for ln in candidates if _TITLE_WORDS.search(ln.text)]
    title = notice_title or next(iter(named or candidates), None)
    skip = [(ln.start, ln.end) for ln in ls if BYLINE.search(ln.text)]
    if title:
        skip.append((title.start, title.end))
    layout = Layout(kind="release", title=title, skip=skip)
    for ln in head:
        m = ROLE_NAME_LINE.match(ln.text.replace("\u3000", " "))
        if m and layout.byline is None:
            # "韦 韬": the span keeps the space as printed; the summariser joins the name
            layout.byline = (Span(ln.start + m.start("role"), ln.start + m.end("role"), m.group("role"), "role"),
                             Span(ln.start + m.start("name"), ln.start + m.end("name"), m.group("name"), "person"))
            layout.skip.append((ln.start, ln.end))
        o = OCCASION_LINE.match(ln.text)
        if o and layout.occasion is None:
            date = Span(ln.start + o.start("date"), ln.start + o.end("date"), o.group("date"), "date") if o.group("date") else None
            layout.occasion = (date, Span(ln.start + o.start("name"), ln.start + o.end("name"), o.group("name"), "meeting"))
            layout.skip.append((ln.start, ln.end))
    for ln in ls:
        d = DATELINE.match(ln.text)
        if d:
            layout.skip.append((ln.start, ln.start + content_start(ln.text, 0, len(ln.text))))
    layout.kind = _kind(text, head, title, layout)
    if layout.kind == "notice":
        layout.notice = _notice_sections(text, ls)
    return layout


def layout_of(doc: Document) -> Layout:
    return _layout(doc.id, doc.text)


def _kind(text: str, head: list[Line], title: Line | None, layout: Layout) -> str:
    head_text = "\n".join(ln.text for ln in head[:4])
    if NOTICE_TITLE.search(head_text):
        return "notice"
    t = title.text if title else ""
    if _COMMUNIQUE.search(t):
        return "communique"
    opening = text[:200].split("\n", 1)[0] if not t else ""
    speech = _SPEECH_TITLE.search(t) or _SPEECH_TITLE.match(opening) or layout.occasion is not None
    salutation = any(_SALUTATION.match(ln.text) for ln in head)
    if speech or (layout.byline and salutation):
        return "report" if re.search(r"工作报告", t) else "speech"
    if t and SPEECH_KIND.search(t) and salutation:
        return "report" if "工作报告" in t else "speech"
    return "release"


def _notice_sections(text: str, ls: list[Line]) -> list[NoticeSection]:
    """Numbered headings naming a meeting element, with their inline value and the lines under them."""
    out: list[NoticeSection] = []
    current: NoticeSection | None = None
    current_marker = ""
    for ln in ls:
        marker = _MARKER.match(ln.text)
        body_at = ln.start + (marker.end() if marker else 0)
        body = text[body_at:ln.end]
        lv = _LABEL_VALUE.match(body)
        label = (lv.group("label") if lv else body).strip()
        kind = _heading_kind(label)
        if NOTICE_CLOSERS.match(body) and not marker:
            current = None
            continue
        if kind and (marker or lv):
            mkind = _marker_kind(marker.group(0) if marker else "")
            if current is not None and current.kind == "time_place" and not marker and kind in ("time", "place"):
                pass  # "时间:…" under "(一)时间、地点": a field of the open section
            elif marker or current is None:
                current_marker = mkind
            value = None
            if lv and lv.group("value").strip():
                vs = body_at + lv.start("value")
                value = Span(vs, ln.end, text[vs:ln.end], kind)
            section = NoticeSection(kind=kind, heading=Span(ln.start, ln.end, ln.text, "heading"), value=value)
            if current is not None and current.kind == "time_place" and not marker and kind in ("time", "place"):
                out.append(section)  # keep the open section too: its further lines may still follow
                continue
            out.append(section)
            current = section
            continue
        if marker and current is not None and _marker_kind(marker.group(0)) == current_marker:
            current = None  # a sibling heading this reader does not know closes the section
            continue
        if current is not None and current.kind != "time_place":
            current.items.append(Span(body_at, ln.end, body, "item"))
    return out


def _marker_kind(marker: str) -> str:
    m = marker.strip()
    if not m:
        return ""
    if m[0] in "(（":
        return "paren"
    return "cn" if m[0] in CN_DIGITS else "num"


def _heading_kind(label: str) -> str | None:
    label = re.sub(r"[\s。.]", "", label)
    for kind, pattern in NOTICE_HEADINGS:
        if pattern.match(label):
            return kind
    if re.fullmatch(r"(?:会议)?时间[、和及]地点", label):
        return "time_place"
    return None
