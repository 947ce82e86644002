"""Who was there and what they did: speakers with their roles and acts, attendance counts, the groups
listed as attending (列席/参加) and the leaders present (出席).

People come from three places: the metadata's "role + name" speakers, a speech's byline ("县委副书记、县长
某某" on its own line), and the lexical model's person entities in the sentences that name acts.
"""

from __future__ import annotations

import re

from huiyi.genre.entities import entities
from huiyi.genre.meetings import QUORUM
from huiyi.genre.numbers import CN_DIGITS
from huiyi.genre.spans import Span
from huiyi.index.records import Document
from huiyi.summary.models import Attendance, SpeakerEntry
from huiyi.summary.patterns import cite, cite_span, enclosing, split_outside_brackets, trim
from huiyi.summary.reading import Layout

_SPEECH = re.compile(r"^(?P<role>[\u4e00-\u9fff、]{0,16}?)(?:同志)?在(?P<name>[^。!?！？;；,，\n]{2,60}?)上的(?:总结)?(?:讲话|讲评|发言|报告|致辞)")
_ROLE_END = re.compile(r"(?:书记|省长|县长|区长|市长|州长|镇长|乡长|主任|主席|部长|局长|常委|秘书长|院长|检察长|委员|教授|组长|专家)$")
_LEADERS = re.compile(
    r"(?:[县区市州镇乡]领导|领导同志|出席领导)(?P<names>(?:[\u4e00-\u9fff]{2,3}、)+[\u4e00-\u9fff]{2,3})等?(?:同志)?(?:在主席台(?:上)?就座|出席|参加)"
)
_ACTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("作起草说明", re.compile(r"起草说明")),
    ("作工作报告", re.compile(r"作[^,，。;；]{0,16}?(?:工作)?报告")),
    ("作说明", re.compile(r"作(?:了)?说明")),
    ("讲评", re.compile(r"讲评")),
    ("宣读", re.compile(r"宣读")),
    ("主持", re.compile(r"主持")),
    ("讲话", re.compile(r"讲话|致辞")),
    ("发言", re.compile(r"(?<!讲话)发言")),
    ("出席", re.compile(r"出席|参加|就座")),
)
_WRITTEN_ACT = {"作工作报告"}  # "作专题辅导报告": the act as written, so the kind of report is kept
_TOPIC = re.compile(
    r"^(?:受[^,，。]{2,16}?委托)?(?:就|对)(?P<t>[^,，。;；]{2,60}?)(?:作|进行了?)(?=讲评|起草说明|工作报告|报告|说明|发言|部署)"
    r"|^宣读了?(?P<r>[^,，。;；]{2,120})"
)
_ACT_VERBS = re.compile(r"主持|讲话|强调|指出|要求|作[^,，。]{0,12}(?:报告|说明|发言)|宣读|讲评|出席|参加|列席|交流发言|辅导")
_ROLE_STOP = set(",，。;；:：!?！？\n由请和及与向在对经受邀为是")
_COUNT = re.compile(r"(?P<kind>应到|应出席|应参会|实到|实际到会|实际出席|实出席)(?:会)?(?P<who>[^\d,，;；。]{0,12}?)(?P<n>\d+)\s*(?:人|名)")
# "出席全会的有区委委员29名,候补区委委员5名": present counts by group, no 应到 given.
_PRESENT_LIST = re.compile(r"出席(?:全会|会议|大会)的(?:有)?")
_GROUP_COUNT = re.compile(r"(?P<who>[\u4e00-\u9fff]{0,10}?(?:委员|代表|组成人员))(?P<n>\d+)\s*(?:人|名)")
_ATTENDEES = re.compile(r"(?:列席|参加)(?:了)?(?:会议|全会|大会|学习|座谈会?)")
_NOT_GROUP = re.compile(r"出席|主持|召开|讲话|应到|实到")


# ---- speakers ----------------------------------------------------------------------------------
def speakers(doc: Document, sents: list[Span], layout: Layout) -> tuple[list[SpeakerEntry], list[SpeakerEntry]]:
    """(speakers with what they did, leaders present without another act)."""
    text = doc.text
    found = _people(doc, sents, layout)
    entries: list[SpeakerEntry] = []
    for i, (start, end, name, role) in enumerate(found):
        sent_end = (enclosing(sents, start) or Span(start, len(text))).end
        stop = min(sent_end, found[i + 1][0] if i + 1 < len(found) else sent_end)
        window = text[end:stop]
        acts = [_act(label, p, window) for label, p in _ACTS if p.search(window)]
        if "起草说明" in window and "作说明" in acts:
            acts.remove("作说明")
        if ("讲话" not in acts and re.search(re.escape(name) + r"在讲话中", text)) or (not acts and _speaks(name, text)):
            acts.append("讲话")
        entries.append(SpeakerEntry(name=name, role=role, act="、".join(acts), topic=_topic(window),
                                    citations=[cite(doc, start, trim(text, start, stop).end)]))
    _inherit_acts(entries, found, text)
    present = [e for e in entries if e.act == "出席"] + _platform(doc)
    out = [e for e in entries if e.act and e.act != "出席"]
    for e in out:  # "出席并讲话": present and speaking
        if "出席" in e.act.split("、"):
            present.append(SpeakerEntry(name=e.name, role=e.role, act="出席", citations=e.citations))
            e.act = "、".join(a for a in e.act.split("、") if a != "出席") or "讲话"
    lead = _byline_speaker(doc, layout) or _speech_speaker(doc)
    if lead and not any((e.name and e.name == lead.name) or (not lead.name and e.role == lead.role) for e in out):
        out.insert(0, lead)
    return out, present


