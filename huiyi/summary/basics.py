"""The header of a 纪要: the meeting's name, kind, date, place, region and chair, each cited.

Read in order of authority: a notice's own headings (一、会议时间 二、会议地点), a speech's occasion line
("——二〇二六年一月二十七日在某某会议上"), then the release's meeting sentence ("…会议在某地召开").
"""

from __future__ import annotations

import re

from huiyi.genre import dates
from huiyi.genre.entities import entities
from huiyi.genre.meetings import MEETING_NOUN, REVIEW_WORDS, meeting_type
from huiyi.genre.proceedings import NOTICE_TITLE
from huiyi.genre.spans import Span
from huiyi.index.records import Document
from huiyi.summary.models import DateField, SpeakerEntry, TextField
from huiyi.summary.patterns import cite, find_first, trim
from huiyi.summary.reading import Layout, content_start

HEAD_CHARS = 3000
_HELD = re.compile(
    r"(?P<name>[^,，。;；\n:：]{4,80}?" + MEETING_NOUN + r")(?:[,，]?于[^,，。;；\n]{2,24}?)?(?:在(?P<place>[^,，。;；\n在]{2,30}?))?"
    r"(?:隆重)?(?:召开|举行|开幕)"
)
_CONVENED = re.compile(r"(?:召开|举行)了?(?P<name>[^,，。;；\n]{4,80}?" + MEETING_NOUN + r")(?=[,，。;；\n]|$)")
_TITLE_CONVENED = re.compile(r"(?:召开|举行)(?P<name>[^,，。;；\s]{4,40})")
_PLACE = re.compile(r"在(?P<place>[^,，。;；\n在]{2,30}?)(?:隆重)?(?:召开|举行|开幕)")
_SPEECH = re.compile(r"^(?P<role>[\u4e00-\u9fff、]{0,16}?)(?:同志)?在(?P<name>[^。!?！？;；,，\n]{2,60}?)上的(?:总结)?(?:讲话|讲评|发言|报告|致辞)")
_LEADING_TIME = re.compile(r"^(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日(?:上午|下午|晚上|晚)?[,，]?|^(?:今天|近日|日前|昨天|昨日)[,，]?")
_HOST = re.compile(r"由(?P<host>[^,，。;；由\n]{2,24}?)主持")
_COMMUNIQUE_SUFFIX = re.compile(r"公报$")
_ADMIN = re.compile(r"^(?:中共|中国共产党)?(?P<place>[\u4e00-\u9fff]{2,10}?(?:自治区|省|自治州|市|县|区|旗|镇|乡|街道))")
_LEVEL = {"镇": 0, "乡": 0, "街道": 0, "县": 1, "区": 1, "旗": 1, "市": 2, "州": 2, "自治州": 2, "省": 3, "自治区": 3}
_NOT_PLACE = re.compile(r"^(?:全|各|我|本|该|每|分)")


def _field(doc: Document, start: int, end: int) -> TextField | None:
    span = trim(doc.text, start, end)
    if span.end - span.start < 2:
        return None
    return TextField(value=doc.text[span.start:span.end], citations=[cite(doc, span.start, span.end)])


# ---- name and place -----------------------------------------------------------------------------------
def meeting_name(doc: Document, layout: Layout) -> tuple[TextField | None, TextField | None]:
    """(name, place written in the same sentence)."""
    text = doc.text
    if layout.kind == "notice" and layout.title is not None:
        m = NOTICE_TITLE.search(layout.title.text)
        if m:
            at = layout.title.start + m.start("name")
            return _field(doc, at, at + len(m.group("name"))), None
    if layout.occasion is not None:
        name = layout.occasion[1]
        return _field(doc, name.start, name.end), None
    first_line = text[: text.find("\n")] if "\n" in text else text[:200]
    speech = _SPEECH.match(first_line)
    if speech:  # a speech's title names its meeting; later mentions repeat it
        best = max(_SPEECH.finditer(text[:2000]), key=lambda m: len(m.group("name")), default=speech)
        return _field(doc, best.start("name"), best.end("name")), None
    if layout.kind == "communique" and layout.title is not None:
        t = layout.title
        suffix = _COMMUNIQUE_SUFFIX.search(t.text)
        end = t.start + suffix.start() if suffix else t.end
        return _field(doc, t.start, end), None
    found = _held(doc, layout)
    if found is not None:
        return found
    if layout.title is not None:  # "县委理论学习中心组举行2025年第五次集体学习"
        m = _TITLE_CONVENED.search(layout.title.text)
        if m:
            at = layout.title.start + m.start("name")
            return _field(doc, at, at + len(m.group("name"))), None
    return None, None


