"""CMRC 2018 trial as a general-domain control for the offline answerer: EM and character F1.

Each question is answered by `answer_offline` over its own passage (the passage is the only hit), so
the figure measures answer extraction, not retrieval (benchmarks/retrieval.py measures that). Scores
follow the CMRC 2018 official script: EM after punctuation removal, F1 over mixed segments via the
longest common substring, max over the human answers (huiyi/evals/metrics.py). A refusal scores as
the empty prediction, as a skipped question does in the official script.

Usage:  .venv/bin/python benchmarks/cmrc_answer.py [--limit N] [--predictions out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.evals.metrics import cmrc_em, cmrc_f1  # noqa: E402
from huiyi.qa.extractive import answer_text  # noqa: E402

CMRC = Path(__file__).resolve().parent / "data" / "cmrc2018" / "cmrc2018_trial.json"  # byte-for-byte copy of shared/, see its README


def run(path: Path, limit: int | None) -> dict:
    passages = json.loads(path.read_text(encoding="utf-8"))
    em, f1, latencies, statuses, predictions = [], [], [], Counter(), {}
    for passage in passages:
        text = passage["context_text"]
        for qa in passage["qas"]:
            if limit is not None and len(em) >= limit:
                break
            t0 = time.perf_counter()
            resp = answer_text(qa["query_text"], text, passage["context_id"], passage["title"])
            latencies.append((time.perf_counter() - t0) * 1000)
            prediction = resp.answer if resp.status == "answered" else ""
            statuses[resp.status] += 1
            predictions[qa["query_id"]] = prediction
            em.append(cmrc_em(prediction, qa["answers"]))
            f1.append(cmrc_f1(prediction, qa["answers"]))
    latencies.sort()
    return {
        "questions": len(em),
        "EM": round(100 * statistics.fmean(em), 2),
        "F1": round(100 * statistics.fmean(f1), 2),
        "AVERAGE": round(50 * (statistics.fmean(em) + statistics.fmean(f1)), 2),
        "statuses": dict(statuses),
        "answered_F1": round(100 * statistics.fmean([s for s, p in zip(f1, predictions.values()) if p] or [0]), 2),
        "latency_p50_ms": round(latencies[len(latencies) // 2], 2),
        "latency_p95_ms": round(latencies[int(0.95 * len(latencies))], 2),
        "_predictions": predictions,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=CMRC)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--predictions", type=Path, default=None, help="write {query_id: prediction} here")
    args = p.parse_args(argv)
    result = run(args.data, args.limit)
    predictions = result.pop("_predictions")
    if args.predictions:
        args.predictions.write_text(json.dumps(predictions, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
