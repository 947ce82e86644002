"""CMRC 2018 trial as a general-domain control for the offline answerer: EM and character F1, per split and type.

Each question is answered by `answer_offline` over its own passage (the passage is the only hit), so the
figure measures answer extraction, not retrieval (benchmarks/retrieval.py measures that). The reader,
the fixed dev/test split by passage, the question types and the official-style scoring live in
huiyi/evals/cmrc.py, which `huiyi eval --set cmrc` runs and gates too; this script prints the same
figures for the whole trial set as well, with latency and statuses.

Usage:  .venv/bin/python benchmarks/cmrc_answer.py [--split dev|test|all] [--limit N] [--predictions out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.evals import cmrc  # noqa: E402

CMRC = cmrc.CMRC_TRIAL  # byte-for-byte copy of shared/, see benchmarks/data/cmrc2018/README.md


def run(path: Path, split: str | None, limit: int | None) -> tuple[dict, list[cmrc.CmrcResult]]:
    questions = cmrc.load_questions(path, split)[:limit]
    results = [cmrc.score_question(q, cmrc.offline_reader) for q in questions]
    summary = cmrc.aggregate(results)
    summary["statuses"] = dict(Counter(r.status for r in results))
    summary["by_type"] = cmrc.by_type(results)
    return summary, results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=CMRC)
    p.add_argument("--split", choices=["dev", "test", "all"], default="all")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--predictions", type=Path, default=None, help="write {query_id: prediction} here")
    args = p.parse_args(argv)
    summary, results = run(args.data, None if args.split == "all" else args.split, args.limit)
    if args.predictions:
        predictions = {r.query_id: r.prediction for r in results}
        args.predictions.write_text(json.dumps(predictions, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
