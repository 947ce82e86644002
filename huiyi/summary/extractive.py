"""The offline summariser: meeting elements read from the genre's patterns, each with its citation.

It never guesses: a field whose pattern does not occur stays empty and is listed in `not_found`.
The metadata stage (huiyi.index.meta) already found the title, date, region and role+name speakers;
this module locates them in the text for citations and reads what they did.
"""

from __future__ import annotations

import bisect
import re

from huiyi.genre.sentences import split_sentences
from huiyi.index.records import Document
from huiyi.summary.indicators import placeholder_entries, scan_figures
from huiyi.summary.models import (
    Attendance,
    DateField,
    Decision,
    MeetingSummary,
    SpeakerEntry,
    TextField,
    TextItem,
)
from huiyi.genre.meetings import MEETING_NOUN, QUORUM, REVIEW_WORDS, meeting_type
from huiyi.genre.spans import Span
from huiyi.summary.patterns import (
    cite,
    cite_span,
    clauses,
    enclosing,
    find_first,
    sentences,
    split_outside_brackets,
    trim,
)
from huiyi.summary.tasks import extract_tasks

CAPS = {"indicators": 200, "placeholders": 200, "slogans": 40, "honours": 30, "decisions": 30, "speakers": 30, "key_sentences": 5}

_HELD = re.compile(
    r"(?P<name>[^,，。;；\n:：]{4,80}?" + MEETING_NOUN + r")(?:在(?P<place>[^,，。;；\n在]{2,30}?))?(?:隆重)?(?:召开|举行|开幕)"
)
_CONVENED = re.compile(r"(?:召开|举行)了?(?P<name>[^,，。;；\n]{4,80}?" + MEETING_NOUN + r")(?=[,，。;；\n]|$)")
_SPEECH = re.compile(r"^(?P<role>[\u4e00-\u9fff、]{0,16}?)(?:同志)?在(?P<name>[^。!?！？;；,，\n]{2,60}?)上的(?:总结)?(?:讲话|讲评|发言|报告|致辞)")
_LEADING_TIME = re.compile(r"^(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日(?:上午|下午|晚上|晚)?[,，]?|^(?:今天|近日|日前|昨天|昨日)[,，]?")
_ROLE_END = re.compile(r"(?:书记|县长|区长|市长|镇长|乡长|主任|主席|部长|局长|常委|秘书长|院长|检察长|委员)$")
_HOST = re.compile(r"由(?P<host>[^,，。;；由\n]{2,24}?)主持")
_LEADERS = re.compile(
    r"(?:[县区市州镇乡]领导|领导同志|出席领导)(?P<names>(?:[\u4e00-\u9fff]{2,3}、)+[\u4e00-\u9fff]{2,3})等?(?:同志)?(?:在主席台(?:上)?就座|出席|参加)"
)
_ACTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("作工作报告", re.compile(r"作[^,，。;；]{0,16}?(?:工作)?报告")),
    ("作起草说明", re.compile(r"起草说明")),
    ("讲评", re.compile(r"讲评")),
    ("宣读", re.compile(r"宣读")),
    ("主持", re.compile(r"主持")),
    ("讲话", re.compile(r"讲话|致辞")),
    ("出席", re.compile(r"出席|参加|就座")),
)
_TOPIC = re.compile(
    r"^(?:受[^,，。]{2,16}?委托)?(?:就|对)(?P<t>[^,，。;；]{2,60}?)(?:作|进行了?)(?=讲评|起草说明|工作报告|报告|说明|发言|部署)"
    r"|^宣读了?(?P<r>[^,，。;；]{2,120})"
)
_COUNT = re.compile(r"(?P<kind>应到|应出席|应参会|实到|实际到会|实际出席|实出席)(?:会)?(?P<who>[^\d,，;；。]{0,12}?)(?P<n>\d+)\s*(?:人|名)")
_ATTENDEES = re.compile(r"列席(?:了)?(?:会议|全会|大会)")
_DECISION = (
    ("审议通过", re.compile(r"审议(?:并)?通过(?:了)?(?P<obj>[^。;；]+?)(?=[,，](?:宣读|听取|选举|表决|会议|全会)|[。;；]|$)")),
    ("听取", re.compile(r"听取(?:并审议)?(?:了)?(?P<obj>[^,，。;；]{2,40}?(?:报告|说明|汇报))")),
    ("选举", re.compile(r"(?:选举产生|选举|补选)(?:了)?(?P<obj>[^,，。;；]{2,40})")),
)
_VOTE = re.compile(r"(?:进行了?|举手|投票|无记名投票)表决|表决通过")
_HONOUR = re.compile(r"表彰|颁奖|颁发|获评|荣获|被评为|被授予|授予|荣膺|评为|命名为|获得[^,，。]{0,20}称号|通报表扬")
_SLOGAN = re.compile(r"“(?P<q>[^“”\n]{2,20})”|「(?P<c>[^「」\n]{2,20})」")
_KEY_WORDS = re.compile(r"强调|指出|要求|部署|审议通过|表决|符合规定人数")


