"""The read side of the index that answering and summarising depend on: search, and documents with their facts.

It holds the one document cache of the process. Writes through this process call `forget()`; with a
Chroma server other workers write too, so there a cached document lives a few seconds only.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from huiyi.index.facts import with_facts
from huiyi.index.records import Document, DocumentRecord, SearchFilters, SearchHit

if TYPE_CHECKING:
    from huiyi.index.pipeline import Index
    from huiyi.index.search import Mode

CACHE_DOCUMENTS = 256
SHARED_STORE_TTL = 5.0  # seconds a cached document is trusted when other workers may write


class Corpus:
    """Search and cached documents over an `Index`; thread-safe."""

    def __init__(self, index: Index, shared_store: bool = False, capacity: int = CACHE_DOCUMENTS):
        self.index = index
        self.ttl = SHARED_STORE_TTL if shared_store else None
        self.capacity = capacity
        self._docs: OrderedDict[str, tuple[float, Document]] = OrderedDict()
        self._generation = 0  # bumped on every write by this process
        self._lock = threading.Lock()

    # ---- search

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[SearchHit]:
        return self.index.search(query, k=k, filters=filters)

    def search_many(self, queries: Sequence[str], k: int, filters: SearchFilters | None = None,
                    modes: Sequence[Mode] | None = None) -> list[list[SearchHit]]:
        return self.index.search_many(queries, k=k, filters=filters, modes=modes)

    # ---- documents

    def records(self) -> list[DocumentRecord]:
        return self.index.documents()

    def known_records(self) -> dict[str, DocumentRecord]:
        """Records by id as search sees them (cheap: no store read while nothing changed)."""
        return self.index.known_records()

    def document(self, doc_id: str) -> Document:
        """The stored document with its facts, from the cache while this process has not written since."""
        now = time.monotonic()
        with self._lock:
            hit = self._docs.get(doc_id)
            if hit is not None and (self.ttl is None or now - hit[0] < self.ttl):
                self._docs.move_to_end(doc_id)
                return hit[1]
            generation = self._generation
        doc = with_facts(self.index.document(doc_id))
        with self._lock:
            if generation == self._generation:  # no write happened while we were reading
                self._docs[doc_id] = (now, doc)
                while len(self._docs) > self.capacity:
                    self._docs.popitem(last=False)
        return doc

    def documents(self, records: Sequence[DocumentRecord] | None = None) -> list[Document]:
        """Every stored document (or those of `records`), re-read only where the content changed."""
        out = []
        for record in records if records is not None else self.records():
            doc = self.document(record.id)
            if doc.content_hash != record.content_hash:  # another worker replaced it
                self._drop(record.id)
                doc = self.document(record.id)
            out.append(doc)
        return out

    def forget(self) -> None:
        """Called after every write: cached documents may be stale."""
        with self._lock:
            self._generation += 1
            self._docs.clear()

    def _drop(self, doc_id: str) -> None:
        with self._lock:
            self._docs.pop(doc_id, None)
