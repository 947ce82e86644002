"""纪要 prose, extractive and grounded: 会议听取了…/会议认为…/会议强调…/会议要求…/会议决定… built from the
report's own sentences.

Every sentence is a run of parts: a fixed connecting phrase from `FIXED_PHRASES` (no offsets) or a span of the
cleaned text (verbatim, or trimmed at a clause boundary). Nothing else is ever written, so a sentence minus its
fixed phrases is always the report's own words, and every number in it is a number the report states. Spans that
hold a placeholder (增长X%, a template figure) are cut before the clause that holds it, or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from huiyi.genre.numbers import CN_DIGIT, CN_ORDINAL
from huiyi.genre.proceedings import (
    MEETING_SUBJECT,
    NOTHING_MORE,
    PROCEEDING_OPENER,
    PROCEEDING_VERBS,
    SECTION_OF_VERB,
    SPEAKER_VERBS,
    WORK_AHEAD,
)
from huiyi.genre.spans import Span
from huiyi.index.records import Document
from huiyi.summary.models import MeetingSummary, MinutesSection, ProsePart, ProseSentence
from huiyi.summary.patterns import cite, outline, sentences, trim
from huiyi.summary.reading import Layout, content_start

MAX_BODY = 160  # characters of report text in one 纪要 sentence; longer ones are cut at a clause boundary
MIN_BODY = 6
CAPS = {"opening": 1, "heard": 6, "considered": 4, "stressed": 4, "required": 5, "decided": 6, "agenda": 8, "arrangements": 8}
HEADINGS = {
    "opening": "会议概况",
    "heard": "听取和研究的事项",
    "considered": "形势和工作评价",
    "stressed": "强调事项",
    "required": "工作要求",
    "decided": "议定事项",
    "agenda": "会议议程",
    "arrangements": "会务要求",
}
ORDER = ("opening", "heard", "considered", "stressed", "required", "decided", "agenda", "arrangements")

# The closed list of connecting phrases. "会议" + each verb the genre opens a proceedings sentence with.
_LEADS = {f"会议{verb}{sep}" for verbs in PROCEEDING_VERBS.values() for verb in verbs for sep in ("", ",")}
FIXED_PHRASES: frozenset[str] = frozenset(_LEADS | {
    "。", ",", "；", "、", "会上,", "现将会议主要精神纪要如下:", "现将会议有关事项纪要如下:", "出席会议并讲话。",
    "作政府工作报告。", "作工作报告。", "在会上讲话。", "在讲话中强调,", "在讲话中要求,", "报告提出,", "报告部署,",
    "讲话强调,", "讲话要求,",
    "召开", "主持会议。", "于", "在", "举行。",
})
_PLACEHOLDER = re.compile(r"(?<![A-Za-z])[XＸ]{1,3}(?![A-Za-z])")
_FIRST_PERSON = re.compile(r"我(?:都|也|们)?(?:同意|认为|讲|谈|再)")
_RECENTLY = re.compile(r"(?:刚才|会上|会议上|座谈会上)[,，]")


class _Builder:
    def __init__(self, doc: Document, layout: Layout):
        self.doc, self.text, self.layout = doc, doc.text, layout
        self.held = sorted((p.start, p.end) for p in doc.meta.placeholders)
        self.used: set[tuple[int, int]] = set()

    def fixed(self, phrase: str) -> ProsePart:
        assert phrase in FIXED_PHRASES, phrase  # a phrase outside the list would be prose nobody can check
        return ProsePart(text=phrase)

    def quote(self, start: int, end: int) -> ProsePart | None:
        """A verbatim span, cut before any clause holding a placeholder; None when too little is left."""
        span = trim(self.text, start, end)
        cut = self._before_placeholder(span.start, span.end)
        if cut is not None:
            span = trim(self.text, span.start, cut)
        if span.end - span.start > MAX_BODY:
            span = trim(self.text, span.start, _clause_cut(self.text, span.start, span.start + MAX_BODY))
        while span.end > span.start and self.text[span.end - 1] in "。！？!?；;，,、：:":
            span = Span(span.start, span.end - 1)
        if span.end - span.start < MIN_BODY:
            return None
        return ProsePart(text=self.text[span.start:span.end], start=span.start, end=span.end)

    def _before_placeholder(self, start: int, end: int) -> int | None:
        hits = [s for s, e in self.held if start <= s < end]
        hits += [start + m.start() for m in _PLACEHOLDER.finditer(self.text[start:end])]
        if not hits:
            return None
        first = min(hits)
        cut = max(self.text.rfind(c, start, first) for c in ",，;；、")
        return cut if cut > start else start

    def sentence(self, parts: Iterable[ProsePart | None], source: Span) -> ProseSentence | None:
        ps = [p for p in parts if p is not None]
        if not any(p.quoted for p in ps):
            return None
        if ps[-1].text[-1] not in "。:":
            ps.append(self.fixed("。"))
        self.used.add((source.start, source.end))
        return ProseSentence(parts=ps, citations=[cite(self.doc, source.start, source.end)])


def _clause_cut(text: str, start: int, limit: int) -> int:
    for seps in ("；;", "，,"):
        cut = max(text.rfind(c, start, limit) for c in seps)
        if cut > start + MAX_BODY // 3:
            return cut
    return limit


def build_minutes(doc: Document, summary: MeetingSummary, layout: Layout) -> list[MinutesSection]:
    """The 纪要 sections of one report, in the order a 纪要 reads."""
    b = _Builder(doc, layout)
    found: dict[str, list[ProseSentence]] = {k: [] for k in ORDER}
    opening = _opening(b, summary)
    if opening is not None:
        found["opening"].append(opening)
    if layout.kind == "notice":
        _notice(b, found)
    else:
        _proceedings(b, found, summary)
        if layout.kind in ("speech", "report"):
            _speech(b, found, summary)
    return [MinutesSection(key=k, heading=HEADINGS[k], sentences=found[k][: CAPS[k]]) for k in ORDER if found[k]]


# ---- opening -----------------------------------------------------------------------------------------------
def _opening(b: _Builder, summary: MeetingSummary) -> ProseSentence | None:
    """The meeting sentence itself ("3月15日,县长某某主持召开…"), past its dateline; a speech's occasion otherwise."""
    text, layout = b.text, b.layout
    tail = "现将会议有关事项纪要如下:" if layout.kind == "notice" else "现将会议主要精神纪要如下:"
    if layout.kind in ("speech", "report") and summary.name is not None:
        name = summary.name.citations[0]
        parts = []
        if summary.date is not None:
            d = summary.date.citations[0]
            parts += [ProsePart(text=d.quote, start=d.start, end=d.end), b.fixed(",")]
        parts += [ProsePart(text=name.quote, start=name.start, end=name.end), b.fixed("召开"), b.fixed("。")]
        lead = next(iter(summary.speakers), None)
        if lead is not None and lead.citations and layout.byline is not None:
            role, person = layout.byline
            act = "作政府工作报告。" if "政府工作报告" in lead.act else "作工作报告。" if "工作报告" in lead.act else "出席会议并讲话。"
            parts += [ProsePart(text=role.text, start=role.start, end=role.end),
                      ProsePart(text=person.text, start=person.start, end=person.end), b.fixed(act)]
        parts.append(b.fixed(tail))
        return ProseSentence(parts=parts, citations=[name])
    if summary.name is None:
        return None
    at = summary.name.citations[0].start
    if layout.title is not None and layout.title.start <= at < layout.title.end:
        body = _first_body_sentence(b)
        if body is None:
            return None
        start, end = body
    else:
        start = max(text.rfind(c, 0, at) for c in "。\n") + 1
        end = min((i for i in (text.find(c, at) for c in "。\n") if i >= 0), default=len(text))
    start = content_start(text, start, end)
    q = b.quote(start, end)
    if q is None:
        return None
    s = b.sentence([q, b.fixed("。"), b.fixed(tail)], Span(start, end))
    return s


