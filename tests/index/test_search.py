"""Hybrid search over a real Chroma store with a tiny deterministic query embedder."""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pytest

from huiyi.config import Settings
from huiyi.index.keyword import KeywordIndex
from huiyi.index.records import Chunk, Document, DocumentMeta, DocumentRecord, SearchFilters
from huiyi.index.search import HybridSearch, _Candidate, allowed_documents, chroma_where, rrf_score, weighted_score
from huiyi.index.store import ChromaStore

DIM = 32


def embed(text: str) -> np.ndarray:
    """Character-bigram hashing: similar strings get similar vectors."""
    v = np.zeros(DIM, dtype=np.float32)
    for i in range(max(1, len(text) - 1)):
        v[int(hashlib.md5(text[i : i + 2].encode()).hexdigest(), 16) % DIM] += 1.0
    return v / (np.linalg.norm(v) or 1.0)


DOCS = {
    "hd": ("衡东县", dt.date(2023, 7, 28), ["上半年,全县GDP增长5.9 %。", "固定资产投资增长15.3 %。", "要攻营商环境。"]),
    "yf": ("雁峰区", dt.date(2023, 9, 13), ["区委书记王燕作工作报告。", "大会应到区委委员35人,实到35人。"]),
    "nodate": (None, None, ["地区生产总值增幅仅为1%。"]),
}


def add(store: ChromaStore, doc_id: str, region, date, sentences) -> None:
    chunks, pos = [], 0
    for i, s in enumerate(sentences):
        chunks.append(Chunk(id=f"{doc_id}:{i:04d}", doc_id=doc_id, ord=i, text=s, start=pos, end=pos + len(s)))
        pos += len(s)
    text = "".join(sentences)
    doc = Document(id=doc_id, source=doc_id, content_hash=doc_id, raw_hash=doc_id, text=text,
                   meta=DocumentMeta(title=f"T-{doc_id}", region=region, date_iso=date))
    record = DocumentRecord(id=doc_id, title=f"T-{doc_id}", source=doc_id, date=date, region=region, chunks=len(chunks),
                            chars=len(text), placeholders=0, content_hash=doc_id, ingested_at="x")
    store.put_chunks(chunks, np.stack([embed(c.text) for c in chunks]), record)
    store.put_document(doc, record)


@pytest.fixture
def searcher(tmp_path) -> HybridSearch:
    store = ChromaStore.open(Settings(data_dir=tmp_path / "d"), "bigram-hash", DIM)
    for doc_id, (region, date, sentences) in DOCS.items():
        add(store, doc_id, region, date, sentences)
    return HybridSearch(store, KeywordIndex("bigram", tmp_path / "kw"), embed)


def test_rrf_rewards_agreement():
    both = _Candidate("x", keyword_rank=2, dense_rank=2)
    one = _Candidate("y", keyword_rank=1)
    assert rrf_score(both) > rrf_score(one) > rrf_score(_Candidate("z", dense_rank=3))
    assert rrf_score(_Candidate("w")) == 0.0


def test_weighted_score_normalises_both_sides():
    c = _Candidate("x", keyword_score=4.0, dense_score=0.85)
    assert weighted_score(c, 8.0, (0.8, 0.9), w_dense=0.5) == pytest.approx(0.5 * 0.5 + 0.5 * 0.5)
    assert weighted_score(c, 0.0, (0.8, 0.9), w_dense=0.0) == 0.0
    assert weighted_score(_Candidate("y", keyword_score=8.0), 8.0, (0.8, 0.9), w_dense=0.3) == pytest.approx(0.7)
    assert weighted_score(_Candidate("z", dense_score=0.8), 1.0, (0.8, 0.8), w_dense=1.0) == 1.0


