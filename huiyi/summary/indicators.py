"""Indicator clauses of a report ("GDP增长6.2 %", "完成地方收入3.15亿元", "排名全市第二") and the
cross-report view of one indicator across every stored report.

A figure that is a placeholder (增长X%, or a template value the metadata flagged) is kept as written
and marked undisclosed: it never becomes a number.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterable

from pydantic import BaseModel

from huiyi.cite.models import Citation
from huiyi.genre.numbers import TIME_UNITS, NumberMention, NumberValue, extract_numbers
from huiyi.genre.periods import FRAMING_YEAR_RE, PERIOD_PHRASE_RE, PLAN_PERIOD_RE
from huiyi.genre.spans import Span
from huiyi.genre.vocabulary import INDICATOR_LEAD, find_indicators, indicator
from huiyi.index.records import Document
from huiyi.summary.models import Indicator, PlaceholderEntry
from huiyi.summary.patterns import cite, clauses, sentences

# Units that measure time or are bare counts of nothing: "剩余2个月" is not an indicator.
_SKIP_UNITS = {"", *TIME_UNITS}
_CHANGE_VERB = re.compile(
    r"(?:同比|比上年|比去年同期|较去年同期)?(?:负增长|增长|下降|回落|上升|提升|提高|增加|减少|增幅(?:仅)?为?|增速(?:为|达)?|降幅为?|涨幅为?)\s*$"
    r"|(?:下降|降|上升|升|回落|提高|增长)至[^,，;；]{0,8}?的?\s*$"
)
_COMPARE = re.compile(r"(?:高于|低于|快于|慢于|超过|超出|落后于?|领先|较|比(?![重例率])|与)[^,，;；]{0,14}$")
_RANK_VERB = re.compile(r"(?:排名|排在|排|列|位列|位居|居|名列|跃居|跃升)[^,，;；]{0,10}$")
_TAIL = re.compile(r"(?:完成|实现|达到|达|为|共|累计|方面|分别|的|也|已|超|约|近|增幅|增速|差|中|，|,|、|:|：|\s)+$")
# A demand or target ("要…", "力争…", "确保…") earlier in the sentence: its figures are not results.
_DEMAND = re.compile(r"(?:^|[,，;；:：])(?:[^,，;；:：]{0,12}?(?<![主重需只紧])要(?![素点闻求])|必须|力争|确保|务必)")
_TARGET = re.compile(r"预期目标|目标(?:是|为)|目标任务是|计划(?:完成|实现)|将兑现|力争|确保")
_HEADING_LINE = re.compile(r"^[^。！？!?；;]{2,40}$")
_CUT = re.compile(r"由|从|较|比|与")
# A bare verb is not a name: "明确23项改革事项" names its count after the number.
_BARE_VERB = re.compile(r"^(?:明确|确定|建立|实施|开展|组建|新建|开工建设|引进|争取|签约|收集|解决|已解决|整合|创建|培育|打造|举办|接待|排查整顿|下达)$")
_ATTENDANCE = re.compile(r"应到|实到|应出席|实际出席")
_NAME_OK = re.compile(r"[\u4e00-\u9fffA-Za-z]")
MAX_NAME = 24


class _Draft:
    """An indicator being assembled from the clauses of one sentence."""

    def __init__(self, name: str, start: int, period: str | None):
        self.ind = Indicator(name=name, period=period)
        self.start, self.end = start, start

    def add(self, kind: str, text: str, m: NumberMention, placeholder: bool, end: int) -> None:
        ind = self.ind
        if placeholder:
            if ind.number is not None or ind.change_number is not None:
                return  # "完成4.65亿元,增长X%": the stated level stands; the withheld rate is listed as a placeholder
            ind.undisclosed = True
        if kind == "change" and ind.change is None:
            ind.change, ind.change_number = text, None if placeholder else m.value
        elif kind == "value" and ind.value is None:
            ind.value, ind.number, ind.unit = text, None if placeholder else m.value, m.unit
        else:
            ind.comparison.append(text)
        self.end = max(self.end, end)

    def finish(self, doc: Document) -> Indicator:
        ind = self.ind
        if ind.value is None and ind.change is not None:  # a rate alone is the headline figure
            ind.number, ind.unit = ind.change_number, "%" if ind.change_number is None else ind.change_number.unit
        if ind.number is None and ind.value is None and ind.change is None:
            ind.unit = "位" if any("第" in c for c in ind.comparison) else ""
        ind.citations = [cite(doc, self.start, self.end)]
        return ind


def _placeholder_spans(doc: Document) -> list[tuple[int, int]]:
    return sorted((p.start, p.end) for p in doc.meta.placeholders)


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Whether [s, e) overlaps any of the sorted, non-nested `spans` (binary search)."""
    i = bisect.bisect_left(spans, (e, e)) - 1
    return i >= 0 and spans[i][1] > s