def summarize_offline(doc: Document) -> MeetingSummary:
    """A MeetingSummary from patterns only; every value cites the text it was read from."""
    text = doc.text
    sents = sentences(text)
    summary = MeetingSummary(doc_id=doc.id, title=doc.meta.title)
    summary.name, place = _meeting_name(doc)
    summary.meeting_type = _meeting_type(doc, summary.name)
    summary.place = place
    summary.date = _date(doc)
    summary.region = _region(doc)
    speakers, leaders = _speakers(doc, sents)
    summary.host = _host(doc, speakers)
    summary.speakers = [s for s in speakers if s.act != "出席"]
    summary.attendance = _attendance(doc, sents, leaders + [s for s in speakers if s.act == "出席"])
    summary.indicators, withheld = scan_figures(doc)
    summary.placeholders, summary.placeholder_count = placeholder_entries(doc, summary.indicators, CAPS["placeholders"], withheld)
    summary.decisions = _decisions(doc, sents)
    summary.tasks = extract_tasks(doc, sents, summary.speakers)
    summary.honours = _honours(doc, sents)
    summary.slogans = _slogans(doc)
    summary.key_sentences = _key_sentences(doc, summary)
    _cap(summary)
    summary.not_found = summary.missing_fields()
    summary.sources = {f: "offline" for f in _filled(summary)}
    return summary


def _filled(summary: MeetingSummary) -> list[str]:
    missing = set(summary.missing_fields())
    return [f for f in ("name", "meeting_type", "date", "place", "region", "host", "speakers", "attendance", "indicators",
                        "decisions", "tasks", "honours", "slogans", "placeholders", "key_sentences") if f not in missing]


def _cap(summary: MeetingSummary) -> None:
    for field, cap in CAPS.items():
        items = getattr(summary, field)
        if len(items) > cap:
            setattr(summary, field, items[:cap])
            summary.truncated.append(field)
    if summary.placeholder_count > len(summary.placeholders) and "placeholders" not in summary.truncated:
        summary.truncated.append("placeholders")


# ---- name, type, date, place, region, host ---------------------------------------------------
def _meeting_name(doc: Document) -> tuple[TextField | None, TextField | None]:
    text = doc.text
    first_line = text[: text.find("\n")] if "\n" in text else text[:200]
    speech = _SPEECH.match(first_line)
    if speech:  # a speech's title names its meeting; later mentions repeat it
        best = max(_SPEECH.finditer(text[:2000]), key=lambda m: len(m.group("name")), default=speech)
        return TextField(value=best.group("name"), citations=[cite(doc, best.start("name"), best.end("name"))]), None
    candidates = [m for m in (_HELD.search(text, 0, 3000), _CONVENED.search(text, 0, 3000)) if m]
    if not candidates:
        return None, None
    m = min(candidates, key=lambda c: c.start())
    start, end = m.start("name"), m.end("name")
    lead = _LEADING_TIME.match(text, start, end)
    start = lead.end() if lead else start
    start, end = trim(text, start, end).start, trim(text, start, end).end
    if end - start < 4:
        return None, None
    name = TextField(value=text[start:end], citations=[cite(doc, start, end)])
    place = None
    if "place" in m.groupdict() and m.group("place"):
        place = TextField(value=m.group("place"), citations=[cite(doc, m.start("place"), m.end("place"))])
    return name, place


def _meeting_type(doc: Document, name: TextField | None) -> TextField | None:
    if name is not None:
        label = meeting_type(name.value)
        if label is not None:
            return TextField(value=label, citations=name.citations)
    review = REVIEW_WORDS.search(doc.text)
    if review:
        return TextField(value="工作总结", citations=[cite(doc, review.start(), review.end())])
    return None


def _date(doc: Document) -> DateField | None:
    meta = doc.meta
    found = find_first(doc, meta.date_text or "")
    if found is None:
        return None
    return DateField(text=meta.date_text, iso=meta.date_iso, year_inferred=meta.year_inferred, citations=[found])


def _region(doc: Document) -> TextField | None:
    found = find_first(doc, doc.meta.region or "")
    return TextField(value=doc.meta.region, citations=[found]) if found else None


def _host(doc: Document, speakers: list[SpeakerEntry]) -> TextField | None:
    m = _HOST.search(doc.text)
    if m:
        return TextField(value=m.group("host"), citations=[cite(doc, m.start(), m.end())])
    chair = next((s for s in speakers if "主持" in s.act and s.name), None)
    if chair:
        return TextField(value=f"{chair.role or ''}{chair.name}", citations=chair.citations)
    return None


