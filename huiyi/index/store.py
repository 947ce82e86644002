"""Storage: vectors in Chroma (a chunks collection) and document rows beside them (huiyi.index.docstore).

Document rows (record, cleaned text, facts, status) live in a SQLite file beside the local Chroma
directory, or, with a Chroma server, in a collection of that server so every worker shares them.

Visibility rule: a document is visible only when its row has status "ready", and that row is
written last, after every chunk. Replacing a document first flips its row to "pending". On open,
chunks without a ready row are garbage-collected, so an ingest killed midway leaves no half
document behind. Several documents may be published together (`put_documents`): their chunks are
all written first, then their rows in one transaction.

A local data directory belongs to one process (huiyi.index.lock). While a process has it open a marker
file says so; a marker found at open means the last process died without closing, and then every ready
document must also have all its chunks readable, else it is withdrawn (`collect_garbage(verify=True)`).
Fault points (huiyi.faults) in the chunk writes and before publishing let crash tests kill the process there.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from huiyi import faults
from huiyi.config import Settings
from huiyi.errors import StoreMismatch, StoreUnavailable
from huiyi.index import lock as data_lock
from huiyi.index.docstore import PENDING, READY, ChromaRows, DocRows, SqliteRows, migrate_local_rows
from huiyi.index.records import Chunk, Document, DocumentRecord

log = logging.getLogger(__name__)

DIRTY_MARKER = "huiyi.open"  # exists while a process has the store open; left behind by a crash
NO_DATE = -1
__all__ = ["READY", "PENDING", "ChromaStore", "StoredChunk", "date_ord", "make_client", "rows_path"]


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store (dense search results carry a distance)."""

    chunk: Chunk
    distance: float | None = None


def date_ord(day: dt.date | None) -> int:
    return day.toordinal() if day else NO_DATE