def _act(label: str, pattern: re.Pattern[str], window: str) -> str:
    if label in _WRITTEN_ACT:
        m = pattern.search(window)
        return m.group(0).replace("作了", "作") if m else label
    return label


def _speaks(name: str, text: str) -> bool:
    return re.search(re.escape(name) + r"(?:同志)?(?:在[^,，。]{0,8}中)?(?:强调|指出|要求|表示)", text) is not None


def _people(doc: Document, sents: list[Span], layout: Layout) -> list[tuple[int, int, str, str | None]]:
    """(start of role, end of name, name, role) for every titled person, in text order."""
    text = doc.text
    found: dict[str, tuple[int, int, str, str | None]] = {}
    for sp in doc.meta.speakers:
        needle = f"{sp.role or ''}{sp.name}"
        pos = text.find(needle)
        if pos >= 0 and not layout.skipped(pos, pos + len(needle)):
            name_at = pos + len(needle) - len(sp.name)
            role_at = _role_start(text, name_at)
            role = text[role_at:name_at] if role_at < pos and text[role_at:name_at].endswith(sp.role or "") else sp.role
            found[sp.name] = (min(pos, role_at), pos + len(needle), sp.name, role)
    for sent in _act_sentences(doc, sents, layout):
        for ent in person_spans(text, sent.start, sent.end):
            s, e = ent.start, ent.end
            if ent.text in found or len(ent.text) < 2 or layout.skipped(s, e):
                continue
            role_at = _role_start(text, s)
            role = text[role_at:s]
            if role and _ROLE_END.search(role):
                found[ent.text] = (role_at, e, ent.text, role)
    return sorted(found.values())


_ROLE_HINT = re.compile(r"书记|[省市县区州镇乡]长|主任|主席|部长|局长|委员|常委|教授|秘书长|出席|参加|领导")
_PIECE = re.compile(r"[^,，;；。:：!?！？\n]+")
PIECE_CHARS = 60  # the lexical model reads the clauses that name people, never a whole run-on paragraph


def person_spans(text: str, start: int, end: int) -> list[Span]:
    """Person entities in [start, end), offsets into `text`: only clauses with a role or 出席 are tagged, each
    at most PIECE_CHARS long (the model's decoder costs time per character)."""
    out: list[Span] = []
    for piece in _PIECE.finditer(text, start, end):
        lo, hi = piece.start(), piece.end()
        for hint in _ROLE_HINT.finditer(text, lo, hi):
            a = max(lo, hint.start() - 12)
            b = min(hi, a + PIECE_CHARS)
            for ent in entities(text[a:b], ("PER",)):
                span = Span(a + ent.start, a + ent.end, ent.text, "person")
                if span not in out:
                    out.append(span)
            if b >= hi:
                break
    return sorted(out, key=lambda s: s.start)


def _act_sentences(doc: Document, sents: list[Span], layout: Layout) -> list[Span]:
    """Sentences near the top that say who did what (the lexical model reads only these)."""
    text, out = doc.text, []
    for sent in sents[:40]:
        if sent.start > 6000:
            break
        if _ACT_VERBS.search(text, sent.start, sent.end) and not layout.skipped(sent.start, sent.end):
            out.append(sent)
    return out


def _role_start(text: str, name_at: int) -> int:
    """Where the title chain before a name starts ("江州市委党校党建教研部主任、教授吴某" → at 江)."""
    i = name_at
    while i > 0 and name_at - i < 40 and text[i - 1] not in _ROLE_STOP and ("\u4e00" <= text[i - 1] <= "\u9fff" or text[i - 1] in "、（）()"):
        i -= 1
    # "会议邀请…": a verb before the title is not part of it; "（四）副县长…": nor is an outline marker
    m = re.match(rf"(?:会议|会上|全会)?(?:邀请|特邀|请)|[（(][{CN_DIGITS}\d]{{1,3}}[）)]", text[i:name_at])
    return i + m.end() if m else i


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


def _byline_speaker(doc: Document, layout: Layout) -> SpeakerEntry | None:
    """A speech's or work report's author, from the "role name" line under its title."""
    if layout.byline is None or layout.kind not in ("speech", "report"):
        return None
    role, name = layout.byline
    title = layout.title.text if layout.title else ""
    act = "作政府工作报告" if "政府工作报告" in title else "作工作报告" if "工作报告" in title else "讲话"
    return SpeakerEntry(name=re.sub(r"\s", "", name.text), role=role.text, act=act,
                        citations=[cite(doc, role.start, name.end)])


