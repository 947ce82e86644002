"""What the LLM summariser asks the model for, and the code that verifies it into MeetingSummary fields.

The model returns values with the sentence each was read from (`quote`); it never gives offsets.
Verification, per entry: the quote is located verbatim in the report (qa.citations), the value is
contained in that quote (whitespace and punctuation aside), every number in it is a stated
(non-placeholder) number of the quote, an indicator's value the report withholds (X, a template
figure) is marked undisclosed and never kept as a number. An entry that fails any check makes
its field fail: `verify_draft` returns the field's name in `rejected` and no value for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from huiyi.cite.locate import contains, locate_quote
from huiyi.cite.models import Citation
from huiyi.genre.dates import find_dates, resolve_year, to_date
from huiyi.genre.numbers import NumberMention, extract_numbers
from huiyi.index.records import Document
from huiyi.summary.models import (
    Attendance,
    DateField,
    Decision,
    Indicator,
    SpeakerEntry,
    TaskGroup,
    TaskItem,
    TextField,
    TextItem,
)

KNOWN_ACTS = ("作工作报告", "讲话", "讲评", "宣读", "作起草说明", "主持", "出席")
KNOWN_DECISIONS = ("审议通过", "表决", "递补", "听取", "选举", "宣读")
PERIOD_LOOKBACK = 300  # a period often opens the sentence before the figure's clause ("上半年,…;…")


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DraftText(_Loose):
    value: str
    quote: str


class DraftDate(_Loose):
    text: str
    quote: str


class DraftSpeaker(_Loose):
    name: str | None = None
    role: str | None = None
    act: str = "讲话"
    quote: str


class DraftAttendance(_Loose):
    members_expected: int | None = None
    members_present: int | None = None
    alternates_expected: int | None = None
    alternates_present: int | None = None
    present_total: int | None = None
    quorum_statement: str | None = None
    attendees_groups: list[str] = Field(default_factory=list)
    quotes: list[str] = Field(default_factory=list)


class DraftIndicator(_Loose):
    name: str
    value: str | None = None
    period: str | None = None
    change: str | None = None
    comparison: list[str] = Field(default_factory=list)
    undisclosed: bool = False
    quote: str


class DraftDecision(_Loose):
    kind: str
    text: str
    quote: str


class DraftItem(_Loose):
    text: str
    quote: str


class DraftTaskGroup(_Loose):
    speaker: str | None = None
    heading: str | None = None
    items: list[DraftItem] = Field(default_factory=list)


class SummaryDraft(_Loose):
    """会议纪要要素, each with the verbatim sentence it was read from."""

    name: DraftText | None = None
    meeting_type: DraftText | None = None
    date: DraftDate | None = None
    place: DraftText | None = None
    region: DraftText | None = None
    host: DraftText | None = None
    speakers: list[DraftSpeaker] = Field(default_factory=list)
    attendance: DraftAttendance | None = None
    indicators: list[DraftIndicator] = Field(default_factory=list)
    decisions: list[DraftDecision] = Field(default_factory=list)
    tasks: list[DraftTaskGroup] = Field(default_factory=list)
    honours: list[DraftItem] = Field(default_factory=list)
    slogans: list[DraftItem] = Field(default_factory=list)

    @classmethod
    def model_json_schema(cls, *args, **kwargs) -> dict:
        # Titles and defaults are a quarter of the schema's tokens and tell a model nothing.
        return _compact(super().model_json_schema(*args, **kwargs))


def _compact(node):
    if isinstance(node, dict):
        return {k: _compact(v) for k, v in node.items() if not (k in ("title", "default") and not isinstance(v, dict))}
    if isinstance(node, list):
        return [_compact(v) for v in node]
    return node


DRAFT_FIELDS = tuple(SummaryDraft.model_fields)


@dataclass
class Verified:
    """Fields that passed (only those the draft filled) and the names of those that did not."""

    fields: dict[str, object] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # field → first reason


class _Fail(Exception):
    pass


class _Checker:
    def __init__(self, doc: Document, windows: Sequence[tuple[int, int]]):
        self.doc = doc
        self.text = doc.text
        self.windows = list(windows)
        self.held = [(p.start, p.end) for p in doc.meta.placeholders]

    def cite(self, quote: str) -> Citation:
        span = locate_quote(self.text, quote, self.windows, anywhere=True)
        if span is None:
            raise _Fail(f"quote not in the report: {quote[:40]!r}")
        s, e = span
        return Citation(doc_id=self.doc.id, title=self.doc.meta.title, quote=self.text[s:e], start=s, end=e, chunk_id="")

    def within(self, value: str | None, c: Citation, what: str) -> None:
        if value and not contains(c.quote, value):
            raise _Fail(f"{what} {value[:40]!r} is not in its quote")

    def stated(self, c: Citation) -> list[NumberMention]:
        """Numbers the quote states as values (placeholders and template figures excluded)."""
        out = []
        for m in extract_numbers(c.quote):
            s, e = c.start + m.start, c.start + m.end
            if not m.placeholder and m.value is not None and not any(a < e and s < b for a, b in self.held):
                out.append(m)
        return out

    def quoted(self, quote: str, value: str, what: str) -> Citation:
        """The quote's citation, once `value` is inside it and states no number the quote does not."""
        c = self.cite(quote)
        self.within(value, c, what)
        self.numbers(value, c, what)
        return c

    def numbers(self, value: str | None, c: Citation, what: str) -> list[NumberMention]:
        """Every number in `value` must be one the quote states; returns the value's mentions."""
        if not value:
            return []
        have = [m.value for m in self.stated(c)]
        mentions = extract_numbers(value)
        for m in mentions:
            if m.placeholder or m.value is None or not any(m.value == h for h in have):
                raise _Fail(f"{what} {m.text} is not a value stated in its quote")
        return mentions


