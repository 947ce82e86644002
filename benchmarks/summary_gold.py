"""Field accuracy of the offline summariser against one gold summaries file and its corpus.

Only the documents the gold file names are read (a corpus folder may hold frozen test reports that a
development run must not touch). Documents go through the ingest stages (load → clean → meta) without a
store, and are scored by huiyi.evals.summary_score.

Usage:
  .venv/bin/python benchmarks/summary_gold.py                       # seeds, meetings dev, gov dev
  .venv/bin/python benchmarks/summary_gold.py --set meetings/dev -v # one set, every miss listed
  .venv/bin/python benchmarks/summary_gold.py --set meetings/test --set gov/test   # the frozen parts, once
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.evals.summary_score import load_gold, score_summary  # noqa: E402

EVALS = ROOT / "huiyi" / "evals"
SETS = {
    "seeds": (EVALS / "gold" / "seeds" / "summaries.json", ROOT / "seeds"),
    "meetings/dev": (EVALS / "gold" / "meetings" / "summaries.dev.json", EVALS / "corpora" / "meetings" / "dev"),
    "gov/dev": (EVALS / "gold" / "gov" / "summaries.dev.json", EVALS / "corpora" / "gov"),
    "meetings/test": (EVALS / "gold" / "meetings" / "summaries.test.json", EVALS / "corpora" / "meetings" / "test"),
    "gov/test": (EVALS / "gold" / "gov" / "summaries.test.json", EVALS / "corpora" / "gov"),
}
DEFAULT = ("seeds", "meetings/dev", "gov/dev")


def load_document(path: Path):
    """One corpus file through the stages ingest uses, without a store."""
    from huiyi.index.clean import clean_text
    from huiyi.index.ids import sha256_hex
    from huiyi.index.load import load_path
    from huiyi.index.meta import extract_meta
    from huiyi.index.records import Document

    loaded = load_path(path, max_bytes=20 * 1024 * 1024)
    cleaned = clean_text(loaded.text)
    meta = extract_meta(cleaned.text, loaded.source, cleaned.removed)
    return Document(id=path.stem, source=loaded.source, content_hash=sha256_hex(cleaned.text),
                    raw_hash=sha256_hex(path.read_bytes()), text=cleaned.text, meta=meta, removed=cleaned.removed)


def score_set(name: str, verbose: bool) -> tuple[int, int, int, int]:
    """(documents, fields right, fields, invented) for one set; prints one row per document."""
    from huiyi.summary.extractive import summarize_offline

    gold_path, corpus = SETS[name]
    gold = load_gold(gold_path)
    right = total = invented = 0
    for stem in sorted(gold):
        doc = load_document(corpus / f"{stem}.txt")
        sc = score_summary(summarize_offline(doc), gold[stem], doc.text)
        right, total, invented = right + sc.right, total + sc.total, invented + len(sc.invented)
        print(f"  {stem:<24} {sc.total:>7} {sc.right:>6} {sc.accuracy:>7.1%} {len(sc.invented):>8}")
        if verbose:
            for m in sc.misses:
                print(f"      miss: {m}")
            for m in sc.invented:
                print(f"      invented: {m}")
    return len(gold), right, total, invented


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), help="repeatable; default: seeds, meetings/dev, gov/dev")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss and invented value")
    args = parser.parse_args(argv)
    rows = []
    for name in args.set or DEFAULT:
        print(f"{name}\n  {'document':<24} {'fields':>7} {'right':>6} {'score':>7} {'invented':>8}")
        rows.append((name, *score_set(name, args.verbose)))
    print("\n| set | documents | fields | field accuracy | invented |\n|---|---|---|---|---|")
    for name, docs, right, total, invented in rows:
        print(f"| {name} | {docs} | {total} | {right / total if total else 0:.3f} | {invented} |")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
