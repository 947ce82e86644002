"""Seed documents cleaned and chunked with the real stages, and a tiny keyword retriever (tests only)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from huiyi.config import Settings
from huiyi.index.chunk import chunk_document
from huiyi.index.clean import clean_text
from huiyi.index.facts import document_facts
from huiyi.index.meta import extract_meta
from huiyi.index.records import Chunk, Document, SearchHit

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def make_document(raw: str, doc_id: str) -> Document:
    cleaned = clean_text(raw)
    meta = extract_meta(cleaned.text, doc_id, cleaned.removed)
    digest = hashlib.sha256(cleaned.text.encode()).hexdigest()
    return Document(id=doc_id, source=doc_id, content_hash=digest, raw_hash=digest, text=cleaned.text, meta=meta,
                    removed=cleaned.removed, facts=document_facts(cleaned.text, meta))


class Corpus:
    """Documents + chunks; `hits(question)` ranks chunks by character-bigram overlap (a stand-in for Index.search)."""

    def __init__(self, docs: list[Document]):
        settings = Settings()
        self.docs = {d.id: d for d in docs}
        self.chunks: list[Chunk] = [c for d in docs for c in chunk_document(d, settings)]

    def document(self, doc_id: str) -> Document:
        return self.docs[doc_id]

    def search_many(self, queries, k, filters=None, modes=None) -> list[list[SearchHit]]:
        allowed = set(filters.doc_ids) if filters is not None and filters.doc_ids else None
        return [[h for h in self.hits(q, 4 * k) if allowed is None or h.doc_id in allowed][:k] for q in queries]

    def known_records(self) -> dict:
        from huiyi.index.staging import record_of

        return {d.id: record_of(d, []) for d in self.docs.values()}

    def get_text(self, doc_id: str) -> str:
        return self.docs[doc_id].text

    def get_meta(self, doc_id: str):
        return self.docs[doc_id].meta

    def hits(self, question: str, k: int = 10) -> list[SearchHit]:
        grams = {question[i:i + 2] for i in range(len(question) - 1)}
        scored = sorted(self.chunks, key=lambda c: -sum(g in c.text for g in grams))[:k]
        return [SearchHit(chunk_id=c.id, doc_id=c.doc_id, title=self.docs[c.doc_id].meta.title, text=c.text,
                          start=c.start, end=c.end, score=1.0 / (i + 1)) for i, c in enumerate(scored)]


@pytest.fixture(scope="session")
def seeds() -> Corpus:
    docs = [make_document(p.read_text(encoding="utf-8"), p.stem) for p in sorted(SEEDS.glob("*.txt"))]
    return Corpus(docs)
