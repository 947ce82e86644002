"""Document-level questions: who delivered the report or spoke, who presided, who issued a notice, when and where
the meeting was held, what kind of meeting, at which session.

The answer is a field of the document's header as the summariser reads it (huiyi.summary.basics, .participants:
a notice's headed sections, a speech's byline and occasion line, a release's meeting sentence), for the document
the question is scoped to (filters.doc_ids) or the one the question's place and meeting name point to, and it
cites the sentence the field was read from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from huiyi.genre.meetings import MEETING_NOUN
from huiyi.genre.numbers import CN_NUMERAL
from huiyi.genre.places import region_stem
from huiyi.genre.proceedings import OCCASION_IN_HEAD, SIGNATURE_ORG
from huiyi.index.records import Document
from huiyi.qa.analysis import QuestionAnalysis, content_text
from huiyi.qa.asks import DocAsk, doc_ask
from huiyi.qa.candidates import Candidate
from huiyi.qa.checks import romanised_fit
from huiyi.qa.evidence import QUOTE_MAX_CHARS, DocInfo, Sentence, doc_info
from huiyi.qa.models import AskResponse
from huiyi.qa.reading import Reading, respond


# ---- which document --------------------------------------------------------------------------------------------
def _grams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _named_text(doc: Document) -> tuple[str, str]:
    """(what names the document: its title and meeting name, where it is: its head and signature lines)."""
    from huiyi.summary.basics import meeting_name
    from huiyi.summary.reading import layout_of

    layout = layout_of(doc)
    name, _place = meeting_name(doc, layout)
    names = " ".join(x for x in (layout.title.text if layout.title else doc.meta.title, name.value if name else "") if x)
    text = doc.text.rstrip()
    return names, text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


def _fit(part: QuestionAnalysis, info: DocInfo, doc: Document) -> float | None:
    """How well a document matches what the question names (None: it contradicts the question)."""
    names, where = _named_text(doc)
    fit = 0.0
    for region in part.regions:
        stem = region_stem(region)
        if stem in info.regions or stem in names or stem in where:
            continue
        if stem not in doc.text:
            return None
        fit -= WEAK_PLACE  # named in passing only: another document may be about it
    if part.unknown_names and not romanised_fit(part, Sentence(info, "", 0, 0, 0, 0)):
        return None
    if part.meetings and not set(part.meetings) & info.meetings:
        return None  # the question names a meeting this document is not about
    if part.years and info.years and not set(part.years) & info.years and not any(str(y) in where for y in part.years):
        return None
    compact = re.sub(r"\s+", "", where)
    fit += sum(PERSON_WEIGHT for p in _persons(part.text) if p in compact)  # its speaker, named in its head
    content = content_text(part.text)
    for region in part.regions:
        content = content.replace(region, " ").replace(region_stem(region), " ")
    asked = _grams(content)
    if not asked:
        return fit
    return fit + (len(asked & _grams(names)) + HEAD_WEIGHT * len(asked & _grams(where))) / len(asked)


def _persons(question: str) -> list[str]:
    from huiyi.genre.entities import entities

    return [e.text for e in entities(question, ("PER",)) if len(e.text) >= 2]


PERSON_WEIGHT = 1.0  # a person the question names in the document's head (its byline) points at it
HEAD_CHARS = 400  # a report names itself, its place and its meeting in its first lines …
TAIL_CHARS = 120  # … and a notice its issuing office in its last
WEAK_PLACE = 0.5  # a document that names the asked place only in its body
HEAD_WEIGHT = 0.3  # the head's wording counts less than the title's: a release quotes other meetings' names
MIN_NAME_FIT = 0.25  # unscoped, a question naming no place must share this much of its wording with a document …
MIN_NAME_LEAD = 0.1  # … and that much more than with any other


def pick_document(reading: Reading, part: QuestionAnalysis) -> str | None:
    """The document a document-level question is about: the one it is scoped to, else the retrieved document its
    place, plenum and wording point to (None when nothing points anywhere)."""
    scope = reading.prepared.filters.doc_ids if reading.prepared.filters and reading.prepared.filters.doc_ids else None
    order = list(dict.fromkeys(h.doc_id for h in reading.hits))
    ids = list(scope) if scope else order
    ranked: list[tuple[float, int, str]] = []
    for doc_id in ids:
        doc = reading.document(doc_id)
        info = reading.docs.get(doc_id) or doc_info(doc)
        fit = _fit(part, info, doc)
        if fit is not None:
            ranked.append((fit, order.index(doc_id) if doc_id in order else len(order), doc_id))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    if not ranked:
        return None
    if scope is None and not (part.regions or part.unknown_names or part.meetings or _persons(part.text)):
        # Nothing names the document: only wording that points at one report and no other will do.
        if ranked[0][0] < MIN_NAME_FIT or (len(ranked) > 1 and ranked[0][0] - ranked[1][0] < MIN_NAME_LEAD):
            return None
    return ranked[0][2]


# ---- the header's fields ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DocFact:
    """A header field of one document: the answer and the spans of the text it was read from."""

    doc_id: str
    answer: str
    spans: tuple[tuple[int, int], ...]
    kind: str  # person | org | date | place | clause
    date: dt.date | None = None  # a date field's calendar date, when the year is known


def read_fact(doc: Document, ask: DocAsk, question: str) -> DocFact | None:
    """The asked header field of `doc`, read by the summariser's layout readers; None when it is not there."""
    from huiyi.summary.basics import kind_of_meeting, meeting_date, meeting_host, meeting_name, meeting_place
    from huiyi.summary.participants import speakers
    from huiyi.summary.patterns import sentences
    from huiyi.summary.reading import layout_of

    layout = layout_of(doc)
    if ask.field == "issuer":
        return _issuer(doc)
    name, place = meeting_name(doc, layout)
    if ask.field in ("place", "date", "session", "kind"):
        if ask.field == "place":
            found = place or meeting_place(doc, layout, name)
            return _from_field(doc, found, "place")
        if ask.field == "date":
            date = meeting_date(doc, layout, name)
            if date is None or not date.citations:
                return None
            c = date.citations[0]
            return DocFact(doc.id, _date_answer(date.text, date.iso, date.year_inferred), ((c.start, c.end),),
                           "date", date.iso)
        if ask.field == "session":
            return _session(doc) or _from_field(doc, name if name and _MEETING.search(name.value) else None, "clause")
        kind = kind_of_meeting(doc, layout, name)
        if kind is None or name is None or kind.value in name.value:
            return _from_field(doc, name or kind, "clause")
        c = name.citations[0]
        return DocFact(doc.id, f"{name.value}({kind.value})", ((c.start, c.end),), "clause")
    people, _present = speakers(doc, sentences(doc.text), layout)
    if ask.field == "host":
        host = meeting_host(doc, people, layout)
        if host is None or not host.citations:
            return None
        role = next((p.role for p in people if p.name == host.value and p.role), "")
        c = host.citations[0]
        return DocFact(doc.id, f"{role}{host.value}", ((c.start, c.end),), "person")
    if ask.field == "role":
        compact = re.sub(r"\s", "", question)
        named = [p for p in people if p.name and p.role and p.name in compact]
        if not named or not named[0].citations:
            return None
        c = named[0].citations[0]
        return DocFact(doc.id, named[0].role or "", ((c.start, c.end),), "clause")
    chosen = [p for p in people if p.citations and (p.name or p.role) and _does(p.act, ask.act)]
    if ask.last and chosen:
        chosen = chosen[-1:]
    if not chosen:
        return None
    answer = "、".join(f"{p.role or ''}{p.name or ''}" for p in chosen)
    return DocFact(doc.id, answer, tuple((p.citations[0].start, p.citations[0].end) for p in chosen), "person")