def _first_body_sentence(b: _Builder) -> tuple[int, int] | None:
    """The body's sentence that convenes the meeting ("经县政府同意,定于近期召开…会议,…")."""
    for s in sentences(b.text)[:12]:
        if b.layout.skipped(s.start, s.end) or (b.layout.title and s.start < b.layout.title.end):
            continue
        if re.search(r"召开|举行|定于", b.text[s.start:s.end]):
            return s.start, s.end
    return None


# ---- releases and communiqués: "会议听取了…" "全会认为,…" "某某强调,…" ------------------------------------------------
def _proceedings(b: _Builder, found: dict[str, list[ProseSentence]], summary: MeetingSummary) -> None:
    text = b.text
    names = [f"{sp.role or ''}{sp.name}" for sp in summary.speakers if sp.name] + [sp.name for sp in summary.speakers if sp.name]
    person = re.compile("(?:" + "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True)) + ")(?:同志)?") if names else None
    sents = sentences(text)
    for i, sent in enumerate(sents):
        if b.layout.skipped(sent.start, sent.end) or (sent.start, sent.end) in b.used:
            continue
        start = content_start(text, sent.start, sent.end)
        recent = _RECENTLY.match(text, start, sent.end)
        m = PROCEEDING_OPENER.match(text, start, sent.end)
        if m:
            key = SECTION_OF_VERB[m.group("verb")]
            key = "heard" if key == "studied" else key
            body = b.quote(m.end(), sent.end)
            if body is None or NOTHING_MORE.match(body.text):
                continue
            lead = f"会议{m.group('verb')}" + ("," if m.group("sep") else "")
            s = b.sentence([b.fixed(lead), body], sent)
            if s is not None:
                found[key].append(s)
            continue
        if person is not None:
            p, v = _person_verb(person, text, start, sent.end)
            if p and v:
                start = p.start()  # "就贯彻全会精神,…,谭某强调,…": the framing clause goes, the demand stays
                key = {"强调": "stressed", "要求": "required", "提出": "required", "指出": "considered",
                       "认为": "considered", "表示": "considered"}[v.group("verb")]
                parts = [b.quote(start, sent.end)]
                if key in ("stressed", "required"):
                    parts += _continued_demands(b, sents, i)
                s = b.sentence(parts, sent)
                if s is not None:
                    found[key].append(s)
                continue
        if recent and re.search(r"通报|汇报|介绍|发言|作了", text[recent.end():sent.end]):
            body = _until_first_person(b, recent.end(), sent.end)
            s = b.sentence([b.fixed("会上,"), body], sent) if body else None
            if s is not None:
                found["heard"].append(s)


