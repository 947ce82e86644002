"""The development cases of the special question kinds (comparisons, document-level, lists) through Huiyi.ask.

    PYTHONPATH=. .venv/bin/python benchmarks/kinds_dev.py              # per-kind accuracy, dev parts only
    PYTHONPATH=. .venv/bin/python benchmarks/kinds_dev.py --failures   # also each failing case

"strict" also fails a comparison whose verdict (its first sentence) does not name the expected winner.

A stand-in for `huiyi eval --set … --split dev` until the multi-set harness is on main. Stores are built once
under $HUIYI_KINDS_DIR (default /tmp/kinds-evalstore): the seeds, the meetings' dev corpus, and the gov reports
without the test part's seven (the dev questions' reports and the other distractors). Only *.dev.jsonl is read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path, PurePath

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from huiyi.config import Settings  # noqa: E402
from huiyi.core import Huiyi  # noqa: E402
from huiyi.evals.metrics import case_passed, citation_validity, ungrounded_numbers  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402
from huiyi.index.records import SearchFilters  # noqa: E402
from huiyi.qa.models import AskRequest, ChatTurn  # noqa: E402

GOLD = REPO / "huiyi" / "evals" / "gold"
CORPORA = REPO / "huiyi" / "evals" / "corpora"
# The gov test part's reports stay out of this store: they are never opened while tuning.
GOV_TEST_REPORTS = {"beijing", "henan", "jiangsu", "shandong", "shanxi", "xinjiang", "xizang"}
KINDS = {"compare": {"compare"}, "doc_level": {"doc_level"}, "list": {"list"}, "cross_report": {"cross_report"}}
ALL = "all"  # every development case, so a kind that answers too eagerly shows as a loss elsewhere


def corpus_files(name: str) -> list[Path]:
    if name == "seeds":
        return sorted((REPO / "seeds").glob("*.txt"))
    if name == "meetings":
        return sorted((CORPORA / "meetings" / "dev").glob("*.txt"))
    return sorted(p for p in (CORPORA / "gov").glob("2026_*.txt") if p.stem.split("_", 1)[1] not in GOV_TEST_REPORTS)


def open_service(root: Path, name: str) -> Huiyi:
    settings = Settings(data_dir=root / name, ingest_seeds_on_start=False)
    service = Huiyi(settings, Index.open(settings))
    if not service.documents():
        service.ingest_paths(corpus_files(name))
    return service


def stem(source: str) -> str:
    return PurePath(source.replace("\\", "/")).stem


def run(root: Path, sets: list[str], failures: bool, everything: bool) -> None:
    for name in sets:
        service = open_service(root, name)
        ids = {stem(r.source): r.id for r in service.documents()}
        cases = [json.loads(x) for x in (GOLD / name / "qa.dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        # passed, total, ungrounded, bad cites, strict (a comparison's verdict names the winner)
        tally: dict[str, list[int]] = {k: [0, 0, 0, 0, 0] for k in [*KINDS, ALL]}
        for case in cases:
            kinds = [k for k, tags in KINDS.items() if tags & set(case["type"])]
            if not kinds and not everything:
                continue
            kinds.append(ALL)
            scope = case.get("scope_docs")
            filters = SearchFilters(doc_ids=[ids[d] for d in scope]) if scope else None
            request = AskRequest(question=case["question"], history=[ChatTurn(**t) for t in case.get("history", [])],
                                 filters=filters)
            resp = service.ask(request)
            ok = case_passed(expect_status=case["expect_status"], status=resp.status, answer=resp.answer,
                             answers=case.get("answers", []), all_of=case.get("all_of", []))
            strict = ok and verdict_ok(case, resp.answer)
            ungrounded = len(ungrounded_numbers(resp.answer, [c.quote for c in resp.citations]))
            valid, total = citation_validity(resp.citations, lambda d, s=service: s.document(d).text)
            for k in kinds:
                t = tally[k]
                t[0] += ok
                t[1] += 1
                t[2] += ungrounded
                t[3] += total - valid
                t[4] += strict
            if failures and not strict and (len(kinds) > 1 or everything):
                want = case.get("answers") or case.get("all_of")
                print(f"  FAIL{'' if not ok else ' (verdict)'} {name}/{case['id']} {case['question']}\n       want {want} ({case['expect_status']})\n"
                      f"       got  [{resp.status}] {resp.answer[:300]}")
        for k, (passed, total, ungrounded, invalid, strict) in tally.items():
            if total:
                print(f"{name:9} {k:12} {passed:3}/{total:<3} = {passed / total:.3f}   strict {strict / total:.3f}   "
                      f"ungrounded {ungrounded}   invalid citations {invalid}")


def verdict_ok(case: dict, answer: str) -> bool:
    """A comparison that expects a winner passes only when its verdict (the first sentence) names one: an answer
    listing every place's value contains the winner's name whether or not it picked it."""
    if "compare" not in case["type"] or case["expect_status"] != "answered" or not case.get("answers"):
        return True
    head = answer.split("。", 1)[0]
    return not head.startswith("无法比较") and any(a in head for a in case["answers"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", choices=["gov", "meetings", "seeds"])
    parser.add_argument("--failures", action="store_true")
    parser.add_argument("--all", action="store_true", help="run every development case too (the 'all' row)")
    args = parser.parse_args()
    root = Path(os.environ.get("HUIYI_KINDS_DIR", "/tmp/kinds-evalstore"))
    run(root, args.sets or ["gov", "meetings", "seeds"], args.failures, args.all)


if __name__ == "__main__":
    main()