@pytest.mark.parametrize("fusion", ["rrf", "weighted"])
def test_both_fusions_put_the_agreed_chunk_first(searcher, fusion):
    searcher.fusion = fusion
    assert searcher.search("固定资产投资增长", k=3).hits[0].chunk_id == "hd:0001"


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "dense"])
def test_modes_find_the_number_sentence(searcher, mode):
    hits = searcher.search("固定资产投资增长", k=2, mode=mode).hits
    assert hits[0].chunk_id == "hd:0001"
    assert hits[0].title == "T-hd" and hits[0].text == "固定资产投资增长15.3 %。"
    assert (hits[0].keyword_rank is not None) == (mode != "dense")
    assert (hits[0].dense_rank is not None) == (mode != "keyword")


def test_hybrid_hit_carries_both_ranks_and_timing(searcher):
    outcome = searcher.search("区委书记王燕作工作报告。", k=3)
    top = outcome.hits[0]
    assert top.chunk_id == "yf:0000" and top.keyword_rank == 1 and top.dense_rank == 1
    assert top.dense_score == pytest.approx(1.0, abs=1e-3)
    assert {"embed_ms", "keyword_ms", "dense_ms", "search_ms"} <= set(outcome.timing)
    assert [h.score for h in outcome.hits] == sorted((h.score for h in outcome.hits), reverse=True)


def test_keyword_mode_never_embeds(searcher):
    calls = []
    searcher.embed_query = lambda q: calls.append(q) or embed(q)
    searcher.search("王燕", k=2, mode="keyword")
    assert calls == []


def test_filters_by_doc_region_and_date(searcher):
    def docs(f: SearchFilters) -> set[str]:
        return {h.doc_id for h in searcher.search("增长 区委 地区生产总值", k=10, filters=f).hits}

    assert docs(SearchFilters(doc_ids=["yf"])) == {"yf"}
    assert docs(SearchFilters(region="衡东县")) == {"hd"}
    assert docs(SearchFilters(date_from=dt.date(2023, 8, 1))) == {"yf"}
    assert docs(SearchFilters(date_to=dt.date(2023, 8, 1))) == {"hd"}
    assert docs(SearchFilters(doc_ids=["hd"], region="雁峰区")) == set()
    assert docs(SearchFilters()) == {"hd", "yf", "nodate"}


def test_filter_helpers():
    records = {"a": DocumentRecord(id="a", title="", source="", region="r", date=dt.date(2023, 1, 2), chunks=1, chars=1,
                                   placeholders=0, content_hash="", ingested_at="")}
    assert allowed_documents(records, None) is None
    assert allowed_documents(records, SearchFilters(region="r")) == {"a"}
    assert chroma_where(None, None) is None
    where = chroma_where(SearchFilters(region="r", date_from=dt.date(2023, 1, 1)), {"a"})
    assert where["$and"][0] == {"doc_id": {"$in": ["a"]}} and {"region": "r"} in where["$and"]


def test_keyword_index_follows_the_store(searcher):
    assert searcher.search("营商环境", k=1, mode="keyword").hits[0].doc_id == "hd"
    searcher.store.delete_document("hd")
    searcher.invalidate()
    assert all(h.doc_id != "hd" for h in searcher.search("营商环境", k=5, mode="keyword").hits)
    add(searcher.store, "new", "衡东县", None, ["持续打造营商环境品牌。"])
    searcher.invalidate()
    assert searcher.search("营商环境品牌", k=1, mode="keyword").hits[0].doc_id == "new"


def test_saved_keyword_index_is_reused_when_fresh(searcher, tmp_path):
    searcher.search("营商环境", k=1)
    fresh = HybridSearch(searcher.store, KeywordIndex("bigram", tmp_path / "kw"), embed)
    built = []
    fresh.keyword.build = lambda *a, **k: built.append(1)  # type: ignore[method-assign]
    assert fresh.search("营商环境", k=1, mode="keyword").hits[0].doc_id == "hd"
    assert built == []


def test_always_check_notices_writes_by_another_process(searcher):
    searcher.always_check = True
    searcher.search("王燕", k=1)
    add(searcher.store, "other", None, None, ["另一个进程写入的诸事亨通。"])  # no invalidate() call
    assert searcher.search("诸事亨通", k=1, mode="keyword").hits[0].doc_id == "other"