CONTINUED = 3  # demands that run on after "某某强调,要…。" as "要…。要…。" in the same paragraph
_DEMAND_OPENER = re.compile(rf"(?:{CN_DIGIT}是|{CN_DIGIT}要|要|必须|务必)")


def _continued_demands(b: _Builder, sents: list[Span], i: int) -> list[ProsePart | None]:
    """The next sentences of the paragraph that go on demanding ("要…"), joined with "；"."""
    out: list[ProsePart | None] = []
    total = sents[i].end - sents[i].start
    for nxt in sents[i + 1 : i + 1 + CONTINUED]:
        if "\n" in b.text[sents[i].end:nxt.start] or not _DEMAND_OPENER.match(b.text, nxt.start, nxt.end):
            break
        q = b.quote(nxt.start, nxt.end)
        if q is None or total + len(q.text) > 2 * MAX_BODY:
            break
        total += len(q.text)
        out += [b.fixed("；"), q]
        b.used.add((nxt.start, nxt.end))
        i += 1
    return out


_ANY_SPEAKER_VERB = re.compile(r"强调|指出|要求|表示|提出|认为")


def _person_verb(person: re.Pattern[str], text: str, start: int, end: int):
    """(person, verb) opening the sentence or one of its clauses within its first 40 characters."""
    if not _ANY_SPEAKER_VERB.search(text, start, min(end, start + 60)):
        return None, None
    for m in person.finditer(text, start, min(end, start + 40)):
        if m.start() != start and text[m.start() - 1] not in ",，":
            continue
        v = SPEAKER_VERBS.match(text, m.end(), end)
        if v:
            return m, v
    return None, None