def make_client(settings: Settings) -> Any:
    """PersistentClient under the data dir, or HttpClient when a server URL is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            ssl = url.scheme == "https"
            port = url.port or (443 if ssl else 8000)
            return chromadb.HttpClient(host=url.hostname or "localhost", port=port, ssl=ssl, settings=chroma_settings)
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
        where = settings.chroma_url or str(settings.store_dir)
        raise StoreUnavailable(f"Cannot open the Chroma store at {where}: {exc}. Check HUIYI_CHROMA_URL / HUIYI_DATA_DIR.") from exc


class ChromaStore:
    """Chunks (vectors) in Chroma and document rows in `rows`. All writes go through here."""

    def __init__(self, client: Any, prefix: str, embed_name: str, embed_dim: int, rows: DocRows | None = None):
        self.client = client
        self.embed_name = embed_name
        self.embed_dim = embed_dim
        self.chunks_name = f"{prefix}_chunks"
        self.docs_name = f"{prefix}_documents"
        self.batch = max(1, min(int(client.get_max_batch_size()), 1000))
        self.chunks = client.get_or_create_collection(
            self.chunks_name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embed_model": embed_name, "embed_dim": int(embed_dim)},
            embedding_function=None,
        )
        self._check_embedding()
        self.rows: DocRows = rows if rows is not None else ChromaRows(client, self.docs_name)
        self._count_at: tuple[float, int] | None = None  # (read at, chunk count); reset by every write here
        self._lock_key: Path | None = None
        self._marker: Path | None = None

    @classmethod
    def open(cls, settings: Settings, embed_name: str, embed_dim: int) -> ChromaStore:
        # A local data directory belongs to one process: lock it before Chroma, SQLite or our GC touch it.
        key = None if settings.chroma_url else data_lock.acquire(settings.data_dir)
        rows: DocRows | None = None
        try:
            client = make_client(settings)
            if key is not None:  # one process owns a local store: its rows live in SQLite beside Chroma
                rows = SqliteRows(rows_path(settings))
            store = cls(client, settings.collection, embed_name, embed_dim, rows)
            store._lock_key = key
            if isinstance(rows, SqliteRows):
                migrate_local_rows(client, store.docs_name, rows)
            # A marker present at open means the last process died without close(): check every document.
            marker = None if key is None else key / DIRTY_MARKER
            crashed = marker is not None and marker.exists()
            store.collect_garbage(verify=crashed)
            if marker is not None:
                marker.touch()
                store._marker = marker
        except BaseException:
            if rows is not None:
                rows.close()
            if key is not None:
                data_lock.release(key)
            raise
        return store

    def close(self) -> None:
        """Close the document rows and release the data directory (the Chroma client needs no closing)."""
        if self._marker is not None:
            self._marker.unlink(missing_ok=True)
            self._marker = None
        self.rows.close()
        if self._lock_key is not None:
            data_lock.release(self._lock_key)
            self._lock_key = None

    def _check_embedding(self) -> None:
        meta = self.chunks.metadata or {}
        name, dim = meta.get("embed_model"), meta.get("embed_dim")
        if name != self.embed_name or int(dim or -1) != int(self.embed_dim):
            raise StoreMismatch(
                f"The store was built with embedding model {name!r} (dim {dim}), but the configured embedder is "
                f"{self.embed_name!r} (dim {self.embed_dim}). Use the same HUIYI_EMBED_* settings as when the store "
                "was built, or point HUIYI_DATA_DIR (or HUIYI_COLLECTION) at a new store and ingest again."
            )

    # ---- version: lets other processes and the keyword index notice changes cheaply

    def version(self) -> str:
        return self.rows.version()

    def fingerprint(self) -> str:
        return f"v{self.version()}-c{self.chunks.count()}-d{self.rows.count()}"

    # ---- documents

    def records(self) -> list[DocumentRecord]:
        return [DocumentRecord.model_validate_json(r["record"]) for r in self.rows.ready_rows()]

    def ready_ids(self) -> set[str]:
        return self.rows.ready_ids()

    def row(self, doc_id: str) -> dict[str, Any] | None:
        """The row's fields (any status) or None."""
        return self.rows.get(doc_id)

    def find_ready(self, **where: str) -> dict[str, Any] | None:
        """The first ready row whose fields match `where` (content_hash=…, raw_hash=…), with its id under "id"."""
        return self.rows.find_ready(**where)

    def record(self, doc_id: str) -> DocumentRecord | None:
        meta = self.row(doc_id)
        if not meta or meta.get("status") != READY:
            return None
        return DocumentRecord.model_validate_json(meta["record"])

    def document(self, doc_id: str) -> Document | None:
        got = self.rows.get_with_text(doc_id)
        if got is None or got[0].get("status") != READY:
            return None
        data = json.loads(got[0]["doc"])
        data["text"] = got[1]
        return Document.model_validate(data)

    def mark_pending(self, doc_id: str | Sequence[str]) -> None:
        """Hide documents (that exist) while their chunks are rewritten."""
        ids = [doc_id] if isinstance(doc_id, str) else list(doc_id)
        self.rows.set_pending([i for i in ids if self.rows.get(i) is not None])

    def put_document(self, doc: Document, record: DocumentRecord, ingest_version: int = 1,
                     source_path: str | None = None) -> None:
        """Write the document row last: from here on the document is visible.

        `source_path`: the local file a trusted operator ingested (lets `huiyi ingest` replace it later)."""
        self.put_documents([(doc, record, ingest_version, source_path)])

    def put_documents(self, items: Sequence[tuple[Document, DocumentRecord, int, str | None]]) -> None:
        """Publish several documents at once (one transaction locally): their chunks must all be written.

        Each item: (document, record, ingest version, source path or None)."""
        self._count_at = None  # the chunks just became visible: re-read the count
        faults.point("before_publish")
        self.rows.publish([(doc.id, _row_fields(doc, record, version, path), doc.text) for doc, record, version, path in items])

    def set_kbs(self, doc_id: str, kbs: Sequence[str]) -> DocumentRecord | None:
        """Rewrite a ready document's knowledge bases (its row only: chunks carry no KB); None if absent."""
        record = self.record(doc_id)
        if record is None:
            return None
        record = record.model_copy(update={"kbs": sorted(set(kbs))})
        self.rows.update_fields(doc_id, {"record": record.model_dump_json()})
        return record

    def delete_document(self, doc_id: str) -> None:
        self.delete_chunks(self.chunk_ids(doc_id))
        self.rows.delete([doc_id])

    # ---- chunks

    def put_chunks(self, chunks: Sequence[Chunk], embeddings: np.ndarray,
                   record: DocumentRecord | Mapping[str, DocumentRecord]) -> None:
        """Write chunks (of one document, or of several with `record` mapping doc id → record)."""
        self._count_at = None
        if len(chunks) != len(embeddings):
            raise ValueError("one embedding per chunk")
        records = record if isinstance(record, Mapping) else None
        batch = 1 if faults.active("chunk_write") else self.batch  # every chunk boundary a crash point
        for lo in range(0, len(chunks), batch):
            faults.point("chunk_write")
            part = chunks[lo : lo + batch]
            self.chunks.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(embeddings[lo : lo + batch], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[_chunk_meta(c, records[c.doc_id] if records is not None else record) for c in part],  # type: ignore[arg-type]
            )

    def chunk_ids(self, doc_id: str) -> list[str]:
        return self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"]

    def get_chunks(self, doc_id: str, with_embeddings: bool = False) -> tuple[list[Chunk], np.ndarray | None]:
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        got = self.chunks.get(where={"doc_id": doc_id}, include=include)
        chunks = [_chunk_from(i, t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])]
        order = sorted(range(len(chunks)), key=lambda i: chunks[i].ord)
        vectors = np.asarray(got["embeddings"])[order] if with_embeddings and chunks else None
        return [chunks[i] for i in order], vectors

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, Chunk]:
        if not ids:
            return {}
        got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: _chunk_from(i, t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])
                if m is not None and t is not None}

    def delete_chunks(self, ids: Sequence[str]) -> None:
        self._count_at = None
        for lo in range(0, len(ids), self.batch):
            self.chunks.delete(ids=list(ids[lo : lo + self.batch]))

    def iter_chunks(self) -> Iterator[tuple[str, str, str]]:
        """(chunk_id, doc_id, text) for every stored chunk, page by page."""
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=self.batch, offset=offset)
            if not got["ids"]:
                return
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                yield cid, str((meta or {}).get("doc_id", "")), text or ""  # a broken record counts as an orphan
            offset += len(got["ids"])

    def _chunk_count(self) -> int:
        """Collection size for capping n_results; re-read at most every 2 s (other workers may write)."""
        now = time.monotonic()
        if self._count_at is None or now - self._count_at[0] > 2.0:
            self._count_at = (now, self.chunks.count())
        return self._count_at[1]

    def query(self, embedding: np.ndarray, n: int, where: dict[str, Any] | None) -> list[StoredChunk]:
        n = min(n, self._chunk_count())
        if n <= 0:
            return []
        got = self.chunks.query(
            query_embeddings=[np.asarray(embedding, dtype=np.float32)],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        rows = list(zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]))
        # A process killed inside an upsert can leave a vector whose record never landed: never show it.
        broken = [i for i, t, m, _ in rows if m is None or t is None]
        if broken:
            log.warning("Skipped %d vectors without a stored chunk (an interrupted write).", len(broken))
        return [StoredChunk(_chunk_from(i, t, m), float(d)) for i, t, m, d in rows if m is not None and t is not None]

    # ---- recovery

    def collect_garbage(self, verify: bool = False) -> int:
        """Drop chunks whose document is absent or not ready, and rows that never became ready.

        A process killed inside an upsert can leave a write in Chroma's log that becomes visible only after
        the store is reopened, so the scan repeats (briefly) until the chunk count matches the ready rows.
        `verify` (after a crash): also withdraw ready documents missing some of their chunks."""
        removed = 0
        for attempt in range(8):
            ready, stale_rows, expected = self.rows.status_summary()
            if not stale_rows and expected == self.chunks.count():
                break  # the common case: nothing was interrupted, no full scan
            orphans = [cid for cid, doc_id, _ in self.iter_chunks() if doc_id not in ready]
            self.delete_chunks(orphans)
            self.rows.delete(stale_rows)
            if orphans or stale_rows:
                log.warning("Removed %d chunks and %d rows left by an interrupted ingest.", len(orphans), len(stale_rows))
            removed += len(orphans)
            time.sleep(0.05 * (attempt + 1))
        if verify:
            removed += self._drop_incomplete()
        return removed

    def _drop_incomplete(self) -> int:
        """After a crash: every ready document must have all its chunks readable, else it is withdrawn.

        Chroma replays its log after a restart, so a shortfall is re-read for a moment before it counts."""
        short: list[str] = []
        expected: dict[str, int] = {}
        found: dict[str, int] = {}
        for attempt in range(10):
            expected = {r["id"]: int(json.loads(r["record"])["chunks"]) for r in self.rows.ready_rows()}
            found = {}
            for _cid, doc_id, _text in self.iter_chunks():
                found[doc_id] = found.get(doc_id, 0) + 1
            short = [i for i, n in expected.items() if found.get(i, 0) < n]
            if not short:
                return 0
            time.sleep(0.2 * (attempt + 1))
        for doc_id in short:
            log.warning("Withdrew %s: only %d of its %d chunks survived an interrupted write.", doc_id,
                        found.get(doc_id, 0), expected[doc_id])
            self.delete_document(doc_id)
        return len(short)