_MEETING = re.compile(MEETING_NOUN)
_CN_NUMERAL = re.compile(CN_NUMERAL)


def _date_answer(written: str, iso: dt.date | None, inferred: bool) -> str:
    """The date as written; one in Chinese numerals (二〇二六年一月二十七日) with its digits first."""
    if iso is None or inferred or not _CN_NUMERAL.search(written) or "年" not in written:
        return written
    return f"{iso.year}年{iso.month}月{iso.day}日({written})"


def _session(doc: Document) -> DocFact | None:
    """The session a report or speech was delivered at, from its head ("——…在某省第十四届人民代表大会第五次会议上")."""
    m = OCCASION_IN_HEAD.search(doc.text, 0, HEAD_CHARS)
    if m is None:
        return None
    return DocFact(doc.id, re.sub(r"\s+", "", m.group("name")), ((m.start("name"), m.end("name")),), "clause")


def _does(acts: str, asked: str) -> bool:
    """Whether a speaker's acts (作工作报告、讲话 …) include the asked one; any act but presiding or attending when none
    is named."""
    done = [a for a in acts.split("、") if a]
    if not asked:
        return any(a not in ("主持", "出席") for a in done)
    return any(asked in a for a in done)


def _from_field(doc: Document, field, kind: str) -> DocFact | None:
    if field is None or not field.citations:
        return None
    c = field.citations[0]
    return DocFact(doc.id, field.value, ((c.start, c.end),), kind)


