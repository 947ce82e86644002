"""The LLM summariser: map over sections, reduce into one draft, verify in code, merge field by field with offline.

Bounds (a 300,000-character report costs the same as a 10,000-character one beyond this):
- Each prompt carries at most `settings.llm_source_tokens` cl100k tokens of report text.
- At most MAX_MAP_CALLS map calls. When the report needs more parts, the first MAX_MAP_CALLS - 1
  parts are read in order and the last part is a digest: the sentences the offline extraction
  cited beyond them (indicators, speakers, decisions, tasks, key sentences …), in text order,
  within the same budget. The rest of the report is read by the offline summariser only.
- One reduce call when there are several partial drafts (its input capped at the same budget;
  over it, or when the reduce fails, the partials are merged in code).
- Every call shares one deadline, `settings.llm_deadline`; complete_json repairs invalid JSON once.

Merge, field by field (`MeetingSummary.sources` records which summariser filled each field, and
each entry carries its own `source`):
- a field the draft filled and that verified whole (llm_draft.verify_draft) comes from the LLM;
  for list fields the offline entries the LLM did not cover are kept after the LLM's entries;
- a field with any entry that failed verification, or that the draft left empty, is the offline field.
Upstream failure (down, timeout, invalid JSON on every part) returns the offline summary with a note.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from huiyi.cite.locate import contains
from huiyi.config import Settings
from huiyi.errors import UpstreamError, UpstreamTimeout
from huiyi.genre.outline import outline_sections
from huiyi.genre.sentences import split_sentences
from huiyi.index.records import Document
from huiyi.index.tokens import count_tokens
from huiyi.llm.client import LLM, Usage, deadline_after
from huiyi.llm.prompts import summary_map_messages, summary_reduce_messages
from huiyi.llm.structured import InvalidOutput, complete_json, fallback_note
from huiyi.summary.llm_draft import DRAFT_FIELDS, SummaryDraft, verify_draft
from huiyi.summary.models import LIST_FIELDS, SCALAR_FIELDS, MeetingSummary

log = logging.getLogger(__name__)

MAX_MAP_CALLS = 4
CHARS_PER_TOKEN_MAX = 3  # cl100k: Chinese runs ~0.7–1.5 tokens a character; this bounds the text scanned

Window = tuple[int, int]


@dataclass(frozen=True)
class Part:
    windows: tuple[Window, ...]  # spans of doc.text shown together as one part

    def text(self, doc: Document) -> str:
        return "\n".join(doc.text[s:e] for s, e in self.windows)


@dataclass
class SummaryRun:
    """What one LLM summary cost and what happened, for the note and the benchmark."""

    usage: Usage = field(default_factory=Usage)
    calls: int = 0
    parts: int = 0
    digest: bool = False
    rejected: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def spend(self, usage: Usage, calls: int) -> None:
        self.usage = self.usage + usage
        self.calls += calls


def summarize_llm(doc: Document, offline: MeetingSummary, settings: Settings, llm: LLM,
                  run: SummaryRun | None = None) -> MeetingSummary:
    """The offline summary with every field the LLM got right (verified in code) taken from the LLM."""
    run = run if run is not None else SummaryRun()
    deadline = deadline_after(settings.llm_deadline)
    parts = plan_parts(doc, offline, settings.llm_source_tokens)
    if not parts:
        return offline
    run.parts, run.digest = len(parts), len(parts) == MAX_MAP_CALLS and _is_digest(parts[-1])
    try:
        draft = _draft(llm, doc, parts, deadline, settings.llm_source_tokens, run)
    except UpstreamError as exc:
        return _with_note(offline, _upstream_note(exc, settings.llm_deadline))
    if draft is None:
        return _with_note(offline, "LLM 未能给出有效的纪要 JSON,已使用离线抽取结果。")
    windows = [w for p in parts for w in p.windows]
    verified = verify_draft(doc, draft, windows)
    run.rejected = verified.rejected
    for name, why in verified.rejected.items():
        log.info("LLM summary field %s rejected: %s", name, why)
    merged = merge(offline, verified.fields)
    if verified.rejected:
        listed = "、".join(verified.rejected)
        merged = _with_note(merged, f"LLM 给出的 {listed} 未通过原文核验,这些字段使用离线抽取结果。")
    return merged


# ---- parts --------------------------------------------------------------------------------------


def plan_parts(doc: Document, offline: MeetingSummary, budget: int) -> list[Part]:
    """Parts of at most `budget` tokens, cut at outline headings then sentences; a digest when there are too many."""
    text = doc.text
    scan = min(len(text), MAX_MAP_CALLS * budget * CHARS_PER_TOKEN_MAX)
    cuts = sorted({0, scan, *(off for off, _ in outline_sections(text[:scan]) if 0 < off < scan)})
    total = count_tokens(text[:scan])
    # Balanced parts: ~equal shares of the text rather than full parts and a sliver at the end.
    shares = max(1, math.ceil(total / (0.9 * budget)))  # 10% headroom: sentences do not cut evenly
    limit = min(budget, math.ceil(total / shares * 1.1))
    pieces = [w for s, e in zip(cuts, cuts[1:]) for w in _fit(text, s, e, limit)]
    parts = _pack(text, pieces, limit)
    if len(parts) > 1 and count_tokens(text[parts[-2][0]:parts[-1][1]]) <= budget:
        parts[-2:] = [(parts[-2][0], parts[-1][1])]
    if not parts or (scan == len(text) and len(parts) <= MAX_MAP_CALLS):
        return [Part((p,)) for p in parts]
    kept = parts[:MAX_MAP_CALLS - 1]
    return [Part((p,)) for p in kept] + [_digest(doc, offline, kept[-1][1], budget)]


def _fit(text: str, start: int, end: int, budget: int) -> list[Window]:
    """[start, end) as one window, or packed runs of its sentences when it is over budget."""
    if count_tokens(text[start:end]) <= budget:
        return [(start, end)]
    return _pack(text, [(start + a, start + b) for a, b in split_sentences(text[start:end])], budget)


def _pack(text: str, pieces: list[Window], limit: int) -> list[Window]:
    """Consecutive pieces joined while the joined text stays within `limit` tokens."""
    out: list[Window] = []
    for s, e in pieces:
        if out and count_tokens(text[out[-1][0]:e]) <= limit:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _digest(doc: Document, offline: MeetingSummary, after: int, budget: int) -> Part:
    """Offline-cited sentences past `after`, in text order, within the budget."""
    spans = sorted({(c.start, c.end) for c in _offline_citations(offline) if c.start >= after})
    out: list[Window] = []
    used = 0
    for s, e in spans:
        if out and s < out[-1][1]:
            continue  # overlapping citations: the first covers it
        cost = count_tokens(doc.text[s:e]) + 1
        if used + cost > budget:
            break
        out.append((s, e))
        used += cost
    return Part(tuple(out) or ((after, after),))


def _is_digest(part: Part) -> bool:
    return len(part.windows) != 1


def _offline_citations(summary: MeetingSummary):
    for name in (*SCALAR_FIELDS, *LIST_FIELDS):
        value = getattr(summary, name)
        for entry in value if isinstance(value, list) else [value]:
            if entry is not None:
                yield from entry.citations


# ---- map and reduce --------------------------------------------------------------------------------


def _draft(llm: LLM, doc: Document, parts: list[Part], deadline: float, budget: int,
           run: SummaryRun) -> SummaryDraft | None:
    schema = SummaryDraft.model_json_schema()
    title = doc.meta.title
    partials: list[SummaryDraft] = []
    for i, part in enumerate(parts, 1):
        messages = summary_map_messages(title, part.text(doc), i, len(parts), schema)
        try:
            partials.append(_complete(llm, messages, deadline, run))
        except InvalidOutput:
            run.notes.append(f"part {i}: invalid JSON")
        except UpstreamTimeout:
            if not partials:
                raise
            run.notes.append(f"deadline reached after {i - 1} of {len(parts)} parts")
            return merge_drafts(partials)
    if len(partials) <= 1:
        return partials[0] if partials else None
    joined = [p.model_dump_json(exclude_none=True, exclude_defaults=True) for p in partials]
    if sum(count_tokens(j) for j in joined) > budget:
        return merge_drafts(partials)
    try:
        return _complete(llm, summary_reduce_messages(title, joined, schema), deadline, run)
    except UpstreamError as exc:  # the partials are still good; merging them needs no model
        run.notes.append(f"reduce failed ({exc.code}); partials merged in code")
        return merge_drafts(partials)


def _complete(llm, messages, deadline: float, run: SummaryRun) -> SummaryDraft:
    try:
        out = complete_json(llm, messages, SummaryDraft, deadline=deadline)
    except InvalidOutput as exc:
        run.spend(exc.usage, 2)
        raise
    run.spend(out.usage, 2 if out.repaired else 1)
    return out.value


def merge_drafts(drafts: list[SummaryDraft]) -> SummaryDraft:
    """Scalars from the first part that has them, lists concatenated in part order."""
    merged = SummaryDraft()
    for name in DRAFT_FIELDS:
        values = [getattr(d, name) for d in drafts]
        if isinstance(values[0], list):
            setattr(merged, name, [v for vs in values for v in vs])
        else:
            setattr(merged, name, next((v for v in values if v is not None), None))
    return merged


# ---- merge with offline -------------------------------------------------------------------------------


def merge(offline: MeetingSummary, fields: dict[str, object]) -> MeetingSummary:
    """Verified LLM fields over the offline summary; offline list entries the LLM did not cover are kept."""
    out = offline.model_copy(deep=True)
    sources = dict(out.sources)
    for name, value in fields.items():
        if isinstance(value, list):
            if not value:
                continue
            extra = [o for o in getattr(offline, name) if not any(_same_entry(name, v, o) for v in value)]
            value = [*value, *extra]
        setattr(out, name, value)
        sources[name] = "llm"
    out.sources = sources
    out.not_found = out.missing_fields()
    filled = [f for f in (*SCALAR_FIELDS, *LIST_FIELDS) if f not in out.not_found]
    from_llm = [f for f in filled if sources.get(f) == "llm"]
    out.mode = "offline" if not from_llm else "llm" if len(from_llm) == len(filled) else "mixed"
    return out


def _key(name: str, entry) -> str:
    if name == "indicators":
        return f"{entry.name}{entry.value or entry.change or ''}"
    if name == "speakers":
        return entry.name or entry.role or ""
    if name == "tasks":
        return entry.heading or (entry.items[0].text if entry.items else "")
    return getattr(entry, "text", "")


def _same_entry(name: str, a, b) -> bool:
    """Overlapping citations and one key contained in the other (whitespace and punctuation aside)."""
    overlap = any(x.start < y.end and y.start < x.end for x in a.citations for y in b.citations)
    ka, kb = _key(name, a), _key(name, b)
    return overlap and bool(ka and kb) and (contains(ka, kb) or contains(kb, ka))


# ---- notes ----------------------------------------------------------------------------------------------


def _upstream_note(exc: UpstreamError, deadline: float) -> str:
    return fallback_note(exc, deadline, "纪要", "已使用离线抽取结果")


def _with_note(summary: MeetingSummary, note: str) -> MeetingSummary:
    """Attach why (some) fields are offline (MeetingSummary.fallback)."""
    log.info("summary %s: %s", summary.doc_id, note)
    previous = summary.fallback
    return summary.model_copy(update={"fallback": f"{previous} {note}" if previous else note})