def _is_placeholder(m: NumberMention, base: int, spans: list[tuple[int, int]]) -> bool:
    return m.placeholder or _overlaps(spans, base + m.start, base + m.end)


def _period_before(text: str, sent: Span, pos: int) -> str | None:
    """The last period phrase before `pos` in the sentence, ignoring comparison bases (较上半年)."""
    found = None
    for m in PERIOD_PHRASE_RE.finditer(text, sent.start, pos):
        if not re.search(r"(?:较|比|由|与|同比)\S{0,1}$", text[max(sent.start, m.start() - 2) : m.start()]):
            found = m.group(0)
    return found


def _classify(prefix: str, m: NumberMention) -> tuple[str, int]:
    """(kind, where the verb phrase starts in `prefix`) for the number after `prefix`."""
    if m.kind == "rank":
        r = _RANK_VERB.search(prefix) or re.search(r"全[市省国县区][^,，;；]{0,8}$|倒数$", prefix)
        return "rank", r.start() if r else len(prefix)
    v = _CHANGE_VERB.search(prefix)
    if v and re.match(r"同比|比上年|比去年|较去年同期", v.group(0)):
        return "change", v.start()
    c = _COMPARE.search(prefix)
    if c:
        return "compare", c.start()
    if m.unit == "个百分点":
        return "compare", v.start() if v else len(prefix)
    if v:
        return "change", v.start()
    return "value", len(prefix)


def _clean_name(raw: str) -> str:
    name = INDICATOR_LEAD.sub("", raw)
    terms = find_indicators(name) if len(name) > 12 else []
    if terms:  # unpunctuated text runs into the name: start it at the last indicator term
        name = name[terms[-1][2] :]
    name = _CUT.split(name)[0] if _CUT.search(name[1:]) else name
    name = _TAIL.sub("", PERIOD_PHRASE_RE.sub("", name, count=1) if PERIOD_PHRASE_RE.match(name) else name)
    return INDICATOR_LEAD.sub("", name)[-MAX_NAME:].strip()


def _name_ok(name: str) -> bool:
    return 2 <= len(name) <= MAX_NAME and bool(_NAME_OK.search(name)) and "、" not in name and not name.endswith("等")


def _suffix_name(text: str, pos: int, end: int) -> str:
    """A noun phrase written after the number: "23项改革事项" → "改革事项"."""
    m = re.match(r"[“\"]?[\u4e00-\u9fff]{2,12}", text[pos:end])
    return m.group(0).lstrip("“\"") if m else ""


def _usable(m: NumberMention, placeholder: bool) -> bool:
    """Figures worth reading: Arabic digits (Chinese numerals here are names: 八张报表), ranks, X-values with a unit."""
    if placeholder:
        return m.unit not in _SKIP_UNITS or m.kind == "rank"
    if m.kind == "rank":
        return True
    return m.unit not in _SKIP_UNITS and (m.text.lstrip("+-")[:1].isdigit() or m.text.startswith("百分之"))


