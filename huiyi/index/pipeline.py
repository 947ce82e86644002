"""The `Index`: composes load → clean → meta → chunk → embed → store, and searches what it stored.

The pipeline only composes the stage modules: reading one document up to its write (with deduplication
and vector reuse) is `huiyi.index.staging`, many files in batches with progress is `huiyi.index.batch`;
the `Index` owns what the service calls — ingest, replacement, deletion, listing and search.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from huiyi.config import Settings
from huiyi.errors import BadInput, NotFound
from huiyi.index import batch
from huiyi.index import embed as embed_stage
from huiyi.index.batch import IngestError, IngestProgress, IngestReport, ProgressFn
from huiyi.index.ids import validate_doc_id
from huiyi.index.keyword import KeywordIndex
from huiyi.index.records import Chunk, Document, DocumentRecord, SearchFilters, SearchHit
from huiyi.index.search import HybridSearch, Mode, SearchOutcome
from huiyi.index.staging import INGEST_VERSION, IngestResult, LoaderFn, Staged, StageFn, Stager
from huiyi.index.store import ChromaStore


class Index:
    """Everything the service needs from the index; see docs/contracts.md."""

    def __init__(self, settings: Settings, embedder: Any, store: ChromaStore, searcher: HybridSearch):
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.searcher = searcher
        self.stager = Stager(settings, embedder, store, searcher.invalidate)

    @classmethod
    def open(cls, settings: Settings, embedder: Any = None) -> Index:
        limit = getattr(embed_stage, "limit_blas_threads", None)
        if limit is not None:
            limit(settings.blas_threads)
        embedder = embedder or embed_stage.make_embedder(settings)
        store = ChromaStore.open(settings, embedder.name, int(embedder.dim))
        # With a server several workers share the store, so the keyword index lives in memory only.
        tokenizer = settings.keyword_tokenizer
        kw_dir = None if settings.chroma_url else settings.data_dir / f"keyword_{settings.collection}_{tokenizer}"
        searcher = HybridSearch(
            store,
            KeywordIndex(tokenizer, kw_dir),
            embedder.embed_query,
            always_check=bool(settings.chroma_url),
            fusion=settings.search_fusion,  # type: ignore[arg-type]
            w_dense=settings.search_dense_weight,
        )
        return cls(settings, embedder, store, searcher)

    # ---- ingest (ids come from the content; see huiyi.index.staging)

    def ingest_path(self, path: str | Path, kb: str | None = None, progress: StageFn | None = None) -> IngestResult:
        """Ingest a local file (a trusted operator's): a changed version of a file ingested before replaces it."""
        return self.stager.commit(self.stager.stage_path(path, kb, progress), progress)

    def ingest_bytes(
        self,
        data: bytes,
        name: str,
        kb: str | None = None,
        progress: StageFn | None = None,
        *,
        replace: str | None = None,
        source_path: str | None = None,
        loader: LoaderFn | None = None,
    ) -> IngestResult:
        """Store a file's bytes under a content-derived id; `name` only labels it (it never picks the id).

        `kb`: the knowledge base the document joins (it keeps those it was in already).
        `replace`: the id of a stored document this is a new version of (an explicit, authorised operation)."""
        staged = self.stager.stage_bytes(data, name, kb, progress, replace=replace, source_path=source_path, loader=loader)
        return self.stager.commit(staged, progress)

    def ingest_text(
        self,
        text: str,
        title: str | None = None,
        source: str | None = None,
        kb: str | None = None,
        progress: StageFn | None = None,
        *,
        replace: str | None = None,
    ) -> IngestResult:
        """Pasted text; `source` and `title` only label it (the id comes from the content)."""
        return self.stager.commit(self.stager.stage_text(text, title, source, kb, progress, replace=replace), progress)

    def ingest_paths(self, paths: Sequence[str | Path], on_progress: ProgressFn | None = None,
                     kb: str | None = None) -> IngestReport:
        """Ingest files and folders (recursively, supported extensions, sorted); errors do not stop the run.

        Documents are written in batches (huiyi.index.batch): one vector-store write and one row transaction
        for many documents, each batch visible at once when it is complete."""
        return batch.ingest_paths(self.stager, paths, on_progress, kb)

    def write(self, items: Sequence[Staged]) -> list[IngestResult]:
        """Store staged documents together; a failed write leaves none of them visible (Stager.write)."""
        return self.stager.write(items)

    # ---- read / delete / search

    def documents(self) -> list[DocumentRecord]:
        return self.store.records()

    def known_records(self) -> dict[str, DocumentRecord]:
        """The records search sees (kept in step with the store by the searcher; no store read when current)."""
        self.searcher.refresh()
        return self.searcher.records

    def record(self, doc_id: str) -> DocumentRecord:
        record = self.store.record(validate_doc_id(doc_id))
        if record is None:
            raise NotFound(f"没有这个文档 / no document {doc_id!r}; list documents to see the ids.")
        return record

    def document(self, doc_id: str) -> Document:
        doc = self.store.document(validate_doc_id(doc_id))
        if doc is None:
            raise NotFound(f"没有这个文档 / no document {doc_id!r}; list documents to see the ids.")
        return doc

    def close(self) -> None:
        """Release the store's files (the document rows' database)."""
        self.store.close()

    def chunks(self, doc_id: str) -> list[Chunk]:
        self.record(doc_id)
        return self.store.get_chunks(doc_id)[0]

    def set_kbs(self, doc_id: str, kbs: Sequence[str]) -> DocumentRecord:
        self.record(doc_id)
        record = self.store.set_kbs(doc_id, kbs)
        self.searcher.invalidate()
        return record or self.record(doc_id)

    def delete(self, doc_id: str) -> None:
        self.record(doc_id)
        self.store.delete_document(doc_id)
        self.searcher.invalidate()

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: Mode = "hybrid") -> list[SearchHit]:
        return self.search_outcome(query, k, filters, mode).hits

    def search_many(
        self,
        queries: Sequence[str],
        k: int | None = None,
        filters: SearchFilters | None = None,
        modes: Sequence[Mode] | None = None,
    ) -> list[list[SearchHit]]:
        """Search several queries; the dense ones are embedded in one batch.

        `modes` (default all hybrid) lets a caller run lexical expansions keyword-only: query embedding is
        the dominant cost of a search (~20 ms per query on 2 cores)."""
        queries = [q.strip() for q in queries if q and q.strip()]
        if not queries:
            raise BadInput("搜索词为空 / the query is empty.", code="empty_query")
        if filters and filters.doc_ids:
            for doc_id in filters.doc_ids:
                validate_doc_id(doc_id)
        hybrid: list[Mode] = ["hybrid"]
        chosen: list[Mode] = list(modes or hybrid * len(queries))[: len(queries)]
        chosen += hybrid * (len(queries) - len(chosen))
        dense = [q for q, m in zip(queries, chosen) if m != "keyword"]
        batch = getattr(self.embedder, "embed_queries", None)
        vectors = dict(zip(dense, batch(dense))) if batch and len(dense) > 1 else {}
        k = k or self.settings.search_k
        return [self.searcher.search(q, k, filters, m, vector=vectors.get(q)).hits for q, m in zip(queries, chosen)]

    def search_outcome(
        self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: Mode = "hybrid"
    ) -> SearchOutcome:
        """Hits plus timing (embed_ms apart from search_ms)."""
        if not query or not query.strip():
            raise BadInput("搜索词为空 / the query is empty.", code="empty_query")
        if filters and filters.doc_ids:
            for doc_id in filters.doc_ids:
                validate_doc_id(doc_id)
        return self.searcher.search(query.strip(), k or self.settings.search_k, filters, mode)


__all__ = [
    "INGEST_VERSION", "Index", "IngestError", "IngestProgress", "IngestReport", "IngestResult",
    "LoaderFn", "ProgressFn", "Staged", "StageFn",
]