def _text(ch: _Checker, d: DraftText) -> TextField:
    c = ch.quoted(d.quote, d.value, "value")
    return TextField(value=d.value.strip(), citations=[c], source="llm")


def _date(ch: _Checker, d: DraftDate) -> DateField:
    c = ch.cite(d.quote)
    ch.within(d.text, c, "date")
    found = find_dates(d.text)
    iso, inferred = None, False
    if found:
        extra = [r.text for r in ch.doc.removed if r.kind == "source_line"]
        year, inferred = resolve_year(found[0], ch.text, extra)
        iso = to_date(year, found[0])
    return DateField(text=d.text.strip(), iso=iso, year_inferred=inferred, citations=[c], source="llm")


def _speaker(ch: _Checker, d: DraftSpeaker) -> SpeakerEntry:
    if not (d.name or d.role):
        raise _Fail("a speaker with neither name nor role")
    c = ch.cite(d.quote)
    ch.within(d.name, c, "name")
    ch.within(d.role, c, "role")
    if d.act not in KNOWN_ACTS:
        ch.within(d.act, c, "act")
    return SpeakerEntry(name=d.name, role=d.role, act=d.act, citations=[c], source="llm")


def _attendance(ch: _Checker, d: DraftAttendance) -> Attendance:
    cites = [ch.cite(q) for q in d.quotes]
    if not cites:
        raise _Fail("attendance without a quote")
    counts = {k: getattr(d, k) for k in ("members_expected", "members_present", "alternates_expected",
                                         "alternates_present", "present_total")}
    stated = {m.value.value for c in cites for m in ch.stated(c) if m.value is not None and m.value.unit in ("人", "")}
    for name, n in counts.items():
        if n is not None and Decimal(n) not in stated:
            raise _Fail(f"attendance {name}={n} is not a count stated in its quotes")
    for words in [d.quorum_statement, *d.attendees_groups]:
        if words and not any(contains(c.quote, words) for c in cites):
            raise _Fail(f"attendance {words[:30]!r} is not in its quotes")
    return Attendance(**counts, quorum_statement=d.quorum_statement, attendees_groups=d.attendees_groups,
                      citations=cites, source="llm")


