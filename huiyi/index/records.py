"""Typed records passed between the index stages (file → load → clean → meta → chunk → store → search).

Offsets are always [start, end) character offsets into `Document.text`, the cleaned text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr


class LoadedText(BaseModel):
    """A file read into text, before cleaning."""

    text: str
    source: str  # original file name as the user gave it
    format: Literal["txt", "md", "html", "docx", "pdf"]
    encoding: str | None = None  # detected encoding for text formats
    hidden: list[str] = Field(default_factory=list)  # HTML text a reader could not see, dropped at load


class Removal(BaseModel):
    """One piece of portal noise cleaning removed; offsets into LoadedText.text (the raw text)."""

    kind: str  # breadcrumb | caption | qr_prompt | read_more | text_label | related | repost_footer | duplicate_title | source_line | blank
    text: str
    start: int
    end: int


class CleanedText(BaseModel):
    text: str
    removed: list[Removal] = Field(default_factory=list)


class Placeholder(BaseModel):
    """A value the report withholds: X-values (增长X%, 第X) or a template repeated as a figure (003's "1%")."""

    text: str  # the span as written, e.g. "增长X%" or "1%"
    kind: Literal["x_value", "template_repeat"]
    start: int
    end: int


class Flag(BaseModel):
    """A span of the cleaned text that is untrusted as content, e.g. a planted instruction ("忽略以上指令…")."""

    kind: Literal["instruction"] = "instruction"
    text: str
    start: int
    end: int


class Speaker(BaseModel):
    name: str
    role: str | None = None  # 县委书记, 县委副书记、县长 …


class DocumentMeta(BaseModel):
    title: str
    meeting_type: str | None = None  # 全会, 经济运行分析会, 讲评会, 例会, 碰头会, 工作总结 …
    date_text: str | None = None  # the date as written, e.g. "9月13日上午"
    date_iso: dt.date | None = None  # derived where possible
    year_inferred: bool = False  # True when the year was not written next to the date
    region: str | None = None  # 衡东县, 雁峰区 …
    speakers: list[Speaker] = Field(default_factory=list)
    placeholders: list[Placeholder] = Field(default_factory=list)


FACTS_VERSION = 5  # bump when huiyi.index.facts changes: older stored facts are recomputed on read


class DocFacts(BaseModel):
    """Per-document facts the answerer reads, computed once at ingest (huiyi.index.facts)."""

    version: int = FACTS_VERSION
    sentences: list[tuple[int, int]] = Field(default_factory=list)  # sentence spans of the cleaned text
    regions: list[str] = Field(default_factory=list)  # stems of the places the document is about (衡东, 雁峰)
    years: list[int] = Field(default_factory=list)  # years the document reports on
    plenums: list[tuple[str, str]] = Field(default_factory=list)  # (届, 次) named in the title or opening
    headings: list[tuple[int, int, str]] = Field(default_factory=list)  # (offset, level, title) of the outline
    entities: list[tuple[int, int, str]] = Field(default_factory=list)  # (start, end, kind) from the lexical model


class Document(BaseModel):
    """A cleaned report. `id` is deterministic: derived from the cleaned text's hash unless the user names it."""

    id: str
    source: str
    content_hash: str  # sha256 of the cleaned text
    raw_hash: str  # sha256 of the original bytes
    text: str  # cleaned text; every offset in the system points here
    meta: DocumentMeta
    removed: list[Removal] = Field(default_factory=list)
    format: str = "txt"
    encoding: str | None = None
    facts: DocFacts | None = None  # None in stores written before facts existed: computed on read
    hidden: list[str] = Field(default_factory=list)  # HTML text a reader could not see, dropped at load
    flags: list[Flag] = Field(default_factory=list)  # instruction-like sentences: quoted only with a mark, never summarised
    _views: dict[str, Any] = PrivateAttr(default_factory=dict)  # per-process views built from the facts

    def view(self, name: str, build: Callable[[Document], Any]) -> Any:
        """A derived read-only view of this document (built once while the document is cached)."""
        if name not in self._views:
            self._views[name] = build(self)
        return self._views[name]


class Chunk(BaseModel):
    id: str  # f"{doc_id}:{ord:04d}"
    doc_id: str
    ord: int
    text: str  # == document.text[start:end]
    start: int
    end: int
    section: str = ""  # outline path, e.g. "一、振奋精神… > 1.部分经济指标稳中有进"
    tokens: int = 0


class DocumentRecord(BaseModel):
    """What lists and the API show for a stored document."""

    id: str
    title: str
    source: str
    date: dt.date | None = None
    date_text: str | None = None
    year_inferred: bool = False
    region: str | None = None
    meeting_type: str | None = None
    chunks: int
    chars: int
    placeholders: int
    content_hash: str
    ingested_at: str  # ISO timestamp
    kbs: list[str] = Field(default_factory=list)  # knowledge bases (知识库) it belongs to; empty: the default one
    hidden_dropped: int = 0  # hidden HTML elements dropped at load (cleaning report)
    flagged: int = 0  # sentences flagged as instructions to the reader


DEFAULT_KB = "default"  # documents stored without a knowledge base, and stores written before they existed


def record_kbs(record: DocumentRecord) -> list[str]:
    return record.kbs or [DEFAULT_KB]


class SearchFilters(BaseModel):
    doc_ids: list[str] | None = None
    kbs: list[str] | None = None  # knowledge bases: a document in any of them passes
    region: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class SearchHit(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    text: str
    start: int
    end: int
    section: str = ""
    score: float  # fused score, higher is better
    keyword_rank: int | None = None  # 1-based rank in the keyword list, None when absent
    dense_rank: int | None = None
    dense_score: float | None = None  # cosine similarity
