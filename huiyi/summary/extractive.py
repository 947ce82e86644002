"""The offline summariser: meeting elements read from the genre's patterns, each with its citation.

It never guesses: a field whose pattern does not occur stays empty and is listed in `not_found`.
This module composes the readers: the layout (reading), the header (basics), the people (participants),
the figures (indicators), the outcomes (outcomes) and the demands (tasks).
"""

from __future__ import annotations

from huiyi.index.records import Document
from huiyi.summary.basics import kind_of_meeting, meeting_date, meeting_host, meeting_name, meeting_place, meeting_region
from huiyi.summary.indicators import placeholder_entries, scan_figures
from huiyi.summary.models import MeetingSummary
from huiyi.summary.outcomes import decisions, honours, key_sentences, slogans
from huiyi.summary.participants import attendance, present_leaders, speakers
from huiyi.summary.patterns import sentences
from huiyi.summary.prose import build_minutes
from huiyi.summary.reading import layout_of
from huiyi.summary.tasks import extract_tasks

CAPS = {"indicators": 200, "placeholders": 200, "slogans": 20, "honours": 30, "decisions": 30, "speakers": 30, "key_sentences": 5}


def summarize_offline(doc: Document) -> MeetingSummary:
    """A MeetingSummary from patterns only; every value cites the text it was read from."""
    text = doc.text
    sents = sentences(text)
    layout = layout_of(doc)
    summary = MeetingSummary(doc_id=doc.id, title=doc.meta.title, kind=layout.kind)
    summary.name, place = meeting_name(doc, layout)
    summary.meeting_type = kind_of_meeting(doc, layout, summary.name)
    summary.place = place or meeting_place(doc, layout, summary.name)
    summary.date = meeting_date(doc, layout, summary.name)
    summary.region = meeting_region(doc, layout, summary.name)
    people, present = speakers(doc, sents, layout)
    summary.host = meeting_host(doc, people, layout)
    summary.speakers = people
    summary.attendance = attendance(doc, sents, present + present_leaders(doc, sents, layout), layout)
    summary.indicators, withheld = scan_figures(doc)
    if layout.kind == "notice":  # "书面材料一式40份" is an arrangement, not a figure the meeting reports
        summary.indicators = []
    summary.placeholders, summary.placeholder_count = placeholder_entries(doc, summary.indicators, CAPS["placeholders"], withheld)
    summary.decisions = decisions(doc, sents, layout)
    summary.tasks = extract_tasks(doc, sents, summary.speakers, layout)
    summary.honours = honours(doc, sents, layout)
    summary.slogans = slogans(doc, layout, summary.region.value if summary.region else None)
    summary.key_sentences = key_sentences(doc, summary, layout)
    _cap(summary)
    summary.minutes = build_minutes(doc, summary, layout)
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