SIGNATURE_LINES = 6  # a notice is signed in its last lines: the issuing office, then the date


def _issuer(doc: Document) -> DocFact | None:
    """The office that signs a notice: a short line among its last lines naming an office (…人民政府办公室)."""
    text = doc.text.rstrip()
    cut = len(text)
    for _ in range(SIGNATURE_LINES):
        cut = text.rfind("\n", 0, cut)
        if cut < 0:
            cut = 0
            break
    found = list(SIGNATURE_ORG.finditer(text, cut))
    if not found:
        return None
    m = found[-1]
    return DocFact(doc.id, m.group("org"), ((m.start("org"), m.end("org")),), "org")


# ---- the response ----------------------------------------------------------------------------------------------
def fact_candidate(reading: Reading, fact: DocFact) -> Candidate:
    """A candidate citing the sentence(s) each span of `fact` was read from."""
    info = reading.docs.get(fact.doc_id) or doc_info(reading.document(fact.doc_id))
    quotes = [_sentence_around(info, s, e) for s, e in fact.spans]
    quotes = list(dict.fromkeys(quotes))
    s, e = quotes[0]
    hits = [h for h in reading.hits if h.doc_id == fact.doc_id]
    chunk = next((h.chunk_id for h in hits if h.start <= s < h.end), hits[0].chunk_id if hits else "")
    sent = Sentence(info, chunk, s, e, 0, s)
    return Candidate(sent, 1.0, fact.answer, fact.kind, s, e, extra_quotes=quotes[1:])


def _sentence_around(info: DocInfo, start: int, end: int) -> tuple[int, int]:
    """The sentence holding [start, end) (the span itself when that sentence is too long to quote)."""
    covering = [(s, e) for s, e in info.sentences if s < end and start < e]
    if not covering:
        return start, end
    s, e = covering[0][0], covering[-1][1]
    return (s, e) if e - s <= QUOTE_MAX_CHARS else (start, end)


def doc_fact(reading: Reading, part: QuestionAnalysis, ask: DocAsk) -> DocFact | None:
    doc_id = pick_document(reading, part)
    if doc_id is None:
        return None
    return read_fact(reading.document(doc_id), ask, part.text)


def answer_doclevel(reading: Reading) -> AskResponse | None:
    """Who delivered/spoke/presided/issued, when and where, what kind of meeting — from the document's header."""
    a = reading.analysis
    ask = doc_ask(a.text)
    if ask is None:
        return None
    parts = a.parts or (a,)  # 十四届四次全会和十四届五次全会分别在哪天召开: each meeting its own document
    facts = [doc_fact(reading, p, ask) for p in parts]
    if all(f is None or not f.answer for f in facts):
        return None
    picks = [fact_candidate(reading, f) if f is not None and f.answer else None for f in facts]
    for pick in picks:
        if pick is not None:
            pick.answer = _sentence(pick.answer)
    return respond(reading, parts, picks)


def _sentence(answer: str) -> str:
    return answer if answer.endswith("。") else answer + "。"