def _speech_speaker(doc: Document) -> SpeakerEntry | None:
    text = doc.text
    line_end = text.find("\n") if "\n" in text else min(len(text), 200)
    m = _SPEECH.match(text[:line_end])
    if not m or not _ROLE_END.search(m.group("role") or ""):
        return None
    return SpeakerEntry(name=None, role=m.group("role"), act="讲话", citations=[cite(doc, m.start(), m.end())])


def _platform(doc: Document) -> list[SpeakerEntry]:
    out = []
    for m in _LEADERS.finditer(doc.text):
        base = m.start("names")
        for s, e in split_outside_brackets(m.group("names")):
            out.append(SpeakerEntry(name=m.group("names")[s:e], act="出席", citations=[cite(doc, base + s, base + e)]))
    return out


def present_leaders(doc: Document, sents: list[Span], layout: Layout) -> list[SpeakerEntry]:
    """Persons in the clauses that end in 出席(会议): "副县长潘某、姚某、曹某出席会议"."""
    text, out = doc.text, []
    for sent in _act_sentences(doc, sents, layout):
        parts = [c for c in re.finditer(r"[^,，;；。]+", text[sent.start:sent.end])]
        for k, c in enumerate(parts):
            clause = c.group(0)
            if not re.search(r"出席(?:会议|全会|座谈会|活动)?$|出席(?:会议|全会)[^,，]{0,4}$", clause) or "出席全会的" in clause:
                continue
            run = [c]
            j = k - 1
            while j >= 0 and not _ACT_VERBS.search(parts[j].group(0)):  # "常务副县长唐某,副县长潘某…出席会议"
                run.insert(0, parts[j])
                j -= 1
            for piece in run:
                base = sent.start + piece.start()
                for ent in person_spans(text, base, base + len(piece.group(0))):
                    out.append(SpeakerEntry(name=ent.text, act="出席", citations=[cite(doc, ent.start, ent.end)]))
    return out


# ---- attendance -----------------------------------------------------------------------------------
def attendance(doc: Document, sents: list[Span], present: list[SpeakerEntry], layout: Layout) -> Attendance:
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
        listed = _PRESENT_LIST.search(text, sent.start, sent.end)
        if listed and _GROUP_COUNT.search(text, listed.end(), sent.end):
            _read_present_list(text, listed.end(), sent.end, att)
            att.citations.append(cite_span(doc, sent))
            break
    if att.quorum_statement is None:
        q = QUORUM.search(text)
        if q:
            att.quorum_statement = q.group(0)
            att.citations.append(cite(doc, q.start(), q.end()))
    section = layout.section("attendees")
    if section is not None and section.items:
        for item in section.items:
            t = trim(text, item.start, item.end)
            t = Span(t.start, t.end - 1) if text[t.end - 1:t.end] in ("。", "；", ";") else t
            att.attendees_groups.append(text[t.start:t.end])
            att.attendees_verbs.append("参会")
        att.citations.append(cite(doc, section.heading.start, section.items[-1].end))
    else:
        for sent in (s for s in sents[:60] if not layout.skipped(s.start, s.end)):
            for m in _ATTENDEES.finditer(text, sent.start, sent.end):
                start = _clause_run_start(text, sent.start, m.start())
                _read_attendees(doc, Span(start, m.start()), att, m.group(0)[:2])
                att.citations.append(cite(doc, start, m.end()))
    for p in present:
        if p.name and p.name not in att.leaders_present:
            att.leaders_present.append(p.name)
            att.citations.extend(p.citations)
    return att


def _clause_run_start(text: str, lo: int, hi: int) -> int:
    """Start of the attendee list before "列席会议": after the last clause that names another act."""
    start = lo
    for m in re.finditer(r"[^,，;；]+", text[lo:hi]):
        if _NOT_GROUP.search(m.group(0)):
            start = lo + m.end() + 1
    return min(start, hi)


def _group(words: str) -> str | None:
    if "候补" in words:
        return "alternates"
    if "委员" in words or "代表" in words or "组成人员" in words:
        return "members"
    return None


def _read_present_list(text: str, start: int, end: int, att: Attendance) -> None:
    for m in _GROUP_COUNT.finditer(text, start, end):
        group = _group(m.group("who"))
        if group and getattr(att, f"{group}_present") is None:
            setattr(att, f"{group}_present", int(m.group("n")))


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


def _read_attendees(doc: Document, span: Span, att: Attendance, verb: str = "列席") -> None:
    """Groups split at semicolons when the text uses them, else at commas."""
    text = doc.text
    body = text[span.start : span.end]
    sep = "；" if "；" in body else ";" if ";" in body else "，" if "，" in body else ","
    for s, e in split_outside_brackets(body, sep):
        t = trim(text, span.start + s, span.start + e)
        if t.end > t.start and not _NOT_GROUP.search(text[t.start:t.end]):
            att.attendees_groups.append(text[t.start : t.end])
            att.attendees_verbs.append(verb)