def _held(doc: Document, layout: Layout) -> tuple[TextField | None, TextField | None] | None:
    text = doc.text
    skip_title = layout.title.end if layout.title is not None and layout.kind != "release" else 0
    candidates = [m for rx in (_HELD, _CONVENED) for m in rx.finditer(text, skip_title, HEAD_CHARS)]
    candidates = [m for m in candidates if not layout.skipped(m.start("name"), m.end("name"))][:6]
    if not candidates:
        return None
    first = min(candidates, key=lambda c: c.start())
    # The title and the first sentence often both name it; the body's version is the full one.
    body = [c for c in candidates if layout.title is None or c.start() >= layout.title.end]
    m = max(body[:2], key=lambda c: len(c.group("name"))) if body else first
    start = content_start(text, m.start("name"), m.end("name"))
    lead = _LEADING_TIME.match(text, start, m.end("name"))
    start = lead.end() if lead else start
    name = _field(doc, start, m.end("name"))
    if name is None or len(name.value) < 4:
        return None
    place = None
    for c in candidates:
        if "place" in c.groupdict() and c.group("place"):
            place = _field(doc, c.start("place"), c.end("place"))
            break
    return name, place


def meeting_place(doc: Document, layout: Layout, name: TextField | None) -> TextField | None:
    section = layout.section("place")
    if section is not None:
        span = section.value or (section.items[0] if section.items else None)
        if span is not None:
            end = re.search(r"[。；;，,（(]|$", doc.text[span.start:span.end])
            return _field(doc, span.start, span.start + (end.start() if end else span.end - span.start))
    at = name.citations[0].start if name else 0
    for m in _PLACE.finditer(doc.text, max(0, at - 200), min(len(doc.text), at + 600)):
        place = m.group("place")
        if not re.search(MEETING_NOUN + "$", place) and not place.startswith(("全县", "全区", "全市", "全省")):
            return _field(doc, m.start("place"), m.end("place"))
    return None


# ---- kind, date -------------------------------------------------------------------------------------------
def kind_of_meeting(doc: Document, layout: Layout, name: TextField | None) -> TextField | None:
    if layout.kind == "notice" and layout.title is not None:
        at = layout.title.text.rfind("通知")
        return TextField(value="会议通知", citations=[cite(doc, layout.title.start + at, layout.title.start + at + 2)])
    if layout.kind == "report" and layout.title is not None and "工作报告" in layout.title.text:
        t = layout.title
        label = "政府工作报告" if "政府工作报告" in t.text else "工作报告"
        at = t.text.find(label)
        return TextField(value=label, citations=[cite(doc, t.start + at, t.start + at + len(label))])
    for source in (layout.title.text if layout.title else "", name.value if name else ""):
        kind = meeting_type(source)
        if kind == "常委会":
            kind = "常委会会议"  # the kind of meeting a 纪要 names; 常委会 is the body that holds it
        if kind is not None:
            return TextField(value=kind, citations=name.citations if name else [])
    review = REVIEW_WORDS.search(doc.text)
    if review:
        return TextField(value="工作总结", citations=[cite(doc, review.start(), review.end())])
    return None


