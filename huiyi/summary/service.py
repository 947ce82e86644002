"""Summary orchestration: offline extraction, optionally refined by the LLM with field-level fallback."""

from __future__ import annotations

from huiyi.config import Settings
from huiyi.index.records import Document
from huiyi.llm.client import LLM
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.models import MeetingSummary

# Bump when the extraction changes so cached summaries are not served stale.
SUMMARISER_VERSION = "2"


def summarize(doc: Document, settings: Settings, llm: LLM | None = None) -> MeetingSummary:
    offline = summarize_offline(doc)
    if llm is None:
        return offline
    from huiyi.summary.llm_summary import summarize_llm

    return summarize_llm(doc, offline, settings, llm)
