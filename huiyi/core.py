"""The service: one object composing the index, the answerers, the summariser and the LLM.

HTTP routes and CLI commands call only this; they never search, prompt or extract themselves.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huiyi.config import Settings
from huiyi.errors import BadInput, HuiyiError, NotFound
from huiyi.index.records import Document, DocumentRecord, SearchFilters, SearchHit

if TYPE_CHECKING:  # heavy modules load lazily so `huiyi --help` stays fast
    from huiyi.index.pipeline import Index, IngestReport, IngestResult
    from huiyi.kb import KnowledgeBase
    from huiyi.llm.client import LLM
    from huiyi.qa.models import AskRequest, AskResponse
    from huiyi.summary.models import MeetingSummary

SUMMARY_FORMATS = ("json", "md", "docx")
RETRIEVAL_K = 10


class Huiyi:
    """Everything a user can do, as methods. Thread-safe for the single-process server."""

    def __init__(self, settings: Settings, index: Index, llm: LLM | None = None):
        from huiyi.index.corpus import Corpus

        self.settings = settings
        self.index = index
        self.llm = llm
        self.corpus = Corpus(index, shared_store=settings.chroma_url is not None)
        self._summary_cache: dict[tuple[str, str], MeetingSummary] = {}
        self._indicator_cache: dict[str, list] = {}  # content hash → extracted indicators
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()  # one writer at a time; readers never wait for a whole ingest

    @classmethod
    def open(cls, settings: Settings | None = None) -> Huiyi:
        from huiyi.index.pipeline import Index
        from huiyi.llm.client import make_llm

        settings = settings or Settings()
        return cls(settings, Index.open(settings), make_llm(settings))

    def close(self) -> None:
        """Release the store (its rows' database and the data directory's lock); call once no request runs."""
        with self._write_lock:
            self.index.close()

    # ---- documents -------------------------------------------------------------------------
    def documents(self, kbs: Sequence[str] | None = None) -> list[DocumentRecord]:
        """Every stored document, or those in any of the knowledge bases `kbs`."""
        from huiyi.kb import in_kbs

        return [r for r in self.index.documents() if in_kbs(r, kbs)]

    def record(self, doc_id: str, kbs: Sequence[str] | None = None) -> DocumentRecord:
        """The document's record; NotFound as well when it lies outside the knowledge bases `kbs`."""
        from huiyi.kb import in_kbs

        record = self.index.record(doc_id)
        if not in_kbs(record, kbs):
            raise NotFound(f"知识库 {', '.join(kbs or [])} 中没有文档 {doc_id} / no document {doc_id!r} in this knowledge base.")
        return record

    # ---- knowledge bases -------------------------------------------------------------------
    def knowledge_bases(self) -> list[KnowledgeBase]:
        from huiyi.kb import knowledge_bases

        return knowledge_bases(self.index.documents())

    def resolve_kbs(self, requested: Sequence[str] | None, allowed: Sequence[str] | None = None) -> list[str] | None:
        """The knowledge bases a request reads (None: all); 404 for unknown names, 403 outside `allowed`."""
        from huiyi.kb import resolve_kbs

        return resolve_kbs(requested, [k.name for k in self.knowledge_bases()], allowed)

    def set_document_kbs(self, doc_id: str, kbs: Sequence[str]) -> DocumentRecord:
        """Put a stored document into exactly these knowledge bases (none: the default one)."""
        from huiyi.kb import DEFAULT_KB, validate_kb_name

        names = sorted({validate_kb_name(k) for k in kbs} - {DEFAULT_KB})
        with self._write_lock:
            return self.index.set_kbs(doc_id, names)

    def document(self, doc_id: str) -> Document:
        return self.index.document(doc_id)

    def _forget_documents(self) -> None:
        self.corpus.forget()

    def ingest_bytes(self, data: bytes, name: str, kb: str | None = None, **options: Any) -> IngestResult:
        """`options`: replace=<doc id>, progress=callback (see Index.ingest_bytes)."""
        kb = _kb_name(kb)
        with self._write_lock:
            try:
                return self.index.ingest_bytes(data, name, kb=kb, **options)
            finally:  # after the write, so a concurrent question cannot re-cache the old version
                self._forget_documents()

    def ingest_text(self, text: str, title: str | None = None, kb: str | None = None, **options: Any) -> IngestResult:
        kb = _kb_name(kb)
        with self._write_lock:
            try:
                return self.index.ingest_text(text, title=title, kb=kb, **options)
            finally:  # after the write, so a concurrent question cannot re-cache the old version
                self._forget_documents()

    def ingest_paths(self, paths: list[Path], on_progress=None, kb: str | None = None) -> IngestReport:
        kb = _kb_name(kb)
        with self._write_lock:
            try:
                return self.index.ingest_paths(paths, on_progress=on_progress, kb=kb)
            finally:  # after the write, so a concurrent question cannot re-cache the old version
                self._forget_documents()

    def delete(self, doc_id: str) -> None:
        with self._write_lock:
            try:
                self.index.delete(doc_id)
            finally:
                self._forget_documents()
            with self._lock:
                self._summary_cache = {k: v for k, v in self._summary_cache.items() if k[0] != doc_id}

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[SearchHit]:
        query = (query or "").strip()
        if not query:
            raise BadInput("搜索词为空:请输入要查找的内容。/ Empty query.", code="empty_query")
        if len(query) > self.settings.max_question_chars:
            raise BadInput(
                f"搜索词过长(上限 {self.settings.max_question_chars} 字)。/ Query too long.",
                code="query_too_long",
            )
        self._check_filters(filters)
        return self.index.search(query, k=k or self.settings.search_k, filters=filters)

    def _check_filters(self, filters: SearchFilters | None) -> None:
        if filters and filters.kbs:
            self.resolve_kbs(filters.kbs)
        if filters and filters.doc_ids:
            known = {r.id for r in self.index.documents()}
            unknown = [d for d in filters.doc_ids if d not in known]
            if unknown:
                raise NotFound(
                    f"未找到文档 {', '.join(unknown)}:请先用 GET /documents 查看可用的文档编号。",
                    code="unknown_document",
                )

    # ---- questions ------------------------------------------------------------------------
    def ask(self, request: AskRequest) -> AskResponse:
        from huiyi.cite.untrusted import mark_response
        from huiyi.qa.answer import answer
        from huiyi.qa.prepare import prepare_request

        self._check_filters(request.filters)
        prepared = prepare_request(request, self.settings.max_question_chars)
        return mark_response(answer(prepared, self.corpus, self.settings, self.llm), self._flags)

    def ask_stream(self, request: AskRequest) -> Iterator[tuple[str, dict]]:
        """Yield (event, data) pairs: delta…, citations, done. Errors surface as exceptions."""
        from huiyi.cite.untrusted import mark_events
        from huiyi.qa.answer import answer_stream
        from huiyi.qa.prepare import prepare_request

        self._check_filters(request.filters)
        prepared = prepare_request(request, self.settings.max_question_chars)
        yield from mark_events(answer_stream(prepared, self.corpus, self.settings, self.llm), self._flags)

    def _flags(self, doc_id: str) -> list:
        """Instruction-like sentences flagged at ingest in `doc_id` (none for an unknown id)."""
        try:
            return self.corpus.document(doc_id).flags
        except HuiyiError:
            return []

    # ---- summaries ------------------------------------------------------------------------
    def summary(self, doc_id: str) -> MeetingSummary:
        from huiyi.summary.service import SUMMARISER_VERSION, summarize

        doc = self.corpus.document(doc_id)
        mode = f"llm:{self.settings.llm_model}" if self.llm else "offline"
        key = (doc.id, f"{doc.content_hash}:{SUMMARISER_VERSION}:{mode}")
        with self._lock:
            cached = self._summary_cache.get(key)
        if cached is not None:
            return cached
        result = summarize(doc, self.settings, self.llm)
        if result.fallback is None:  # an LLM outage must not pin the offline result under the LLM key
            with self._lock:
                self._summary_cache[key] = result
        return result

    def summary_export(self, doc_id: str, fmt: str, variant: str = "clean") -> tuple[bytes, str, str]:
        """Return (body, media type, file name) for a summary in json, md or docx, as the clean 纪要 or the audit copy."""
        from huiyi.summary.export import VARIANTS, to_docx, to_markdown

        if fmt not in SUMMARY_FORMATS:
            raise BadInput(f"不支持的格式 {fmt!r}:可选 json、md、docx。", code="bad_format")
        if variant not in VARIANTS:
            raise BadInput(f"不支持的版本 {variant!r}:可选 clean(纪要)、audit(审核稿)。", code="bad_variant")
        summary = self.summary(doc_id)
        stem = _safe_filename(summary.title or doc_id)
        suffix = "纪要" if variant == "clean" else "纪要审核稿"
        appendix = self.settings.minutes_sources
        if fmt == "md":
            body = to_markdown(summary, variant, sources_appendix=appendix).encode("utf-8")
            return body, "text/markdown; charset=utf-8", f"{stem}-{suffix}.md"
        if fmt == "docx":
            media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            template = self.settings.minutes_template
            if template is not None and not template.is_file():
                raise BadInput(f"纪要模板 {template} 不存在:检查 HUIYI_MINUTES_TEMPLATE。", code="bad_template")
            return to_docx(summary, variant, template=template, sources_appendix=appendix), media, f"{stem}-{suffix}.docx"
        body = summary.model_dump_json(indent=2).encode("utf-8")
        return body, "application/json", f"{stem}-纪要.json"

    def indicators(self, name: str, region: str | None = None, kbs: Sequence[str] | None = None) -> dict:
        from huiyi.summary.indicators import indicator_rows, resolve_indicator

        if not (name or "").strip():
            raise BadInput("请给出指标名称,例如 GDP、固定资产投资。", code="empty_indicator")
        from huiyi.summary.indicators import extract_indicators

        def cached(doc: Document) -> list:
            if doc.content_hash not in self._indicator_cache:
                self._indicator_cache[doc.content_hash] = extract_indicators(doc)
            return self._indicator_cache[doc.content_hash]

        rows = indicator_rows(self._all_documents(kbs), name, region, extract=cached)
        return {"indicator": resolve_indicator(name), "rows": [r.model_dump(mode="json") for r in rows]}

    def _all_documents(self, kbs: Sequence[str] | None = None) -> list[Document]:
        """Every stored document (of the knowledge bases `kbs`); the indicator cache keeps only live content."""
        from huiyi.kb import in_kbs

        records = self.documents()
        live = {r.content_hash for r in records}
        with self._lock:
            self._indicator_cache = {k: v for k, v in self._indicator_cache.items() if k in live}
        return self.corpus.documents([r for r in records if in_kbs(r, kbs)])

    # ---- health ---------------------------------------------------------------------------
    def health(self) -> dict:
        return {
            "status": "ok",
            "documents": len(self.documents()),
            "mode": "llm" if self.llm else "offline",
            "model": self.settings.llm_model if self.llm else None,
            "embedder": self.index.embedder.name,
            "store": "chroma-server" if self.settings.chroma_url else "chroma-local",
            "store_id": store_id(self.settings),
        }


def store_id(settings: Settings) -> str:
    from huiyi.client import store_id as of

    return of(settings)


def _kb_name(kb: str | None) -> str | None:
    """A knowledge base to ingest into; the default one is no knowledge base at all."""
    from huiyi.kb import DEFAULT_KB, validate_kb_name

    name = validate_kb_name(kb) if kb else None
    return None if name == DEFAULT_KB else name


def _safe_filename(text: str) -> str:
    keep = "".join(c for c in text if c.isalnum() or c in "-_()()")
    return keep[:60] or "summary"


def corpus_hash(records: list[DocumentRecord]) -> str:
    payload = json.dumps(sorted((r.id, r.content_hash) for r in records), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def elapsed_ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)
