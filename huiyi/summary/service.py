"""Summary orchestration: offline extraction, optionally refined by the LLM with field-level fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huiyi.index.records import Document
from huiyi.summary.extractive import summarize_offline

if TYPE_CHECKING:
    from huiyi.core import Huiyi
    from huiyi.summary.models import MeetingSummary

# Bump when the extraction changes so cached summaries are not served stale.
SUMMARISER_VERSION = "1"


def summarize(service: Huiyi, doc: Document) -> MeetingSummary:
    offline = summarize_offline(doc)
    if service.llm is None:
        return offline
    from huiyi.summary.llm_summary import summarize_llm

    return summarize_llm(service, doc, offline)
