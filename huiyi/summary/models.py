"""The meeting summary (会议纪要要素): every field carries the verbatim citations it was taken from.

Shape rule: a field the summariser could not find stays empty (None / []) and its name is listed in
`MeetingSummary.not_found`; nothing is ever filled in by guess.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from huiyi.cite.models import Citation
from huiyi.genre.numbers import NumberValue

Source = Literal["offline", "llm"]

# Field names as they appear in `not_found` and in `sources`; the order is the render order.
SCALAR_FIELDS = ("name", "meeting_type", "date", "place", "region", "host")
LIST_FIELDS = (
    "speakers",
    "attendance",
    "indicators",
    "decisions",
    "tasks",
    "honours",
    "slogans",
    "placeholders",
    "key_sentences",
)


class Cited(BaseModel):
    """Base of every summary field: where it was read, and which summariser produced it."""

    citations: list[Citation] = Field(default_factory=list)
    source: Source = "offline"


class TextField(Cited):
    value: str  # as written in the report


class DateField(Cited):
    text: str  # as written, e.g. "9月13日上午"
    iso: dt.date | None = None  # derived where the year is known
    year_inferred: bool = False  # True when the year was not written next to the date


class SpeakerEntry(Cited):
    name: str | None = None  # None when the report names only the office (县长在…上的讲话)
    role: str | None = None  # 县委副书记、县长
    act: str = "讲话"  # 作工作报告、讲话 | 讲评 | 宣读 | 作起草说明 | 主持 | 出席 …, joined with "、"
    topic: str | None = None  # what the act was about, as written (就…作讲评 → …)


class Attendance(Cited):
    members_expected: int | None = None  # 委员应到
    members_present: int | None = None  # 委员实到
    alternates_expected: int | None = None  # 候补委员应到
    alternates_present: int | None = None  # 候补委员实到
    present_total: int | None = None  # 实到 when the text does not say which group it counts
    quorum_statement: str | None = None  # 符合规定人数
    attendees_groups: list[str] = Field(default_factory=list)  # 列席/参加/参会 groups, as written
    attendees_verbs: list[str] = Field(default_factory=list)  # per group: 列席 | 参加 | 参会 (a notice's list)
    leaders_present: list[str] = Field(default_factory=list)  # 出席/参加/主席台就座 names, as written

    def is_empty(self) -> bool:
        counts = (self.members_expected, self.members_present, self.alternates_expected, self.alternates_present, self.present_total)
        return all(c is None for c in counts) and not (self.quorum_statement or self.attendees_groups or self.leaders_present)


class Indicator(Cited):
    name: str  # as written, e.g. "地区生产总值(GDP)"
    value: str | None = None  # the level as written ("120.5亿元"), or the rate when only a rate is given
    number: NumberValue | None = None  # normalised `value`; None when undisclosed
    unit: str = ""
    period: str | None = None  # 上半年, 前三季度, 1—11月 …
    change: str | None = None  # the rate with its verb as written ("增长5.7%")
    change_number: NumberValue | None = None
    comparison: list[str] = Field(default_factory=list)  # 排名全市第二, 高于全市6.5个百分点 …
    undisclosed: bool = False  # the figure is a placeholder (X, template value): never a fact
    target: bool = False  # a goal the meeting sets (力争/确保/预期目标), not a result


class Decision(Cited):
    kind: str  # 审议通过 | 表决 | 递补 | 听取 | 选举 …
    text: str  # the item decided, as written


class TaskItem(Cited):
    text: str


class TaskGroup(Cited):
    speaker: str | None = None  # name, or the role when the name is not given
    heading: str | None = None  # 做到“三抓” / 要突出五个比 …
    items: list[TaskItem] = Field(default_factory=list)


class TextItem(Cited):
    text: str


class PlaceholderEntry(Cited):
    text: str  # the withheld value as written ("增长X%", "1%")
    kind: str  # x_value | template_repeat
    indicator: str | None = None  # the indicator it stands for, when known


class ProsePart(BaseModel):
    """One piece of a 纪要 sentence: a fixed connecting phrase (no offsets) or a span quoted from the report."""

    text: str
    start: int | None = None  # offsets into the cleaned text when quoted; None for a fixed phrase
    end: int | None = None

    @property
    def quoted(self) -> bool:
        return self.start is not None


class ProseSentence(Cited):
    """A 纪要 sentence: fixed phrases ("会议强调,") joined to verbatim or trimmed spans of the report."""

    parts: list[ProsePart] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts)


MinutesKey = Literal["opening", "heard", "considered", "stressed", "required", "decided", "agenda", "arrangements"]


class MinutesSection(BaseModel):
    key: MinutesKey
    heading: str  # 会议听取的情况, 会议要求 …
    sentences: list[ProseSentence] = Field(default_factory=list)


DocumentKind = Literal["notice", "release", "communique", "speech", "report"]


class MeetingSummary(BaseModel):
    doc_id: str
    title: str
    kind: DocumentKind = "release"  # 会议通知 | 会议新闻稿 | 全会公报 | 讲话 | 工作报告
    name: TextField | None = None  # 会议名称
    meeting_type: TextField | None = None  # 全会, 常委会, 经济运行分析会, 讲评会, 例会, 碰头会, 工作总结 …
    date: DateField | None = None
    place: TextField | None = None
    region: TextField | None = None  # organiser / region, 某某县 …
    host: TextField | None = None  # 主持
    speakers: list[SpeakerEntry] = Field(default_factory=list)
    attendance: Attendance = Field(default_factory=Attendance)
    indicators: list[Indicator] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    tasks: list[TaskGroup] = Field(default_factory=list)
    honours: list[TextItem] = Field(default_factory=list)
    slogans: list[TextItem] = Field(default_factory=list)
    placeholders: list[PlaceholderEntry] = Field(default_factory=list)
    placeholder_count: int = 0  # all withheld values, even when `placeholders` is capped
    key_sentences: list[TextItem] = Field(default_factory=list)
    minutes: list[MinutesSection] = Field(default_factory=list)  # 纪要 prose, every sentence traceable
    minutes_source: Source = "offline"
    not_found: list[str] = Field(default_factory=list)
    mode: Literal["offline", "llm", "mixed"] = "offline"
    sources: dict[str, Source] = Field(default_factory=dict)  # field → which summariser filled it
    truncated: list[str] = Field(default_factory=list)  # list fields cut at their cap
    fallback: str | None = None  # why (some) fields came from the offline extraction in LLM mode

    def missing_fields(self) -> list[str]:
        """Names of the fields that hold nothing, in render order."""
        missing = [f for f in SCALAR_FIELDS if getattr(self, f) is None]
        for f in LIST_FIELDS:
            value = getattr(self, f)
            if (f == "attendance" and value.is_empty()) or (f != "attendance" and not value):
                missing.append(f)
        return missing
