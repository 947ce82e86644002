"""Document rows: each document's record, cleaned text, facts and visibility status — without vectors.

A row is a dict of scalar fields (status, content_hash, raw_hash, record JSON, …) plus the cleaned text.
Two homes, chosen by the store:
- `SqliteRows` (local mode): a SQLite file beside the Chroma directory. A write is one small transaction,
  O(log n), so ingest cost stays flat as the store grows (benchmarks/profile_ingest.py: the per-document
  upsert into a Chroma collection with a placeholder vector was most of the ingest time and grew with it).
- `ChromaRows` (server mode): a collection in the shared Chroma server, so every worker sees the same rows.
  Chroma has no vector-less collections, so each row carries a one-number placeholder vector.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

READY = "ready"
PENDING = "pending"
# Row fields that may be looked up by value (find_ready); SqliteRows indexes them.
LOOKUP_FIELDS = ("content_hash", "raw_hash", "source_path")


class DocRows(Protocol):
    """What the store needs from a home for document rows."""

    def get(self, doc_id: str) -> dict[str, Any] | None: ...
    def get_with_text(self, doc_id: str) -> tuple[dict[str, Any], str] | None: ...
    def find_ready(self, **where: str) -> dict[str, Any] | None: ...
    def ready_rows(self) -> list[dict[str, Any]]: ...
    def ready_ids(self) -> set[str]: ...
    def status_summary(self) -> tuple[set[str], list[str], int]: ...
    def set_pending(self, ids: Sequence[str]) -> None: ...
    def publish(self, rows: Sequence[tuple[str, dict[str, Any], str]]) -> None: ...
    def update_fields(self, doc_id: str, fields: dict[str, Any]) -> None: ...
    def delete(self, ids: Sequence[str]) -> None: ...
    def version(self) -> str: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


# ---------------------------------------------------------------------------------------------- SQLite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    content_hash TEXT NOT NULL DEFAULT '',
    raw_hash TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    chunks INTEGER NOT NULL DEFAULT 0,
    fields TEXT NOT NULL,   -- JSON: every row field except the two large ones below
    doc BLOB,               -- zlib(JSON of the Document without its text): metadata, facts
    text BLOB               -- zlib(cleaned text)
);
CREATE INDEX IF NOT EXISTS documents_content_hash ON documents (content_hash);
CREATE INDEX IF NOT EXISTS documents_raw_hash ON documents (raw_hash);
CREATE INDEX IF NOT EXISTS documents_source_path ON documents (source_path);
CREATE INDEX IF NOT EXISTS documents_status ON documents (status);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_LARGE = ("doc",)  # row fields stored compressed in their own column


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 1)


def _unpack(blob: bytes | None) -> str:
    return zlib.decompress(blob).decode("utf-8") if blob else ""


class SqliteRows:
    """Rows in one SQLite file (WAL). Thread-safe: one connection behind a lock."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.RLock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives a killed process; Chroma's chunk writes (synchronous FULL)
            # always precede the row, so a row lost to power failure leaves orphan chunks, which open() removes.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)

    # ---- reads

    def _row(self, values: tuple) -> dict[str, Any]:
        doc_id, status, fields, doc = values
        row = json.loads(fields)
        row["status"] = status
        if doc is not None:
            row["doc"] = _unpack(doc)
        row["id"] = doc_id
        return row

    def get(self, doc_id: str) -> dict[str, Any] | None:
        with self._lock:
            got = self._conn.execute("SELECT id, status, fields, NULL FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return self._row(got) if got else None

    def get_with_text(self, doc_id: str) -> tuple[dict[str, Any], str] | None:
        with self._lock:
            got = self._conn.execute("SELECT id, status, fields, doc, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return (self._row(got[:4]), _unpack(got[4])) if got else None

    def find_ready(self, **where: str) -> dict[str, Any] | None:
        if not where or any(k not in LOOKUP_FIELDS for k in where):
            raise ValueError(f"find_ready looks up {LOOKUP_FIELDS} only, not {sorted(where)}")
        clause = " AND ".join(f"{k} = ?" for k in where)
        with self._lock:
            got = self._conn.execute(
                f"SELECT id, status, fields, NULL FROM documents WHERE status = ? AND {clause} ORDER BY id LIMIT 1",
                (READY, *where.values()),
            ).fetchone()
        return self._row(got) if got else None

    def ready_rows(self) -> list[dict[str, Any]]:
        with self._lock:
            got = self._conn.execute("SELECT id, status, fields, NULL FROM documents WHERE status = ? ORDER BY id", (READY,)).fetchall()
        return [self._row(r) for r in got]

    def ready_ids(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._conn.execute("SELECT id FROM documents WHERE status = ?", (READY,))}

    def status_summary(self) -> tuple[set[str], list[str], int]:
        """(ready ids, ids of rows never made ready, chunks the ready rows account for)."""
        with self._lock:
            got = self._conn.execute("SELECT id, status, chunks FROM documents").fetchall()
        ready = {i for i, s, _ in got if s == READY}
        return ready, [i for i, s, _ in got if s != READY], sum(n for _, s, n in got if s == READY)

    def version(self) -> str:
        with self._lock:
            got = self._conn.execute("SELECT value FROM info WHERE key = 'version'").fetchone()
        return got[0] if got else "0"

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def info(self, key: str) -> str | None:
        with self._lock:
            got = self._conn.execute("SELECT value FROM info WHERE key = ?", (key,)).fetchone()
        return got[0] if got else None

    # ---- writes: each one transaction that also moves the version

    def _write(self, statements: Iterable[tuple[str, tuple]]) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._conn.execute(sql, params)
                self._conn.execute(
                    "INSERT INTO info (key, value) VALUES ('version', '1') "
                    "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def set_info(self, key: str, value: str) -> None:
        self._write([("INSERT INTO info (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (key, value))])

    def set_pending(self, ids: Sequence[str]) -> None:
        if ids:
            self._write(("UPDATE documents SET status = ? WHERE id = ?", (PENDING, i)) for i in ids)

    def publish(self, rows: Sequence[tuple[str, dict[str, Any], str]]) -> None:
        """Write ready rows (id, fields, text) in one transaction: all become visible together."""
        self._write(self._upsert(doc_id, fields, text) for doc_id, fields, text in rows)

    def _upsert(self, doc_id: str, fields: dict[str, Any], text: str) -> tuple[str, tuple]:
        small = {k: v for k, v in fields.items() if k not in _LARGE and k not in ("status", "id")}
        record = json.loads(fields["record"]) if "record" in fields else {}
        return (
            "INSERT OR REPLACE INTO documents (id, status, content_hash, raw_hash, source_path, chunks, fields, doc, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, fields.get("status", READY), fields.get("content_hash", ""), fields.get("raw_hash", ""),
             fields.get("source_path", ""), int(record.get("chunks", 0)), json.dumps(small, ensure_ascii=False),
             _pack(fields["doc"]) if fields.get("doc") else None, _pack(text)),
        )

    def update_fields(self, doc_id: str, fields: dict[str, Any]) -> None:
        row = self.get(doc_id)
        if row is None:
            return
        small = {k: v for k, v in {**row, **fields}.items() if k not in _LARGE and k not in ("status", "id")}
        self._write([("UPDATE documents SET fields = ? WHERE id = ?", (json.dumps(small, ensure_ascii=False), doc_id))])

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._write(("DELETE FROM documents WHERE id = ?", (i,)) for i in ids)

    def import_rows(self, rows: Iterable[tuple[str, dict[str, Any], str]], info: dict[str, str]) -> int:
        """Copy rows as they are (any status) and set `info` keys, in one transaction; returns how many rows."""
        items = list(rows)
        statements = [self._upsert(doc_id, fields, text) for doc_id, fields, text in items]
        statements += [("INSERT INTO info (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (k, v)) for k, v in info.items()]
        self._write(statements)
        return len(items)

    def close(self) -> None:
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone is the store again (copyable)
            self._conn.close()


# ---------------------------------------------------------------------------------------------- Chroma

_PLACEHOLDER_VECTOR = [0.0]  # rows are only ever fetched by id or metadata


class ChromaRows:
    """Rows in a Chroma collection (server mode: shared by every worker)."""

    def __init__(self, client: Any, name: str):
        self.client = client
        self.name = name
        self.docs = client.get_or_create_collection(name, metadata={"version": "0"}, embedding_function=None)

    def get(self, doc_id: str) -> dict[str, Any] | None:
        got = self.docs.get(ids=[doc_id], include=["metadatas"])
        return {**got["metadatas"][0], "id": doc_id} if got["ids"] else None

    def get_with_text(self, doc_id: str) -> tuple[dict[str, Any], str] | None:
        got = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        return ({**got["metadatas"][0], "id": doc_id}, got["documents"][0] or "") if got["ids"] else None

    def find_ready(self, **where: str) -> dict[str, Any] | None:
        clauses = [{"status": READY}] + [{k: v} for k, v in where.items()]
        got = self.docs.get(where={"$and": clauses}, include=["metadatas"], limit=1)
        return {**got["metadatas"][0], "id": got["ids"][0]} if got["ids"] else None

    def ready_rows(self) -> list[dict[str, Any]]:
        got = self.docs.get(where={"status": READY}, include=["metadatas"])
        return sorted(({**m, "id": i} for i, m in zip(got["ids"], got["metadatas"] or [])), key=lambda r: r["id"])

    def ready_ids(self) -> set[str]:
        return set(self.docs.get(where={"status": READY}, include=[])["ids"])

    def status_summary(self) -> tuple[set[str], list[str], int]:
        got = self.docs.get(include=["metadatas"])
        ready = {i for i, m in zip(got["ids"], got["metadatas"]) if m.get("status") == READY}
        chunks = sum(json.loads(m["record"])["chunks"] for i, m in zip(got["ids"], got["metadatas"]) if i in ready)
        return ready, [i for i in got["ids"] if i not in ready], chunks

    def version(self) -> str:
        meta = self.client.get_collection(self.name, embedding_function=None).metadata or {}
        return str(meta.get("version", 0))

    def _bump(self) -> None:
        # A fresh random token, not a counter: two workers bumping at once must not both write "n+1".
        self.docs.modify(metadata={"version": uuid.uuid4().hex})

    def count(self) -> int:
        return int(self.docs.count())

    def set_pending(self, ids: Sequence[str]) -> None:
        present = self.docs.get(ids=list(ids), include=[])["ids"] if ids else []
        if present:
            self.docs.update(ids=present, metadatas=[{"status": PENDING}] * len(present))
            self._bump()

    def publish(self, rows: Sequence[tuple[str, dict[str, Any], str]]) -> None:
        if not rows:
            return
        self.docs.upsert(
            ids=[doc_id for doc_id, _, _ in rows],
            embeddings=[_PLACEHOLDER_VECTOR] * len(rows),
            documents=[text for _, _, text in rows],
            metadatas=[{**fields, "status": fields.get("status", READY)} for _, fields, _ in rows],
        )
        self._bump()

    def update_fields(self, doc_id: str, fields: dict[str, Any]) -> None:
        self.docs.update(ids=[doc_id], metadatas=[fields])
        self._bump()

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self.docs.delete(ids=list(ids))
            self._bump()

    def iter_all(self, page: int = 500) -> Iterable[tuple[str, dict[str, Any], str]]:
        """Every row (any status) with its text, page by page (for moving a local store to SqliteRows)."""
        offset = 0
        while True:
            got = self.docs.get(include=["metadatas", "documents"], limit=page, offset=offset)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["metadatas"], got["documents"])
            offset += len(got["ids"])

    def close(self) -> None:
        pass


def migrate_local_rows(client: Any, old_name: str, rows: SqliteRows) -> int:
    """Move the rows of a store written before SqliteRows existed out of Chroma; idempotent, crash-safe.

    The copy commits in one transaction before the old collection is dropped, and `layout` is set with it,
    so an interrupted migration either never happened or only has the drop left to do."""
    if rows.info("layout") == "sqlite":
        _drop_collection(client, old_name)  # a migration interrupted after its commit
        return 0
    try:
        old = ChromaRows(client, old_name) if old_name in _collection_names(client) else None
    except Exception:  # noqa: BLE001 - an unreadable old collection: nothing to move
        old = None
    moved = 0
    if old is not None and old.count():
        items = [(i, {k: v for k, v in m.items() if k != "id"}, t or "") for i, m, t in old.iter_all()]
        moved = rows.import_rows(items, {"layout": "sqlite"})
        log.warning("Moved %d document rows from the Chroma collection %r into %s (a one-time migration).",
                    moved, old_name, rows.path)
    else:
        rows.set_info("layout", "sqlite")
    _drop_collection(client, old_name)
    return moved


def _collection_names(client: Any) -> set[str]:
    return {getattr(c, "name", c) for c in client.list_collections()}


def _drop_collection(client: Any, name: str) -> None:
    if name in _collection_names(client):
        client.delete_collection(name)
