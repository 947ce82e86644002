"""Stage 3 of ingest: document metadata (title, meeting type, date, region, speakers, placeholders).

Works on the cleaned text; `removed` (from clean) lets it read the source line's publication
date. Everything here is pattern-based for this genre of report, never keyed to a file.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from huiyi.genre import dates
from huiyi.genre.meetings import MEETING_NOUN, meeting_type
from huiyi.genre.outline import LINE_OUTLINE
from huiyi.genre.people import byline_speakers, find_speakers
from huiyi.genre.places import find_region
from huiyi.index.records import DocumentMeta, Placeholder, Removal, Speaker

_SENTENCE_PUNCT = re.compile(r"[。!?！？;；]")
_BOOK_TITLE = re.compile(r"^《([^》]{4,60})》$")
_SPEECH_TITLE = re.compile(r"^([\u4e00-\u9fff]{0,12}?在[^。!?！？;；,，\n]{2,60}?上的(?:总结讲话|讲话|发言|报告|工作报告|致辞|主持词))")
_SALUTATION = re.compile(r"^(?:同志们|各位|尊敬的)")
_MEETING_HELD = re.compile(
    r"(?:^|(?<=[,，。;；\n]))\s*(?P<name>[^,，。;；\n]{2,80}?" + MEETING_NOUN + r")"
    r"(?:在[^,，。;；\n]{1,30}?)?(?:隆重|胜利)?(?:召开|举行|开幕)"
)
_MEETING_CONVENED = re.compile(r"(?:召开|举行)了?(?P<name>[^,，。;；\n]{2,80}?" + MEETING_NOUN + r")")
_LEADING_DATE = re.compile(r"^(?:(?:19|20)\d{2}\s*年)?\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:上午|下午|晚上|晚)?[,，\s]*")

# Placeholders: a run of Latin X standing for a digit or a name, with its unit or rank word.
_X_VALUE = re.compile(
    r"(?:倒数第|第|前)?(?<![A-Za-z])[XＸ]+(?:[.．][XＸ]+)?(?![A-Za-z]{2})(?!射线|光)"
    r"(?:\s*(?:%|％|个百分点|亿元|万元|元|万亩|亩|万吨|吨|万头|头|万只|只|万人|人|户|家|个|项|位|名|张|件|次|分|倍|档|条|问|大|届|年|月|天))?"
)
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(%|％|个百分点)")
_CHANGE = re.compile(r"(?:下降|降|回落|上升|提高|提升|增长|增加|升|扩大|缩小|收窄|变)[^,，。;；]{0,4}?(?:至|到|为)")


def extract_meta(text: str, source: str, removed: list[Removal] | None = None) -> DocumentMeta:
    """Metadata for a cleaned report; `removed` may carry the source line with the publication date."""
    meeting_name, meeting_span = _meeting_sentence(text)
    title = _title(text, meeting_name, source)
    extra = [r.text for r in removed or [] if r.kind == "source_line"]
    date_text, date_iso, inferred = _meeting_date(text, meeting_span, extra)
    return DocumentMeta(
        title=title,
        meeting_type=meeting_type(title, meeting_name or ""),
        date_text=date_text,
        date_iso=date_iso,
        year_inferred=inferred,
        region=find_region(text),
        speakers=_speakers(text),
        placeholders=find_placeholders(text),
    )


def _speakers(text: str) -> list[Speaker]:
    """The byline's speaker first (a work report's 省长 某某), then people introduced with a role."""
    seen: dict[str, Speaker] = {}
    for name, role in byline_speakers(text) + find_speakers(text):
        seen.setdefault(name, Speaker(name=name, role=role))
    return list(seen.values())


def _title(text: str, meeting_name: str | None, source: str) -> str:
    first = text.strip().split("\n", 1)[0].lstrip("#").strip() if text.strip() else ""  # "# 标题" in .md
    m = _BOOK_TITLE.match(first) or _SPEECH_TITLE.match(first)
    if m:
        return m.group(1)
    if _headline(first):
        return first
    if meeting_name:
        return meeting_name
    return PurePath(source).stem or source


def _headline(line: str) -> bool:
    """A short first line without sentence punctuation that is not an outline item or salutation."""
    return (
        4 <= len(line) <= 60
        and not _SENTENCE_PUNCT.search(line)
        and not LINE_OUTLINE.match(line)
        and not _SALUTATION.match(line)
        and sum(ch.isdigit() for ch in line) < len(line) / 2
    )


def _meeting_sentence(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """The first "…会议召开" / "召开…会议" statement: (meeting name, span of its sentence)."""
    head = text[:3000]
    matches = [m for rx in (_MEETING_HELD, _MEETING_CONVENED) if (m := rx.search(head))]
    if not matches:
        return None, None
    m = min(matches, key=lambda x: x.start("name"))
    name = _LEADING_DATE.sub("", m.group("name").strip())
    start = max(head.rfind(ch, 0, m.start("name")) for ch in "。!?！？\n") + 1
    return name or None, (start, m.end())


def _meeting_date(text: str, span: tuple[int, int] | None, extra: list[str]):
    """(date as written, ISO date, year inferred) for the meeting, else the publication date."""
    mentions = dates.find_dates(text)
    in_sentence = [d for d in mentions if span and span[0] <= d.start < span[1]]
    in_head = [d for d in mentions if d.start < 400]
    candidates = in_sentence or in_head
    pick = candidates[0] if candidates else None
    if pick is None:
        published = [d for line in extra for d in dates.find_dates(line) if d.year]
        if not published:
            return None, None, False
        return published[0].text, dates.to_date(published[0].year, published[0]), False
    year, inferred = dates.resolve_year(pick, text, extra)
    return pick.text, dates.to_date(year, pick), inferred and year is not None


def find_placeholders(text: str) -> list[Placeholder]:
    """Withheld values: X-values (增长X%, 第X, XX大) and template repeats (see `_template_repeats`)."""
    found = [Placeholder(text=m.group(), kind="x_value", start=m.start(), end=m.end()) for m in _X_VALUE.finditer(text)]
    found.extend(_template_repeats(text))
    return sorted(found, key=lambda p: p.start)


def _template_repeats(text: str) -> list[Placeholder]:
    """A figure pasted in as a template rather than reported.

    Rule: within one paragraph, a percentage (or 个百分点) value v is a template when the text
    claims a change from v to the same v ("由上半年的1%下降至前三季度的1%") — a real report never
    does that. Those mentions are flagged; when v also appears at least three times in that
    paragraph, every mention of v there is flagged. A number merely repeated is never flagged.
    """
    out: list[Placeholder] = []
    pos = 0
    for para in text.split("\n"):
        mentions = [(pos + m.start(), pos + m.end(), m.group(1), m.group(2)) for m in _PERCENT.finditer(para)]
        flagged: set[tuple[int, int]] = set()
        for value in _self_compared_values(para, flagged, pos):
            same = [(s, e) for s, e, v, _ in mentions if _same(v, value)]
            if len(same) >= 3:
                flagged.update(same)
        for s, e in sorted(flagged):
            out.append(Placeholder(text=text[s:e], kind="template_repeat", start=s, end=e))
        pos += len(para) + 1
    return out


def _self_compared_values(para: str, flagged: set[tuple[int, int]], offset: int) -> list[str]:
    """Values v in "由…v%…降至…v%" clauses; adds both mentions' spans to `flagged`."""
    values: list[str] = []
    clause_start = 0
    for clause in re.split(r"(?<=[,，。;；])", para):
        origin = re.search(r"[由从]", clause)
        change = _CHANGE.search(clause, origin.end()) if origin else None
        if origin and change:
            before = [m for m in _PERCENT.finditer(clause, origin.end(), change.start())]
            after = [m for m in _PERCENT.finditer(clause, change.end())]
            if before and after and _same(before[-1].group(1), after[0].group(1)) and before[-1].group(2) == after[0].group(2):
                values.append(before[-1].group(1))
                for m in (before[-1], after[0]):
                    flagged.add((offset + clause_start + m.start(), offset + clause_start + m.end()))
        clause_start += len(clause)
    return values


def _same(a: str, b: str) -> bool:
    return float(a) == float(b)