# ---- speakers ----------------------------------------------------------------------------------
def _speakers(doc: Document, sents: list[Span]) -> tuple[list[SpeakerEntry], list[SpeakerEntry]]:
    """(speakers with what they did, leaders listed as present on the platform)."""
    text = doc.text
    found: list[tuple[int, int, str, str | None]] = []  # (start, name end, name, role)
    for sp in doc.meta.speakers:
        needle = f"{sp.role or ''}{sp.name}"
        pos = text.find(needle)
        if pos >= 0:
            found.append((pos, pos + len(needle), sp.name, sp.role))
    found.sort()
    entries: list[SpeakerEntry] = []
    for i, (start, end, name, role) in enumerate(found):
        sent_end = (enclosing(sents, start) or Span(start, len(text))).end
        stop = min(sent_end, found[i + 1][0] if i + 1 < len(found) else sent_end)
        window = text[end:stop]
        acts = [label for label, p in _ACTS if p.search(window)]
        if not acts and _demand_by(name).search(text):
            acts = ["讲话"]
        entry = SpeakerEntry(name=name, role=role, act="、".join(acts), topic=_topic(window),
                             citations=[cite(doc, start, trim(text, start, stop).end)])
        entries.append(entry)
    _inherit_acts(entries, found, text)
    entries = [e for e in entries if e.act]
    speech = _speech_speaker(doc)
    if speech and not any(e.role == speech.role for e in entries):
        entries.insert(0, speech)
    return entries, _platform(doc)


def _demand_by(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(name) + r"(?:同志)?(?:强调|指出|要求|表示)")


def _inherit_acts(entries: list[SpeakerEntry], found: list, text: str) -> None:
    """"主任任中元,主席段忠贤出席会议": a name followed only by a comma shares the next one's act."""
    for i in range(len(entries) - 2, -1, -1):
        gap = text[found[i][1] : found[i + 1][0]]
        if not entries[i].act and gap.strip() in {",", "，", "、"}:
            entries[i].act = entries[i + 1].act


def _topic(window: str) -> str | None:
    m = _TOPIC.match(window.lstrip(",，"))
    if not m:
        return None
    return (m.group("t") or m.group("r") or "").strip() or None


def _speech_speaker(doc: Document) -> SpeakerEntry | None:
    text = doc.text
    line_end = text.find("\n") if "\n" in text else min(len(text), 200)
    m = _SPEECH.match(text[:line_end])
    if not m or not _ROLE_END.search(m.group("role") or ""):
        return None
    role = m.group("role")
    return SpeakerEntry(name=None, role=role, act="讲话", citations=[cite(doc, m.start(), m.end())])


def _platform(doc: Document) -> list[SpeakerEntry]:
    out = []
    for m in _LEADERS.finditer(doc.text):
        base = m.start("names")
        for s, e in split_outside_brackets(m.group("names")):
            out.append(SpeakerEntry(name=m.group("names")[s:e], act="出席", citations=[cite(doc, base + s, base + e)]))
    return out


# ---- attendance -----------------------------------------------------------------------------------
def _attendance(doc: Document, sents: list[Span], present: list[SpeakerEntry]) -> Attendance:
    text = doc.text
    att = Attendance()
    for sent in sents:
        if _COUNT.search(text, sent.start, sent.end):
            _read_counts(text, sent, att)
            att.citations.append(cite_span(doc, sent))
            q = QUORUM.search(text, sent.start, sent.end)
            if q and att.quorum_statement is None:
                att.quorum_statement = q.group(0)
            break
    if att.quorum_statement is None:
        q = QUORUM.search(text)
        if q:
            att.quorum_statement = q.group(0)
            att.citations.append(cite(doc, q.start(), q.end()))
    for sent in sents:
        m = _ATTENDEES.search(text, sent.start, sent.end)
        if m:
            _read_attendees(doc, Span(sent.start, m.start()), att)
            att.citations.append(cite(doc, sent.start, m.end()))
            break
    for p in present:
        if p.name and p.name not in att.leaders_present:
            att.leaders_present.append(p.name)
            att.citations.extend(p.citations)
    return att


def _group(words: str) -> str | None:
    if "候补" in words:
        return "alternates"
    if "委员" in words or "代表" in words:
        return "members"
    return None


def _read_counts(text: str, sent: Span, att: Attendance) -> None:
    """Counts per group; an unlabelled 实到 after several groups is a total, as the text says."""
    for seg in split_outside_brackets(text[sent.start : sent.end], "；") or [(0, sent.end - sent.start)]:
        for s2, e2 in split_outside_brackets(text[sent.start + seg[0] : sent.start + seg[1]], ";"):
            _read_segment(text, sent.start + seg[0] + s2, sent.start + seg[0] + e2, att)


