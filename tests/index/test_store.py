"""ChromaStore on a temp dir: round trips, visibility, garbage collection, batching, model mismatch."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from huiyi.config import Settings
from huiyi.errors import StoreMismatch
from huiyi.index.records import Chunk, Document, DocumentMeta, DocumentRecord
from huiyi.index.store import ChromaStore

DIM = 8


def make_doc(doc_id: str, sentences: list[str], region: str | None = None, date: dt.date | None = None):
    text = "".join(sentences)
    chunks, pos = [], 0
    for i, s in enumerate(sentences):
        chunks.append(Chunk(id=f"{doc_id}:{i:04d}", doc_id=doc_id, ord=i, text=s, start=pos, end=pos + len(s), section="一、总体"))
        pos += len(s)
    meta = DocumentMeta(title=f"标题{doc_id}", region=region, date_iso=date)
    doc = Document(id=doc_id, source=f"{doc_id}.txt", content_hash=f"c{doc_id}", raw_hash=f"r{doc_id}", text=text, meta=meta)
    record = DocumentRecord(
        id=doc_id, title=meta.title, source=doc.source, date=date, region=region, chunks=len(chunks),
        chars=len(text), placeholders=0, content_hash=doc.content_hash, ingested_at="2024-01-01T00:00:00+00:00",
    )
    return doc, chunks, record


def vectors(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def put(store: ChromaStore, doc_id: str, sentences: list[str], **kw) -> None:
    doc, chunks, record = make_doc(doc_id, sentences, **kw)
    store.put_chunks(chunks, vectors(len(chunks)), record)
    store.put_document(doc, record)


def test_round_trip_document_record_chunks(settings):
    store = ChromaStore.open(settings, "test-model", DIM)
    put(store, "a", ["第一句。", "第二句,增长5.9 %。"], region="衡东县", date=dt.date(2023, 7, 28))
    assert [r.id for r in store.records()] == ["a"]
    doc = store.document("a")
    assert doc is not None and doc.text == "第一句。第二句,增长5.9 %。" and doc.meta.region == "衡东县"
    chunks, vecs = store.get_chunks("a", with_embeddings=True)
    assert [c.ord for c in chunks] == [0, 1] and vecs.shape == (2, DIM)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
    assert store.record("missing") is None and store.document("missing") is None


def test_reopen_keeps_data_and_nothing_is_downloaded(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # Chroma's ONNX default would land under ~/.cache
    store = ChromaStore.open(settings, "test-model", DIM)
    put(store, "a", ["一句话。"])
    again = ChromaStore.open(settings, "test-model", DIM)
    assert [r.id for r in again.records()] == ["a"]
    assert not (tmp_path / "home" / ".cache" / "chroma").exists()


def test_mismatched_embedder_is_a_clear_error(settings):
    ChromaStore.open(settings, "multilingual-e5-small-q4", 384)
    with pytest.raises(StoreMismatch) as err:
        ChromaStore.open(settings, "bge-m3", 1024)
    assert err.value.code == "embedding_mismatch"
    assert "HUIYI_EMBED" in err.value.message and "HUIYI_DATA_DIR" in err.value.message
    with pytest.raises(StoreMismatch):
        ChromaStore.open(settings, "other-name", 384)


def test_chunks_without_ready_row_are_invisible_and_collected(settings):
    store = ChromaStore.open(settings, "test-model", DIM)
    put(store, "done", ["完整文档。"])
    # An ingest killed after the chunks but before the document row:
    _, chunks, record = make_doc("half", ["一半。", "另一半。"])
    store.put_chunks(chunks, vectors(2), record)
    assert [r.id for r in store.records()] == ["done"] and store.document("half") is None
    reopened = ChromaStore.open(settings, "test-model", DIM)
    assert reopened.chunk_ids("half") == []
    assert reopened.chunk_ids("done") == ["done:0000"]


def test_pending_row_is_hidden_then_collected(settings):
    store = ChromaStore.open(settings, "test-model", DIM)
    put(store, "a", ["旧版本。"])
    store.mark_pending("a")  # a replacement that never finished
    assert store.records() == [] and store.record("a") is None
    reopened = ChromaStore.open(settings, "test-model", DIM)
    assert reopened.row("a") is None and reopened.chunk_ids("a") == []


def test_writes_are_split_into_batches(settings):
    store = ChromaStore.open(settings, "test-model", DIM)
    store.batch = 3  # Chroma's real limit is thousands; force several round trips
    put(store, "big", [f"第{i}句。" for i in range(10)])
    assert len(store.chunk_ids("big")) == 10
    assert len(list(store.iter_chunks())) == 10
    store.delete_document("big")
    assert store.chunks.count() == 0 and store.records() == []


def test_version_changes_on_every_write(settings):
    store = ChromaStore.open(settings, "test-model", DIM)
    v0 = store.fingerprint()
    put(store, "a", ["一。"])
    v1 = store.fingerprint()
    store.delete_document("a")
    assert len({v0, v1, store.fingerprint()}) == 3


def test_dense_query_filters_by_where(settings):
    store = ChromaStore.open(settings, "test-model", DIM)
    put(store, "a", ["甲。", "乙。"], region="衡东县")
    put(store, "b", ["丙。"], region="雁峰区")
    q = vectors(1, seed=5)[0]
    assert {h.chunk.doc_id for h in store.query(q, 10, None)} == {"a", "b"}
    assert {h.chunk.doc_id for h in store.query(q, 10, {"region": "雁峰区"})} == {"b"}
    assert all(0.0 <= h.distance <= 2.0 for h in store.query(q, 10, None))