class _Reader:
    """Reads the indicators of one sentence, clause by clause, keeping the indicator being built."""

    def __init__(self, doc: Document, sent: Span, spans: list[tuple[int, int]], context=None):
        self.doc, self.text, self.sent, self.spans = doc, doc.text, sent, spans
        self.context = context  # offset -> the period framing that paragraph, or None
        self.out: list[Indicator] = []
        self.withheld: list[tuple[int, int]] = []  # X-values seen, in document offsets
        self.draft: _Draft | None = None

    def run(self) -> list[Indicator]:
        text, sent = self.text, self.sent
        mentions = [m for m in extract_numbers(text[sent.start : sent.end]) if m.kind != "date"]
        self.withheld = [(sent.start + m.start, sent.start + m.end) for m in mentions if m.placeholder]
        for cl in clauses(text, sent):
            pos = cl.start
            for m in (m for m in mentions if cl.start <= sent.start + m.start < cl.end):
                pos = self.take(cl, m, pos)
            if text[cl.start : cl.end].endswith("方面"):  # "地区生产总值方面,二季度增长X%"
                self.start_draft(_clean_name(text[pos : cl.end]), pos, cl.end)
        self.flush()
        return self.out

    def flush(self) -> None:
        d = self.draft
        if d is not None and (d.ind.value or d.ind.change or d.ind.comparison):
            self.out.append(d.finish(self.doc))
        self.draft = None

    def start_draft(self, name: str, lo: int, hi: int, target: bool = False) -> None:
        if _name_ok(name):
            self.flush()
            at = self.text.find(name, lo, hi)
            period = _period_before(self.text, self.sent, hi) or self.frame(hi)
            self.draft = _Draft(name, at if at >= 0 else lo, period)
            self.draft.ind.target = target

    def frame(self, pos: int) -> str | None:
        """The period a figure without one inherits: a year earlier in its sentence, else its paragraph's or heading's."""
        years = [m for m in FRAMING_YEAR_RE.finditer(self.text, self.sent.start, pos)]
        if years:
            return years[-1].group(0)
        return self.context(self.sent.start) if self.context else None

    def take(self, cl: Span, m: NumberMention, pos: int) -> int:
        """Attach one number to its indicator; returns where the next number's prefix starts."""
        text, start, end = self.text, self.sent.start + m.start, self.sent.start + m.end
        placeholder = _is_placeholder(m, self.sent.start, self.spans)
        if not _usable(m, placeholder):
            return pos  # its words still name the next figure ("“500强”项目4个")
        target = bool(_TARGET.search(text, self.sent.start, start))
        if not target and _DEMAND.search(text[self.sent.start : start]):
            return end  # "要攻产业项目,紧盯第一批84个…": a demand's figures are neither results nor stated goals
        if target and m.kind == "rank":
            return end  # "力争…居五城区首位": a hoped-for rank is no figure
        prefix = text[pos:start]
        kind, verb_at = _classify(prefix, m)
        name = _clean_name(prefix[:verb_at])
        if not name and kind == "value" and (self.draft is None or self.draft.ind.value is not None):
            name = _suffix_name(text, end, cl.end)
        elif _BARE_VERB.match(name):
            name = _suffix_name(text, end, cl.end) or name
        if name and (self.draft is None or name != self.draft.ind.name or self.draft.ind.target != target):
            self.start_draft(name, pos, start, target)
        elif self.draft is not None and self.draft.ind.target != target:
            self.start_draft(self.draft.ind.name, pos, start, target)
        if self.draft is None:
            return end
        written = text[start:end] if kind == "value" else text[pos + verb_at : end].strip()
        self.draft.add("compare" if kind == "rank" else kind, written, m, placeholder, end)
        return end


class _Frames:
    """The period each paragraph is framed by: its opening sentence's period or year ("刚刚过去的2025年,…"),
    else the last heading line before it that names a year or a plan period ("2026年重点工作", "“十四五”时期…")."""

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] = []
        self.frames: list[str | None] = []
        heading: str | None = None
        pos = 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped and _HEADING_LINE.match(stripped):
                found = _frame_of(stripped)
                if found or len(stripped) <= 24:
                    heading = found  # a heading without a period ends the previous heading's scope
                self.starts.append(pos)
                self.frames.append(heading)
            elif stripped:
                opening = stripped[:40]
                year = PLAN_PERIOD_RE.search(opening) or FRAMING_YEAR_RE.search(opening)
                if year:  # "各位代表!刚刚过去的2025年,是…": the paragraph frames what follows too
                    heading = year.group(0)
                first = re.split(r"[。！？!?]", stripped, maxsplit=1)[0]
                self.starts.append(pos)
                self.frames.append(_frame_of(first[:60]) or heading)
            pos += len(line) + 1

    def __call__(self, pos: int) -> str | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.frames[i] if i >= 0 else None


def _frame_of(text: str) -> str | None:
    m = PLAN_PERIOD_RE.search(text) or FRAMING_YEAR_RE.search(text)
    if m:
        return m.group(0)
    p = PERIOD_PHRASE_RE.search(text)
    return p.group(0) if p else None


def extract_indicators(doc: Document) -> list[Indicator]:
    """Every indicator clause of the report, in text order."""
    return scan_figures(doc)[0]


