"""Fit the offline answerer's scoring model and refusal threshold on the DEVELOPMENT parts of the gold sets.

For every development question it runs the answerer's own path (prepare → retrieve → read) over a store of
the set's corpus, takes each candidate answer with its evidence features (huiyi/qa/scoring.py FEATURES),
labels it by whether it contains the gold answer, fits a logistic regression (scikit-learn), then sweeps
the refusal threshold over the same questions and writes huiyi/qa/weights.json. The test parts are never
read here: the evals measure them.

Usage:
  .venv/bin/python benchmarks/fit_answerer.py [--stores DIR] [--sets seeds gov meetings] [--dry-run]

Stores are built once under DIR/<set> (default .cache/fit) and reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.config import Settings  # noqa: E402
from huiyi.evals.harness import GoldCase, load_cases  # noqa: E402
from huiyi.evals.metrics import matches_expected  # noqa: E402
from huiyi.index.corpus import Corpus  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402
from huiyi.qa import scoring  # noqa: E402
from huiyi.qa.extractive import retrieve  # noqa: E402
from huiyi.qa.models import ChatTurn  # noqa: E402
from huiyi.qa.prepare import prepare  # noqa: E402
from huiyi.qa.reading import read  # noqa: E402

GOLD = ROOT / "huiyi" / "evals" / "gold"
CORPORA = {
    "seeds": ROOT / "seeds",
    "gov": ROOT / "huiyi" / "evals" / "corpora" / "gov",
    "meetings": ROOT / "huiyi" / "evals" / "corpora" / "meetings" / "dev",
}
PER_PART = 40  # candidates kept per question part


@dataclass
class Row:
    case: str
    features: list[float]
    label: int


@dataclass
class Question:
    """One development question: its candidates' features and labels, per part, best first."""

    case: GoldCase
    parts: list[list[Row]]


def open_store(name: str, root: Path) -> Corpus:
    settings = Settings(data_dir=root / name, ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None,
                        llm_model=None)
    index = Index.open(settings)
    report = index.ingest_paths(sorted(CORPORA[name].glob("*.txt")))
    print(f"store {name}: {report.documents} documents ({report.added} added, {len(report.errors)} errors)")
    return Corpus(index)


def doc_ids(corpus: Corpus, names: list[str]) -> list[str]:
    """Gold names documents by file stem; the store may have given them other ids."""
    by_stem = {Path(r.source).stem: r.id for r in corpus.records()}
    return [by_stem.get(n, n) for n in names]


def good(answer: str, case: GoldCase) -> bool:
    if not case.answerable:
        return False
    return any(matches_expected(answer, a) for a in [*case.answers, *case.all_of])


def collect(corpus: Corpus, cases: list[GoldCase]) -> list[Question]:
    out = []
    for case in cases:
        from huiyi.index.records import SearchFilters

        filters = SearchFilters(doc_ids=doc_ids(corpus, case.scope_docs)) if getattr(case, "scope_docs", None) else None
        prepared = prepare(case.question, [ChatTurn(**t) for t in case.history], filters)
        hits = retrieve(prepared, corpus)
        if not hits:
            out.append(Question(case, []))
            continue
        reading = read(prepared, hits, corpus.document)
        parts = reading.analysis.parts or (reading.analysis,)
        rows = []
        for part in parts:
            cands = reading.candidates(part)[:PER_PART]
            rows.append([Row(case.id, [c.features.get(f, 0.0) for f in scoring.FEATURES], int(good(c.answer, case)))
                         for c in cands])
        out.append(Question(case, rows))
    return out


def fit(questions: list[Question]):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows = [r for q in questions for part in q.parts for r in part]
    x = np.array([r.features for r in rows])
    y = np.array([r.label for r in rows])
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    model.fit(x, y)
    return model, len(rows), int(y.sum())


def sweep(questions: list[Question], model) -> list[tuple[float, dict[str, float]]]:
    """Accuracy and refusals of the top candidate at each threshold (development questions only)."""
    import numpy as np

    tops = []
    for q in questions:
        best = []
        for part in q.parts:
            if part:
                probs = model.predict_proba(np.array([r.features for r in part]))[:, 1]
                i = int(np.argmax(probs))
                best.append((float(probs[i]), part[i].label))
        tops.append((q.case.answerable, best))
    table = []
    for t in [x / 100 for x in range(5, 96, 5)]:
        right = refused_ok = unans = answerable = wrongly_refused = 0
        for answerable, best in tops:
            answered = [lab for p, lab in best if p >= t]
            if answerable:
                answerable += 1
                right += int(bool(answered) and all(answered) and len(answered) == len(best))
                wrongly_refused += int(not answered)
            else:
                unans += 1
                refused_ok += int(not answered)
        n = len(tops)
        table.append((t, {"accuracy": (right + refused_ok) / n, "refusal_recall": refused_ok / max(unans, 1),
                          "answerable_refused": wrongly_refused / max(answerable, 1)}))
    return table


def choose(table) -> float:
    """The threshold with the best accuracy among those that refuse ≥ 95% of unanswerable questions
    (else the best accuracy + refusal recall)."""
    safe = [(m["accuracy"], -t, t) for t, m in table if m["refusal_recall"] >= 0.95]
    if safe:
        return max(safe)[2]
    return max((m["accuracy"] + m["refusal_recall"], t) for t, m in table)[1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stores", type=Path, default=ROOT / ".cache" / "fit")
    p.add_argument("--sets", nargs="+", default=["seeds", "gov", "meetings"], choices=sorted(CORPORA))
    p.add_argument("--dry-run", action="store_true", help="print the sweep, do not write weights.json")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    questions: list[Question] = []
    for name in args.sets:
        corpus = open_store(name, args.stores)
        cases = load_cases(GOLD / name / "qa.dev.jsonl")  # development part only, by construction
        questions += collect(corpus, cases)
        print(f"  {name}: {len(cases)} development questions")
    model, n_rows, n_pos = fit(questions)
    table = sweep(questions, model)
    print(f"\n{n_rows} candidates ({n_pos} right) from {len(questions)} questions in {time.perf_counter() - t0:.0f} s")
    print(f"{'threshold':>9} {'accuracy':>9} {'refusal recall':>15} {'answerable refused':>19}")
    for t, m in table:
        print(f"{t:>9.2f} {m['accuracy']:>9.3f} {m['refusal_recall']:>15.3f} {m['answerable_refused']:>19.3f}")
    threshold = choose(table)
    weights = dict(zip(scoring.FEATURES, (round(float(w), 5) for w in model.coef_[0])))
    print(f"\nthreshold {threshold:.2f}; weights " + ", ".join(f"{k}={v:+.2f}" for k, v in weights.items()))
    if args.dry_run:
        return 0
    import sklearn

    scoring.WEIGHTS.write_text(json.dumps({
        "_about": "Written by benchmarks/fit_answerer.py from the development parts of the gold sets only.",
        "fitted_on": {"sets": args.sets, "split": "dev", "questions": len(questions), "candidates": n_rows,
                      "right": n_pos, "date": dt.date.today().isoformat(), "sklearn": sklearn.__version__},
        "weights": weights, "bias": round(float(model.intercept_[0]), 5), "threshold": threshold,
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {scoring.WEIGHTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
