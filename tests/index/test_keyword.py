"""Keyword index: both tokenizers, BM25 ranking, document masks, persistence, quiet jieba."""

from __future__ import annotations

import subprocess
import sys

import pytest

from huiyi.index.keyword import KeywordIndex, tokenize_bigram, tokenize_jieba

ENTRIES = [
    ("a:0000", "上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%。"),
    ("a:0001", "要攻营商环境,持续打造“投资衡东,诸事亨通”营商环境品牌。"),
    ("b:0000", "区委书记王燕受区委常委会委托向全会作工作报告并讲话。"),
    ("b:0001", "大会应到区委委员35人,实到35人。"),
]


def test_bigram_tokens_keep_numbers_whole_and_pair_characters():
    assert tokenize_bigram("GDP增长5.9 %") == ["gdp", "增长", "5.9"]
    assert tokenize_bigram("县长蒋崇华") == ["县长", "长蒋", "蒋崇", "崇华"]
    assert tokenize_bigram("一、") == ["一"]


def test_jieba_tokens_drop_punctuation():
    tokens = tokenize_jieba("营商环境品牌,“投资衡东”!")
    assert "营商" in tokens or "营商环境" in tokens
    assert not any(t in {",", "“", "”", "!"} for t in tokens)


@pytest.mark.parametrize("tokenizer", ["jieba", "bigram"])
def test_exact_names_and_numbers_rank_first(tokenizer):
    index = KeywordIndex(tokenizer)
    index.build(ENTRIES, "f1")
    assert index.search("区委书记作工作报告", 3)[0][0] == "b:0000"
    assert index.search("规模工业增加值增长多少", 3)[0][0] == "a:0000"
    assert index.search("投资衡东 诸事亨通", 3)[0][0] == "a:0001"
    assert index.search("zzzz", 3) == []


def test_bigrams_find_names_jieba_glues_to_the_next_word():
    # jieba cuts "王燕受区委…" as "王燕受": one reason character bigrams are the default.
    index = KeywordIndex("bigram")
    index.build(ENTRIES, "f1")
    assert index.search("王燕", 3)[0][0] == "b:0000"


def test_mask_restricts_to_allowed_documents():
    index = KeywordIndex("bigram")
    index.build(ENTRIES, "f1")
    hits = index.search("区委 增长", 10, allowed_docs={"a"})
    assert hits and all(cid.startswith("a:") for cid, _ in hits)
    assert index.search("王燕", 10, allowed_docs=set()) == []


def test_empty_index_returns_nothing():
    index = KeywordIndex("jieba")
    index.build([], "empty")
    assert index.search("任何", 5) == []


def test_save_and_load_round_trip(tmp_path):
    directory = tmp_path / "kw"
    first = KeywordIndex("jieba", directory)
    first.build(ENTRIES, "fp-7")
    second = KeywordIndex("jieba", directory)
    assert second.load() and second.fingerprint == "fp-7"
    assert second.search("工作报告", 2) == first.search("工作报告", 2) != []
    # An index saved with another tokenizer is not reused.
    assert KeywordIndex("bigram", directory).load() is False


def test_unknown_tokenizer_is_rejected():
    with pytest.raises(ValueError):
        KeywordIndex("whitespace")


def test_jieba_prints_nothing():
    code = "from huiyi.index.keyword import tokenize_jieba; tokenize_jieba('衡东县召开全会')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout == "" and "Building prefix dict" not in done.stderr


def test_concurrent_builders_and_readers_share_one_directory(tmp_path):
    """Many threads rebuilding into the same folder (the old code shared one .tmp path) while others search."""
    import threading

    directory = tmp_path / "kw"
    indexes = [KeywordIndex("bigram", directory) for _ in range(4)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def build(ix: KeywordIndex, n: int) -> None:
        try:
            for i in range(15):
                extra = [(f"c{n}:{i:04d}", f"第{i}次会议,GDP增长{i}.{n}%。")]
                ix.build(ENTRIES + extra, f"f{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - the test reports every failure
            errors.append(exc)

    def read(ix: KeywordIndex) -> None:
        try:
            while not stop.is_set():
                hits = ix.search("区委书记作工作报告", 3)
                assert hits and hits[0][0] == "b:0000"
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    indexes[0].build(ENTRIES, "f0")
    readers = [threading.Thread(target=read, args=(indexes[0],)) for _ in range(3)]
    builders = [threading.Thread(target=build, args=(ix, n)) for n, ix in enumerate(indexes)]
    for t in readers + builders:
        t.start()
    for t in builders:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors, errors[:3]
    fresh = KeywordIndex("bigram", directory)
    assert fresh.load() and fresh.fingerprint in {f"f{n}-14" for n in range(4)}
    assert len([p for p in directory.iterdir() if p.name.startswith("idx-")]) >= 1
    assert not [p for p in directory.iterdir() if p.name.startswith(".CURRENT-")]