def _read_segment(text: str, start: int, end: int, att: Attendance) -> None:
    groups_seen: list[str] = []
    clause_start = start
    for m in _COUNT.finditer(text, start, end):
        before = text[max(clause_start, _last_break(text, clause_start, m.start())) : m.start()]
        group = _group(before + m.group("who"))
        if group:
            groups_seen.append(group)
        elif len(set(groups_seen)) == 1:
            group = groups_seen[0]
        expected = m.group("kind").startswith("应")
        n = int(m.group("n"))
        if group is None:
            if not expected and att.present_total is None:
                att.present_total = n
            continue
        field = f"{group}_{'expected' if expected else 'present'}"
        if getattr(att, field) is None:
            setattr(att, field, n)
        clause_start = m.end()


def _last_break(text: str, lo: int, hi: int) -> int:
    cut = max(text.rfind(c, lo, hi) for c in ",，、")
    return cut + 1 if cut >= 0 else lo


def _read_attendees(doc: Document, span: Span, att: Attendance) -> None:
    text = doc.text
    body = text[span.start : span.end]
    parts = split_outside_brackets(body, "；") if "；" in body else split_outside_brackets(body, ";")
    for s, e in parts:
        t = trim(text, span.start + s, span.start + e)
        if t.end > t.start:
            att.attendees_groups.append(text[t.start : t.end])


# ---- decisions, honours, slogans, key sentences ---------------------------------------------------
def _decisions(doc: Document, sents: list[Span]) -> list[Decision]:
    text, out = doc.text, []
    for sent in sents:
        for kind, pattern in _DECISION:
            for m in pattern.finditer(text, sent.start, sent.end):
                base = m.start("obj")
                for s, e in split_outside_brackets(m.group("obj")):
                    t = trim(text, base + s, base + e)
                    out.append(Decision(kind=kind, text=text[t.start : t.end], citations=[cite(doc, t.start, t.end)]))
        vote = _VOTE.search(text, sent.start, sent.end)
        if vote:
            out.append(_vote(doc, sent, vote.start(), vote.end()))
    return out


def _vote(doc: Document, sent: Span, vs: int, ve: int) -> Decision:
    """"宣读了关于递补…的情况说明,全体委员进行了表决": the vote's object is in the clause before."""
    parts = clauses(doc.text, sent)
    idx = next(i for i, c in enumerate(parts) if c.start <= vs < c.end)
    start = parts[idx - 1].start if idx > 0 and ve - parts[idx].start < 16 else parts[idx].start
    end = parts[idx].end
    return Decision(kind="表决", text=doc.text[start:end], citations=[cite(doc, start, end)])


def _honours(doc: Document, sents: list[Span]) -> list[TextItem]:
    text, out = doc.text, []
    for sent in sents:
        if not _HONOUR.search(text, sent.start, sent.end):
            continue
        for cl in clauses(text, sent):
            m = _HONOUR.search(text, cl.start, cl.end)
            if m:
                lo, hi = max(cl.start, m.start() - 60), min(cl.end, m.end() + 60)
                out.append(TextItem(text=text[lo:hi], citations=[cite(doc, lo, hi)]))
    return out


def _slogans(doc: Document) -> list[TextItem]:
    seen: dict[str, TextItem] = {}
    for m in _SLOGAN.finditer(doc.text):
        group = "q" if m.group("q") else "c"
        value = m.group(group)
        if re.search(r"[。!?！？]", value) or value.strip() in seen or not re.search(r"[\u4e00-\u9fffA-Za-z]", value):
            continue
        seen[value.strip()] = TextItem(text=value, citations=[cite(doc, m.start(group), m.end(group))])
    return list(seen.values())


def _key_sentences(doc: Document, summary: MeetingSummary) -> list[TextItem]:
    """Extractive: sentences dense in disclosed indicators or carrying 强调/要求, the meeting's opening line."""
    text = doc.text
    ind_starts = sorted(c.start for i in summary.indicators if not i.undisclosed for c in i.citations)
    name_at = summary.name.citations[0].start if summary.name else -1
    scored = []
    for s, e in split_sentences(text):
        if not 12 <= e - s <= 300 or "X" in text[s:e]:
            continue
        score = 2 * (bisect.bisect_left(ind_starts, e) - bisect.bisect_left(ind_starts, s))
        score += 2 * len(_KEY_WORDS.findall(text, s, e)) + (3 if s <= name_at < e else 0)
        if score:
            scored.append((score, Span(s, e)))
    best = sorted(scored, key=lambda p: (-p[0], p[1].start))[: CAPS["key_sentences"]]
    return [TextItem(text=text[sent.start:sent.end], citations=[cite_span(doc, sent)]) for _, sent in sorted(best, key=lambda p: p[1].start)]