def rows_path(settings: Settings) -> Path:
    """The SQLite file holding a local store's document rows (beside the Chroma directory)."""
    return settings.data_dir / f"{settings.collection}_documents.sqlite3"


def _row_fields(doc: Document, record: DocumentRecord, ingest_version: int, source_path: str | None = None) -> dict[str, Any]:
    return {
        "status": READY,
        "content_hash": doc.content_hash,
        "raw_hash": doc.raw_hash,
        "ingest_version": ingest_version,
        "source": doc.source,
        "region": record.region or "",
        "date_ord": date_ord(record.date),
        "record": record.model_dump_json(),
        "doc": doc.model_dump_json(exclude={"text"}),
        "source_path": source_path or "",
    }


def _chunk_meta(chunk: Chunk, record: DocumentRecord) -> dict[str, Any]:
    # Chroma metadata holds scalars only; region/date live here too so `where` can filter.
    return {
        "doc_id": chunk.doc_id,
        "ord": chunk.ord,
        "start": chunk.start,
        "end": chunk.end,
        "section": chunk.section,
        "tokens": chunk.tokens,
        "region": record.region or "",
        "date_ord": date_ord(record.date),
    }


def _chunk_from(cid: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        id=cid,
        doc_id=str(meta["doc_id"]),
        ord=int(meta["ord"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        section=str(meta.get("section") or ""),
        tokens=int(meta.get("tokens") or 0),
    )