def scan_figures(doc: Document) -> tuple[list[Indicator], list[tuple[int, int]]]:
    """(indicators, spans of X-values) in one pass over the sentences."""
    spans = _placeholder_spans(doc)
    out: list[Indicator] = []
    withheld: list[tuple[int, int]] = []
    context = _Frames(doc.text)
    for sent in sentences(doc.text):
        reader = _Reader(doc, sent, spans, context)
        if _ATTENDANCE.search(doc.text, sent.start, sent.end):  # 应到30人 is attendance, not an indicator
            reader.run = lambda: []  # type: ignore[method-assign]
            withheld += [(sent.start + m.start, sent.start + m.end) for m in extract_numbers(doc.text[sent.start:sent.end]) if m.placeholder]
        out.extend(reader.run())
        withheld += reader.withheld
    return out, withheld


def placeholder_entries(
    doc: Document, indicators: list[Indicator], cap: int, withheld: list[tuple[int, int]] | None = None
) -> tuple[list[PlaceholderEntry], int]:
    """Withheld values (meta placeholders and X-numbers), tagged with the indicator they stand for."""
    found: dict[tuple[int, int], str] = {(p.start, p.end): p.kind for p in doc.meta.placeholders}
    meta_spans = sorted(found)
    for s, e in withheld if withheld is not None else scan_figures(doc)[1]:
        if not _overlaps(meta_spans, s, e):
            found[(s, e)] = "x_value"
    owners = sorted((c.start, c.end, ind.name) for ind in indicators if ind.undisclosed for c in ind.citations)
    starts = [o[0] for o in owners]
    entries = []
    for (s, e), kind in sorted(found.items())[:cap]:
        i = bisect.bisect_right(starts, s) - 1
        name = owners[i][2] if i >= 0 and e <= owners[i][1] else None
        lo = max(0, s - 12)
        entries.append(PlaceholderEntry(text=doc.text[s:e], kind=kind, indicator=name, citations=[cite(doc, lo, e)]))
    return entries, len(found)


# ---- cross-report view ------------------------------------------------------------------------
_RELATED = {"local_revenue": "budget_revenue"}  # 地方收入 is reported as the 一般公共预算收入 of the county


class IndicatorRow(BaseModel):
    region: str | None
    name: str
    period: str | None
    value: str | None
    unit: str
    change: str | None
    comparison: list[str]
    undisclosed: bool
    number: NumberValue | None
    doc_id: str
    title: str
    date: dt.date | None
    citation: Citation


def _key_of(name: str) -> str | None:
    found = find_indicators(name)
    if not found:
        return None
    key = max(found, key=lambda f: len(f[1]))[0]
    return _RELATED.get(key, key)


def resolve_indicator(name: str) -> str:
    """The canonical name of an indicator ("GDP" → "地区生产总值"), or the name itself when unknown."""
    key = _key_of(name.strip())
    return indicator(key).terms[0] if key else name.strip()


def _matches(query: str, query_key: str | None, name: str) -> bool:
    key = _key_of(name)
    if query_key is not None and key is not None:
        return key == query_key or indicator(key).parent == query_key
    return query.replace(" ", "") in name


def indicator_rows(
    docs: Iterable[Document],
    name: str,
    region: str | None = None,
    extract: Callable[[Document], list[Indicator]] = extract_indicators,
) -> list[IndicatorRow]:
    """Every report's value for one indicator (synonyms resolved), oldest report first.

    `extract` lets the service pass a cached extraction (keyed by content hash)."""
    query = name.strip()
    query_key = _key_of(query)
    rows: list[IndicatorRow] = []
    for doc in docs:
        doc_region = doc.meta.region
        if region and not (doc_region and (region in doc_region or doc_region in region)):
            continue
        for ind in extract(doc):
            if _matches(query, query_key, ind.name):
                rows.append(_row(doc, ind))
    rows.sort(key=lambda r: (r.date or dt.date.max, r.doc_id, r.citation.start))
    return rows


def _row(doc: Document, ind: Indicator) -> IndicatorRow:
    return IndicatorRow(
        region=doc.meta.region, name=ind.name, period=ind.period, value=ind.value, unit=ind.unit,
        change=ind.change, comparison=ind.comparison, undisclosed=ind.undisclosed, number=ind.number,
        doc_id=doc.id, title=doc.meta.title, date=doc.meta.date_iso, citation=ind.citations[0],
    )