def _period_ok(ch: _Checker, period: str, c: Citation) -> bool:
    lo = max(0, c.start - PERIOD_LOOKBACK, ch.text.rfind("\n", 0, c.start) + 1)
    return contains(ch.text[lo:c.end], period)


def _indicator(ch: _Checker, d: DraftIndicator) -> Indicator:
    c = ch.cite(d.quote)
    ch.within(d.name, c, "indicator")
    ch.within(d.value, c, "value")
    ch.within(d.change, c, "change")
    for words in d.comparison:
        ch.within(words, c, "comparison")
    if d.period and not _period_ok(ch, d.period, c):
        raise _Fail(f"period {d.period!r} is not near its quote")
    withheld = _placeholder_value(ch, d.value, c) or _placeholder_value(ch, d.change, c)
    if withheld != d.undisclosed:
        raise _Fail(f"indicator {d.name!r}: undisclosed={d.undisclosed} but the quote says otherwise")
    number = change_number = None
    if not withheld:
        values = ch.numbers(d.value, c, "value")
        changes = ch.numbers(d.change, c, "change")
        number = values[0].value if values else None
        change_number = changes[0].value if changes else None
    return Indicator(name=d.name, value=d.value, number=number, unit=number.unit if number else "", period=d.period,
                     change=d.change, change_number=change_number, comparison=d.comparison, undisclosed=withheld,
                     citations=[c], source="llm")


def _placeholder_value(ch: _Checker, value: str | None, c: Citation) -> bool:
    """The value is written with a placeholder (X) or is a number the report uses as a template figure."""
    if not value:
        return False
    mentions = extract_numbers(value)
    if any(m.placeholder for m in mentions):
        return True
    stated = [m.value for m in ch.stated(c)]
    in_quote = [m.value for m in extract_numbers(c.quote) if m.value is not None]
    return any(m.value in in_quote and m.value not in stated for m in mentions)


def _item(ch: _Checker, d: DraftItem, cls: type) -> TextItem | TaskItem:
    c = ch.quoted(d.quote, d.text, "text")
    return cls(text=d.text.strip(), citations=[c], source="llm")


def _decision(ch: _Checker, d: DraftDecision) -> Decision:
    c = ch.cite(d.quote)
    ch.within(d.text, c, "decision")
    if d.kind not in KNOWN_DECISIONS:
        ch.within(d.kind, c, "kind")
    return Decision(kind=d.kind, text=d.text.strip(), citations=[c], source="llm")


def _task_group(ch: _Checker, d: DraftTaskGroup) -> TaskGroup:
    for label in (d.speaker, d.heading):
        if label and label not in ch.text:
            raise _Fail(f"task label {label[:30]!r} is not in the report")
    items = [_item(ch, i, TaskItem) for i in d.items]
    if not items:
        raise _Fail("a task group without items")
    cites = [c for i in items for c in i.citations]
    return TaskGroup(speaker=d.speaker, heading=d.heading, items=items, citations=cites, source="llm")


_SCALARS: dict[str, Callable] = {"name": _text, "meeting_type": _text, "place": _text, "region": _text,
                                 "host": _text, "date": _date, "attendance": _attendance}
_LISTS: dict[str, Callable] = {
    "speakers": _speaker, "indicators": _indicator, "decisions": _decision, "tasks": _task_group,
    "honours": lambda ch, d: _item(ch, d, TextItem), "slogans": lambda ch, d: _item(ch, d, TextItem),
}


def verify_draft(doc: Document, draft: SummaryDraft, windows: Sequence[tuple[int, int]] = ()) -> Verified:
    """Each field the draft filled, verified whole: one failing entry rejects the field."""
    ch = _Checker(doc, windows)
    out = Verified()
    for name, check in _SCALARS.items():
        value = getattr(draft, name)
        if value is not None:
            try:
                out.fields[name] = check(ch, value)
            except _Fail as exc:
                out.rejected[name] = str(exc)
    for name, check in _LISTS.items():
        entries = getattr(draft, name)
        if entries:
            try:
                out.fields[name] = [check(ch, e) for e in entries]
            except _Fail as exc:
                out.rejected[name] = str(exc)
    return out
