"""Document rows beside the vectors: SQLite in local mode, migration of older stores, batched writes whose
cost does not depend on the store's size, and the progress a bulk ingest reports."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from huiyi.config import Settings
from huiyi.errors import StoreUnavailable
from huiyi.evals.harness import resolve_doc_name
from huiyi.index import docstore
from huiyi.index.embed import HashEmbedder
from huiyi.index.keyword import KeywordIndex
from huiyi.index.pipeline import Index, IngestProgress
from huiyi.index.search import HybridSearch
from huiyi.index.store import ChromaStore, make_client, rows_path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
DIM = 64


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", chunk_max_chars=200)


def collections(settings: Settings) -> set[str]:
    return {getattr(c, "name", c) for c in make_client(settings).list_collections()}


def seed_id(index: Index, stem: str) -> str:
    """The content-derived id of the seed report stored from `stem`.txt."""
    return resolve_doc_name(index.documents(), stem)


def old_layout_index(settings: Settings) -> Index:
    """An Index whose rows live in a Chroma collection beside the chunks: how local stores were written before."""
    embedder = HashEmbedder(DIM)
    store = ChromaStore(make_client(settings), settings.collection, embedder.name, DIM)  # rows default to Chroma
    return Index(settings, embedder, store, HybridSearch(store, KeywordIndex("bigram"), embedder.embed_query))


def test_local_rows_live_in_sqlite_and_chroma_holds_only_vectors(settings):
    index = Index.open(settings, HashEmbedder(DIM))
    report = index.ingest_paths([SEEDS])
    assert report.added == 5 and not report.errors
    assert collections(settings) == {"huiyi_chunks"}
    with sqlite3.connect(rows_path(settings)) as conn:
        assert conn.execute("SELECT count(*) FROM documents WHERE status = 'ready'").fetchone()[0] == 5
    wang = seed_id(index, "001_715056be48430865")
    doc = index.document(wang)
    assert "王燕" in doc.text and doc.facts is not None
    again = Index.open(settings, HashEmbedder(DIM))
    assert [r.id for r in again.documents()] == [r.id for r in index.documents()]
    assert again.search("王燕", k=1, mode="keyword")[0].doc_id == wang


def test_a_store_written_before_is_migrated_once(settings, caplog):
    old = old_layout_index(settings)
    old.ingest_paths([SEEDS])
    unfinished = seed_id(old, "004_85b44ce977ed7e00")
    old.store.mark_pending(unfinished)  # a replacement that never finished: must not come back
    wang = seed_id(old, "001_715056be48430865")
    texts = {r.id: old.document(r.id).text for r in old.documents()}
    assert "huiyi_documents" in collections(settings) and not rows_path(settings).exists()

    with caplog.at_level("WARNING"):
        index = Index.open(settings, HashEmbedder(DIM))
    assert "one-time migration" in caplog.text
    assert collections(settings) == {"huiyi_chunks"}
    assert {r.id: index.document(r.id).text for r in index.documents()} == texts
    assert unfinished not in texts and index.store.chunk_ids(unfinished) == []
    assert index.search("王燕", k=1)[0].doc_id == wang
    assert index.ingest_path(SEEDS / "000_4803b7c4fa62c0f1.txt").status == "unchanged"

    caplog.clear()
    with caplog.at_level("WARNING"):
        Index.open(settings, HashEmbedder(DIM))
    assert "migration" not in caplog.text


def test_a_migration_interrupted_after_its_copy_finishes_on_the_next_open(settings, monkeypatch):
    old_layout_index(settings).ingest_paths([SEEDS])

    def crash(client, name):
        raise RuntimeError("killed before the old collection was dropped")

    monkeypatch.setattr(docstore, "_drop_collection", crash)
    with pytest.raises(RuntimeError):
        Index.open(settings, HashEmbedder(DIM))
    monkeypatch.undo()
    index = Index.open(settings, HashEmbedder(DIM))
    assert len(index.documents()) == 5 and collections(settings) == {"huiyi_chunks"}


def test_a_bulk_ingest_writes_many_documents_per_vector_store_call(settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        (folder / f"r{i:02d}.txt").write_text(f"第{i}号报告。全县GDP增长{i}.5%。会议强调,要抓好项目建设。", encoding="utf-8")
    index = Index.open(settings, HashEmbedder(DIM))
    calls: list[str] = []
    upsert = index.store.chunks.upsert
    index.store.chunks.upsert = lambda **kw: (calls.append("upsert"), upsert(**kw))[1]
    publish = index.store.rows.publish
    index.store.rows.publish = lambda rows: (calls.append(f"publish {len(rows)}"), publish(rows))[1]
    report = index.ingest_paths([folder])
    assert report.added == 12 and calls == ["upsert", "publish 12"]


def test_one_document_costs_the_same_store_calls_in_a_small_and_a_grown_store(settings):
    """The structure behind a flat ingest cost: the calls a document makes do not depend on the store's size."""
    index = Index.open(settings, HashEmbedder(DIM))
    counted: dict[str, int] = {}

    def count_calls(obj, names):
        for name in names:
            real = getattr(obj, name)
            setattr(obj, name, lambda *a, _real=real, _name=name, **k: (counted.__setitem__(_name, counted.get(_name, 0) + 1), _real(*a, **k))[1])

    count_calls(index.store.chunks, ["get", "upsert", "delete", "query", "count", "update", "modify"])

    def calls_for(text: str) -> dict[str, int]:
        counted.clear()
        index.ingest_text(text, source=f"{abs(hash(text))}.txt")
        return dict(counted)

    small = calls_for("第一份报告。全县GDP增长5.9%。")
    for i in range(40):
        index.ingest_text(f"填充报告{i}。会议要求,抓好第{i}项工作。", source=f"fill{i}.txt")
    grown = calls_for("第二份报告。全县GDP增长6.1%。")
    assert small == grown == {"upsert": 1}


def test_a_failed_batch_write_leaves_nothing_behind(settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        shutil.copy(SEEDS / "000_4803b7c4fa62c0f1.txt", folder / name)
    index = Index.open(settings, HashEmbedder(DIM))

    def down(items):
        raise StoreUnavailable("the disk went away")

    index.store.put_documents = down
    report = index.ingest_paths([folder])
    assert [e.code for e in report.errors] == ["store_unavailable", "store_unavailable"] and report.added == 0
    assert index.documents() == [] and index.store.chunks.count() == 0


def test_progress_follows_chunks_and_bytes_to_the_end(settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(path, folder / path.name)
    index = Index.open(settings.model_copy(update={"embed_batch": 4}), HashEmbedder(DIM))
    ticks: list[IngestProgress] = []
    report = index.ingest_paths([folder], on_progress=ticks.append)
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert ticks[-1] == IngestProgress(files_done=3, files_total=3, bytes_done=total, bytes_total=total,
                                       chunks_done=report.chunks, current="", stage="done")
    assert [t.bytes_done for t in ticks] == sorted(t.bytes_done for t in ticks)
    assert [t.chunks_done for t in ticks] == sorted(t.chunks_done for t in ticks)
    inside_first = [t for t in ticks if t.stage == "embed" and t.files_done == 0]
    assert len(inside_first) > 3 and 0 < inside_first[1].bytes_done < inside_first[-1].bytes_done  # within one file
    assert {t.stage for t in ticks} == {"parse", "embed", "store", "done"}