def _until_first_person(b: _Builder, start: int, end: int) -> ProsePart | None:
    """"刚才,县统计局通报了…,讲得都很实在,我都同意": the report of what was heard, not the speaker's aside."""
    me = _FIRST_PERSON.search(b.text, start, end)
    stop = end
    if me:
        stop = max(b.text.rfind(c, start, me.start()) for c in ",，")
        stop = stop if stop > start else me.start()
        aside = re.search(r"[,，][^,，]{0,10}(?:讲得|说得|谈得)", b.text[start:stop])
        stop = start + aside.start() if aside else stop
    return b.quote(start, stop)


# ---- speeches and work reports: their headings and the work they set -------------------------------------------
def _speech(b: _Builder, found: dict[str, list[ProseSentence]], summary: MeetingSummary) -> None:
    text, layout = b.text, b.layout
    lead = summary.speakers[0] if summary.speakers else None
    who: list[ProsePart] = []
    if layout.byline is not None and lead is not None and lead.name:
        person = layout.byline[1]
        who = [ProsePart(text=person.text, start=person.start, end=person.end)]
    report = layout.kind == "report"
    if report:
        who = []  # a work report proposes and deploys; it is not a speaker's demand
    tops = [h for h in outline(text) if h.level == 0 and re.match(CN_ORDINAL + "、", h.title)]
    if not found["stressed"] and tops:
        parts: list[ProsePart | None] = [*who, b.fixed("在讲话中强调," if who else "报告提出," if report else "讲话强调,")]
        for i, h in enumerate(tops[:6]):
            at = h.offset
            body = re.sub(r"^\s*" + CN_ORDINAL + "、", "", h.title)
            off = at + h.title.find(body) if body else at
            q = b.quote(off, off + len(body))
            if q is not None:
                parts += [b.fixed("；") if i and len(parts) > len(who) + 1 else None, q]
        s = b.sentence(parts, Span(tops[0].offset, tops[min(5, len(tops) - 1)].offset + len(tops[min(5, len(tops) - 1)].title)))
        if s is not None:
            found["stressed"].append(s)
    work = [g for g in summary.tasks if g.items and g.heading and WORK_AHEAD.search(g.heading)]
    if work and not found["required"]:
        group = work[0]
        parts = [*who, b.fixed("在讲话中要求," if who else "报告部署," if report else "讲话要求,")]
        for item in group.items[:10]:
            c = item.citations[0]
            q = b.quote(c.start, c.end)
            if q is not None:
                parts += [b.fixed("；") if len(parts) > len(who) + 1 else None, q]
        s = b.sentence(parts, Span(group.items[0].citations[0].start, group.items[-1].citations[0].end))
        if s is not None:
            found["required"].append(s)


# ---- notices: the agenda and the arrangements, as the notice lists them -----------------------------------------
def _notice(b: _Builder, found: dict[str, list[ProseSentence]]) -> None:
    for kind, key in (("agenda", "agenda"), ("requirements", "arrangements")):
        section = b.layout.section(kind)
        if section is None or not section.items:
            continue
        parts: list[ProsePart | None] = []  # the section's heading says what the list is
        for item in section.items[:CAPS[key]]:
            q = b.quote(item.start, item.end)
            if q is not None:
                parts += [b.fixed("；") if parts else None, q]
        s = b.sentence(parts, Span(section.heading.start, section.items[-1].end))
        if s is not None:
            found[key].append(s)


def prose_text(sections: list[MinutesSection]) -> str:
    """The sections as plain text, one paragraph per sentence (for tests and the LLM prompt)."""
    return "\n".join(s.text for sec in sections for s in sec.sentences)


__all__ = ["FIXED_PHRASES", "MEETING_SUBJECT", "build_minutes", "prose_text"]
