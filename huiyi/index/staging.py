"""One document from bytes to a write: read, clean, metadata, facts, chunks and vectors, then stored.

Deduplication lives here (raw and content hashes): an unchanged file is recognised before it is read
or embedded, and a changed one reuses the vectors of chunks whose text survived. Staged documents are
written together (`Stager.write`), so a batch becomes visible at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from huiyi.config import Settings
from huiyi.errors import BadInput, EmptyDocument, NotFound, TooLarge
from huiyi.index import chunk as chunk_stage
from huiyi.index import clean as clean_stage
from huiyi.index import facts as facts_stage
from huiyi.index import load as load_stage
from huiyi.index import meta as meta_stage
from huiyi.index.ids import doc_id_for_content, sha256_hex, validate_doc_id
from huiyi.index.records import Chunk, Document, DocumentRecord, LoadedText
from huiyi.index.store import READY, ChromaStore
from huiyi.index.untrusted import find_instructions

log = logging.getLogger(__name__)

# Bump when cleaning, metadata or facts change what a stored document holds: unchanged files are then
# read again on their next ingest (only chunks whose text changed are embedded again).
INGEST_VERSION = 4

# Progress of one document: (stage, chunks done, chunks of the document); stage is parse, embed or store.
StageFn = Callable[[str, int, int], None]
# load stage override: (data, name) → LoadedText; the default parses in the sandbox (huiyi.index.sandbox).
LoaderFn = Callable[[bytes, str], LoadedText]


class IngestResult(BaseModel):
    status: Literal["added", "unchanged", "replaced"]
    record: DocumentRecord


@dataclass
class Staged:
    """A document read, chunked and embedded, waiting to be written (Stager.write)."""

    doc: Document
    record: DocumentRecord
    chunks: list[Chunk]
    vectors: np.ndarray
    old_ids: list[str]  # chunk ids of the stored version
    replaced: bool  # a row existed for this id
    source_path: str | None = None  # the local file it was read from (huiyi ingest), kept in its row


class Stager:
    """Reads documents into `Staged` ones (or finds them stored already) and writes them.

    Document ids come from the content (`d_` + the cleaned text's hash), never from a file name: a name only
    labels a document. Replacing a stored document is explicit (`replace=<id>`); `huiyi ingest` of a local
    file replaces the document it stored from that same file before (`source_path`)."""

    def __init__(self, settings: Settings, embedder: Any, store: ChromaStore, changed: Callable[[], None]):
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.changed = changed  # called after every change to what search sees

    def stage_path(self, path: str | Path, kb: str | None, progress: StageFn | None = None) -> IngestResult | Staged:
        """A local file (a trusted operator's): a changed version of a file ingested before replaces it."""
        p = Path(path)
        if not p.is_file() or p.stat().st_size > self.settings.max_upload_bytes:
            load_stage.load_path(p, max_bytes=self.settings.max_upload_bytes)  # raises the precise error
        origin = str(p.resolve())
        previous = self.store.find_ready(source_path=origin)
        return self.stage_bytes(p.read_bytes(), p.name, kb, progress,
                                replace=previous["id"] if previous else None, source_path=origin)

    def stage_bytes(self, data: bytes, name: str, kb: str | None, progress: StageFn | None, *,
                    replace: str | None = None, source_path: str | None = None,
                    loader: LoaderFn | None = None) -> IngestResult | Staged:
        raw_hash = sha256_hex(data)
        found = self._stored(replace, raw_hash=raw_hash, kb=kb)
        if isinstance(found, IngestResult):
            return found
        if progress:
            progress("parse", 0, 0)
        loaded = (loader or self._load)(data, name)
        return self._stage(loaded, raw_hash, None, kb, progress, replace=found or replace, source_path=source_path)

    def stage_text(self, text: str, title: str | None, source: str | None, kb: str | None,
                   progress: StageFn | None, *, replace: str | None = None) -> IngestResult | Staged:
        """Pasted text; `source` and `title` only label it (the id comes from the content)."""
        if len(text.encode("utf-8", "surrogatepass")) > self.settings.max_upload_bytes:
            raise TooLarge(f"文本过长 / the text is over {self.settings.max_upload_bytes} bytes; split it or raise HUIYI_MAX_UPLOAD_BYTES.")
        if not text.strip():
            raise EmptyDocument("文本为空 / the text is empty — paste a report with text in it.")
        raw_hash = sha256_hex(text.encode("utf-8", "surrogatepass"))
        found = self._stored(replace, raw_hash=raw_hash, kb=kb)
        if isinstance(found, IngestResult):
            return found
        normalised = text.replace("\r\n", "\n").replace("\r", "\n")
        loaded = LoadedText(text=normalised, source=source or title or "text", format="txt")
        return self._stage(loaded, raw_hash, title, kb, progress, replace=found or replace)

    def commit(self, staged: IngestResult | Staged, progress: StageFn | None = None) -> IngestResult:
        """Write one staged document (an "unchanged" result passes through)."""
        if isinstance(staged, IngestResult):
            return staged
        if progress:
            progress("store", len(staged.chunks), len(staged.chunks))
        return self.write([staged])[0]

    def write(self, items: Sequence[Staged]) -> list[IngestResult]:
        """Store staged documents: hide the old versions, write every chunk, drop stale ones, then publish
        all the rows last, together. A failed write leaves none of them visible."""
        if len({s.doc.id for s in items}) != len(items):
            raise ValueError("one version of a document per write")
        new_chunk_ids = [c.id for s in items if not s.replaced for c in s.chunks]
        self.store.mark_pending([s.doc.id for s in items if s.replaced])
        try:
            chunks = [c for s in items for c in s.chunks]
            vectors = np.concatenate([s.vectors for s in items])
            self.store.put_chunks(chunks, vectors, {s.doc.id: s.record for s in items})
            self.store.delete_chunks(sorted({i for s in items for i in set(s.old_ids) - {c.id for c in s.chunks}}))
            self.store.put_documents([(s.doc, s.record, INGEST_VERSION, s.source_path) for s in items])
        except BaseException:
            # Chunks of brand-new documents would otherwise linger (without a row) until the next open.
            try:
                self.store.delete_chunks(new_chunk_ids)
            except Exception:  # noqa: BLE001 - the original error matters more; open() collects them anyway
                log.warning("could not remove the chunks of a failed write; the next open removes them")
            raise
        finally:
            self.changed()
        return [IngestResult(status="replaced" if s.replaced else "added", record=s.record) for s in items]

    def _load(self, data: bytes, name: str) -> LoadedText:
        """Parse a file's bytes: in the sandbox (a limited child process) unless HUIYI_PARSE_ISOLATION is off."""
        s = self.settings
        limits = load_stage.LoadLimits(
            max_pages=s.max_pages, max_unzipped_bytes=s.max_unzipped_bytes, max_zip_ratio=s.max_zip_ratio,
            max_chars=s.max_text_chars,
        )
        if not s.parse_isolation:
            return load_stage.load_bytes(data, name, max_bytes=s.max_upload_bytes, limits=limits)
        from huiyi.index.sandbox import SandboxLimits, load_isolated

        load_stage.precheck(data, name, max_bytes=s.max_upload_bytes, limits=limits)  # cheap refusals stay in-process
        sandbox = SandboxLimits(seconds=s.parse_timeout, memory_bytes=s.parse_memory_mb * 1024 * 1024, load=limits)
        return load_isolated(data, name, max_bytes=s.max_upload_bytes, limits=sandbox)

    def _stored(self, replace: str | None, *, raw_hash: str | None = None, content_hash: str | None = None,
                kb: str | None = None) -> IngestResult | str | None:
        """Whether these bytes (or this cleaned text) are stored already.

        Returns "unchanged" with the stored record (joining `kb`), or the id of a document that holds them but
        was read by an older pipeline (read it again, in place), or None. Without `replace` any stored document
        counts; with it only that document (whose existence is checked: NotFound)."""
        if replace is not None:
            row = self.store.row(validate_doc_id(replace))
            if not row or row.get("status") != READY:
                raise NotFound(f"没有这个文档 / no document {replace!r} to replace; upload it as a new document instead.")
            same = bool((raw_hash and row.get("raw_hash") == raw_hash) or (content_hash and row.get("content_hash") == content_hash))
        else:
            key = {"raw_hash": raw_hash} if raw_hash else {"content_hash": content_hash or ""}
            row = self.store.find_ready(**key)
            same = row is not None
        if not same or row is None:
            return None
        if row.get("ingest_version", 1) != INGEST_VERSION:
            return str(row["id"])  # read by an older pipeline (cleaning, metadata, facts): read it again
        record = DocumentRecord.model_validate_json(row["record"])
        if kb and kb not in record.kbs:  # the same report uploaded into another knowledge base joins it
            record = self.store.set_kbs(record.id, [*record.kbs, kb]) or record
            self.changed()
        return IngestResult(status="unchanged", record=record)

    def _new_id(self, content_hash: str) -> str:
        """`d_` + the content hash; longer when a replaced document already holds the short form."""
        for length in (16, 24, 32, 64):
            doc_id = doc_id_for_content(content_hash, length)
            row = self.store.row(doc_id)
            if row is None or row.get("content_hash") == content_hash:
                return doc_id
        raise BadInput("document id collision", code="id_collision")  # pragma: no cover - 256 bits of sha256

    def _stage(self, loaded: LoadedText, raw_hash: str, title: str | None, kb: str | None = None,
               progress: StageFn | None = None, *, replace: str | None = None,
               source_path: str | None = None) -> IngestResult | Staged:
        """Everything up to the write: clean, metadata, facts, chunks and their vectors (or "unchanged")."""
        doc = _prepare(loaded, replace or "d_pending", raw_hash, title)
        found = self._stored(replace, content_hash=doc.content_hash, kb=kb)
        if isinstance(found, IngestResult):
            return found
        doc_id = replace or found or self._new_id(doc.content_hash)
        doc = doc.model_copy(update={"id": doc_id, "facts": facts_stage.document_facts(doc.text, doc.meta)})
        chunks = chunk_stage.chunk_document(doc, self.settings)
        if not chunks:
            raise EmptyDocument(f"{loaded.source}: nothing left to index after cleaning.", code="only_boilerplate")
        previous = self.store.row(doc_id)
        old_kbs = DocumentRecord.model_validate_json(previous["record"]).kbs if previous and previous.get("status") == READY else []
        kbs = sorted({*old_kbs, *([kb] if kb else [])})
        record = record_of(doc, chunks).model_copy(update={"kbs": kbs})
        old_ids, vectors = self._embed(chunks, previous is not None, progress)
        if source_path is None and previous is not None and (previous.get("raw_hash") == raw_hash
                                                             or previous.get("content_hash") == doc.content_hash):
            source_path = previous.get("source_path") or None  # the same report read again keeps its file
        return Staged(doc, record, chunks, vectors, old_ids, replaced=previous is not None, source_path=source_path)

    def _embed(self, chunks: list[Chunk], stored_before: bool = True,
               progress: StageFn | None = None) -> tuple[list[str], np.ndarray]:
        """Vectors for `chunks`, reusing those of identical chunk texts already stored for this document.

        `stored_before` False (no row for this id): there are no old chunks to read, so the vector store is
        not asked (chunks of a document whose write failed are removed by that write, or by the next open)."""
        old_chunks, old_vectors = self.store.get_chunks(chunks[0].doc_id, with_embeddings=True) if stored_before else ([], None)
        reuse = {c.text: old_vectors[i] for i, c in enumerate(old_chunks)} if old_vectors is not None else {}
        todo = [c.text for c in chunks if c.text not in reuse]
        fresh: dict[str, np.ndarray] = {}
        batch = self.settings.embed_batch
        for lo in range(0, len(todo), batch):
            if progress:
                progress("embed", len(chunks) - len(todo) + lo, len(chunks))
            part = todo[lo : lo + batch]
            fresh.update(zip(part, np.asarray(self.embedder.embed_passages(part), dtype=np.float32)))
        if progress:
            progress("embed", len(chunks), len(chunks))
        vectors = np.stack([fresh[c.text] if c.text in fresh else reuse[c.text] for c in chunks])
        return [c.id for c in old_chunks], vectors


def _prepare(loaded: LoadedText, doc_id: str, raw_hash: str, title: str | None) -> Document:
    """Clean the loaded text and read its metadata and flags (the id is settled later)."""
    cleaned = clean_stage.clean_text(loaded.text)
    if not cleaned.text.strip():
        raise EmptyDocument(
            f"{loaded.source}: only web-page boilerplate (menus, captions, footers) was found; upload the report's text.",
            code="only_boilerplate",
        )
    meta = meta_stage.extract_meta(cleaned.text, loaded.source, cleaned.removed)
    if title:
        meta = meta.model_copy(update={"title": title})
    return Document(
        id=doc_id,
        source=loaded.source,
        content_hash=sha256_hex(cleaned.text),
        raw_hash=raw_hash,
        text=cleaned.text,
        meta=meta,
        removed=cleaned.removed,
        format=loaded.format,
        encoding=loaded.encoding,
        hidden=loaded.hidden,
        flags=find_instructions(cleaned.text),
    )


def record_of(doc: Document, chunks: list[Chunk]) -> DocumentRecord:
    """The listing row of a document (what search filters and the document list read)."""
    meta = doc.meta
    return DocumentRecord(
        id=doc.id,
        title=meta.title,
        source=doc.source,
        date=meta.date_iso,
        date_text=meta.date_text,
        year_inferred=meta.year_inferred,
        region=meta.region,
        meeting_type=meta.meeting_type,
        chunks=len(chunks),
        chars=len(doc.text),
        placeholders=len(meta.placeholders),
        content_hash=doc.content_hash,
        ingested_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        hidden_dropped=len(doc.hidden),
        flagged=len(doc.flags),
    )
