"""One-click meeting summaries (会议纪要要素): offline extraction, exports and the cross-report indicator view."""

from __future__ import annotations

from huiyi.summary.extractive import summarize_offline
from huiyi.summary.models import MeetingSummary

__all__ = ["MeetingSummary", "summarize_offline"]