def meeting_date(doc: Document, layout: Layout, name: TextField | None) -> DateField | None:
    """The meeting's date: a notice's 时间 heading, a speech's occasion line, the meeting sentence, else metadata."""
    text = doc.text
    span: Span | None = None
    section = layout.section("time")
    if section is not None:
        span = section.value or (section.items[0] if section.items else None)
    elif layout.occasion is not None and layout.occasion[0] is not None:
        span = layout.occasion[0]
    if span is not None:
        found = dates.find_dates(text[span.start:span.end])
        if found:
            return _date_field(doc, found[0], span.start)
    if name is not None:  # the meeting sentence: "3月15日,县长某某主持召开…" / "…会议,于2024年12月27日在…举行"
        at = name.citations[0].start
        sent_start = max(text.rfind(c, 0, at) for c in "。\n") + 1
        sent_end = min((i for i in (text.find(c, at) for c in "。\n") if i >= 0), default=len(text))
        found = [d for d in dates.find_dates(text[sent_start:sent_end])
                 if not layout.skipped(sent_start + d.start, sent_start + d.end)]
        if found:
            return _date_field(doc, found[0], sent_start)
    meta = doc.meta
    if not meta.date_text:
        return None
    cited = find_first(doc, meta.date_text)
    if cited is None or layout.skipped(cited.start, cited.end):
        return None
    return DateField(text=meta.date_text, iso=meta.date_iso, year_inferred=meta.year_inferred, citations=[cited])


def _date_field(doc: Document, mention: dates.DateMention, base: int) -> DateField:
    extra = [r.text for r in doc.removed if r.kind == "source_line"]
    year, inferred = dates.resolve_year(mention, doc.text, extra)
    s, e = base + mention.start, base + mention.end
    return DateField(text=mention.text, iso=dates.to_date(year, mention), year_inferred=inferred and year is not None,
                     citations=[cite(doc, s, e)])


# ---- region, host -------------------------------------------------------------------------------------------
def meeting_region(doc: Document, layout: Layout, name: TextField | None) -> TextField | None:
    """The body holding the meeting: the lowest administrative unit named in the title or the meeting sentence."""
    text = doc.text
    windows: list[tuple[int, int]] = []
    if layout.title is not None:
        windows.append((layout.title.start, layout.title.end))
    if name is not None:
        c = name.citations[0]
        windows.append((max(0, c.start - 80), min(len(text), c.end + 60)))
    tail = text.rstrip()[-120:]  # a notice's signature: "青溪县人民政府办公室"
    if layout.kind == "notice":
        windows.append((len(text.rstrip()) - len(tail), len(text.rstrip())))
    for lo, hi in windows:
        best = _lowest_unit(text, lo, hi)
        if best is not None:
            return _field(doc, best[0], best[1])
    if layout.kind == "notice":  # the issuing office on its own line: "青溪县人民政府办公室"
        for line in reversed(text.rstrip().split("\n")[-4:]):
            m = _ADMIN.match(line.strip())
            if m and re.search(r"(?:人民政府|政府|党委|委员会|办公室)", line):
                at = text.rfind(line.strip()) + (m.start("place"))
                return _field(doc, at, at + len(m.group("place")))
    return None


def _lowest_unit(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    found: list[tuple[int, int, int]] = []  # (level, start, end)
    for ent in entities(text[lo:hi], ("LOC", "ORG")):
        m = _ADMIN.match(ent.text)
        if not m or _NOT_PLACE.match(m.group("place")) or len(m.group("place")) < 3:
            continue
        place = m.group("place")
        unit = next(u for u in sorted(_LEVEL, key=len, reverse=True) if place.endswith(u))
        at = lo + ent.start + m.start("place")
        found.append((_LEVEL[unit], at, at + len(place)))
    if not found:
        return None
    level, s, e = min(found, key=lambda f: (f[0], f[1]))
    return s, e


def meeting_host(doc: Document, speakers: list[SpeakerEntry], layout: Layout) -> TextField | None:
    text = doc.text
    for m in _HOST.finditer(text, 0, min(len(text), HEAD_CHARS * 2)):
        if layout.skipped(m.start(), m.end()):
            continue
        s, e = m.start("host"), m.end("host")
        person = [p for p in entities(text[s:e], ("PER",)) if p.end == e - s]
        if person:  # "由区委常委、常务副区长王海燕主持": the chair is the person, the title is their role
            s = s + person[0].start
        return TextField(value=text[s:e], citations=[cite(doc, m.start(), m.end())])
    chair = next((sp for sp in speakers if "主持" in sp.act and sp.name), None)
    if chair:
        return TextField(value=chair.name, citations=chair.citations)
    return None
