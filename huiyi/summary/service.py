"""Summary orchestration: offline extraction, optionally refined by the LLM with field-level fallback."""

from __future__ import annotations

from huiyi.config import Settings
from huiyi.index.records import Document
from huiyi.llm.client import LLM
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.models import MeetingSummary

# Bump when the extraction changes so cached summaries are not served stale.
SUMMARISER_VERSION = "3"


def summarize(doc: Document, settings: Settings, llm: LLM | None = None) -> MeetingSummary:
    if doc.flags:  # planted instructions are never summarised (nor sent to an LLM); offsets stay valid
        from huiyi.index.untrusted import mask

        doc = doc.model_copy(update={"text": mask(doc.text, doc.flags)})
    offline = summarize_offline(doc)
    if llm is None:
        return offline
    from huiyi.llm.client import deadline_after
    from huiyi.summary.llm_prose import polish_minutes
    from huiyi.summary.llm_summary import summarize_llm

    deadline = deadline_after(settings.llm_deadline)  # one budget for the fields and the prose's polish
    summary = summarize_llm(doc, offline, settings, llm)
    sections, note = polish_minutes(doc, summary.minutes, llm, deadline)
    update: dict = {"minutes": sections, "minutes_source": "llm" if note is None and sections else "offline"}
    if note:
        update["fallback"] = f"{summary.fallback} {note}" if summary.fallback else note
    return summary.model_copy(update=update)
