"""The compact BM25: bm25s's lucene scores from postings, batches that do not change them, .npy round trip."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from huiyi.index.bm25 import CompactBM25
from huiyi.index.keyword import CURRENT, KeywordIndex, tokenize_bigram

TEXTS = [
    "上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%。",
    "要攻营商环境,持续打造“投资衡东,诸事亨通”营商环境品牌。",
    "区委书记王燕受区委常委会委托向全会作工作报告并讲话。",
    "大会应到区委委员35人,实到35人。增长增长增长",
    "。",  # no token at all
]
QUERIES = ["区委 增长", "增长 增长 全县", "营商环境", "实到35人"]


@pytest.mark.parametrize("batch", [1, 2, 2048])
def test_scores_equal_bm25s_lucene(batch):
    import bm25s

    reference = bm25s.BM25()
    reference.index([tokenize_bigram(t) or [""] for t in TEXTS], show_progress=False)
    compact = CompactBM25.build(TEXTS, tokenize_bigram, batch=batch)
    for query in QUERIES:
        tokens = tokenize_bigram(query)
        want = np.asarray(reference.get_scores_from_ids(reference.get_tokens_ids(tokens)), dtype=np.float64)
        got = compact.scores(compact.token_ids(tokens))
        # bm25s counts the empty chunk as one "" token; only the average length differs, by that one token.
        assert np.argsort(-got[:4], kind="stable").tolist() == np.argsort(-want[:4], kind="stable").tolist()
        assert got[4] == 0.0


def test_scores_equal_bm25s_when_every_chunk_has_tokens():
    import bm25s

    texts = TEXTS[:4]
    reference = bm25s.BM25()
    reference.index([tokenize_bigram(t) for t in texts], show_progress=False)
    compact = CompactBM25.build(texts, tokenize_bigram, batch=3)
    for query in QUERIES:
        tokens = tokenize_bigram(query)
        want = np.asarray(reference.get_scores_from_ids(reference.get_tokens_ids(tokens)), dtype=np.float64)
        np.testing.assert_allclose(compact.scores(compact.token_ids(tokens)), want, rtol=1e-5, atol=1e-6)


def test_save_and_memory_mapped_load_give_the_same_scores(tmp_path):
    built = CompactBM25.build(TEXTS, tokenize_bigram)
    built.save(tmp_path / "bm25")
    loaded = CompactBM25.load(tmp_path / "bm25")
    assert isinstance(loaded.postings, np.memmap)
    for query in QUERIES:
        ids = built.token_ids(tokenize_bigram(query))
        assert loaded.token_ids(tokenize_bigram(query)) == ids
        np.testing.assert_array_equal(loaded.scores(ids), built.scores(ids))


def test_chunks_without_tokens_build_quietly(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        index = KeywordIndex("bigram", tmp_path / "kw")
        index.build([("a:0000", "。。"), ("b:0000", "!")], "f")
        assert index.search("会议", 3) == []
        again = KeywordIndex("bigram", tmp_path / "kw")
        assert again.load() and again.chunk_ids == ["a:0000", "b:0000"] and again.search("会议", 3) == []


def test_an_index_saved_in_the_older_format_is_rebuilt_not_read(tmp_path):
    directory = tmp_path / "kw"
    KeywordIndex("bigram", directory).build([("a:0000", TEXTS[0])], "f1")
    folder = directory / (directory / CURRENT).read_text(encoding="utf-8").strip()
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    del state["format"]  # as bm25s-era indexes were saved
    (folder / "state.json").write_text(json.dumps(state), encoding="utf-8")
    assert KeywordIndex("bigram", directory).load() is False


def test_a_reader_keeps_its_memory_mapped_index_while_the_writer_replaces_it(tmp_path):
    """The writer removes the folder it replaced; an index loaded from it (memory-mapped) still answers."""
    directory = tmp_path / "kw"
    writer = KeywordIndex("bigram", directory)
    writer.build([(f"a:{i:04d}", t) for i, t in enumerate(TEXTS)], "f1")
    reader = KeywordIndex("bigram", directory)
    assert reader.load()
    before = reader.search("区委 增长", 3)
    old = directory / (directory / CURRENT).read_text(encoding="utf-8").strip()
    writer.build([("b:0000", "另一份报告")], "f2")
    assert not old.exists()
    assert reader.search("区委 增长", 3) == before != []
    fresh = KeywordIndex("bigram", directory)
    assert fresh.load() and fresh.fingerprint == "f2" and [c for c, _ in fresh.search("报告", 3)] == ["b:0000"]
