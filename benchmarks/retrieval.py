"""Retrieval quality and latency: keyword-only, dense-only and hybrid search, on two question sets.

(a) benchmarks/retrieval_questions.jsonl — questions about seeds/; a hit is a retrieved chunk of the
    right document that contains the evidence substring.
(b) CMRC 2018 trial — each of the 256 passages is a document; a hit is any chunk of the passage
    that holds the answer.

Usage:  .venv/bin/python benchmarks/retrieval.py [--no-cmrc] [--blas-threads 1] [--data-dir .cache/bench-retrieval]
The stores are kept under --data-dir (git-ignored) so a second run skips the embedding.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.config import Settings  # noqa: E402
from huiyi.index.keyword import KeywordIndex  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402
from huiyi.index.records import SearchHit  # noqa: E402
from huiyi.index.search import HybridSearch  # noqa: E402

CMRC = Path(__file__).resolve().parent / "data" / "cmrc2018" / "cmrc2018_trial.json"  # byte-for-byte copy of shared/, see its README
KS = (1, 5)


@dataclass(frozen=True)
class Question:
    text: str
    doc_id: str
    evidence: str | None  # None: any chunk of the document counts


def seed_questions() -> list[Question]:
    lines = (ROOT / "benchmarks" / "retrieval_questions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [Question(r["question"], r["doc_id"], r["evidence"]) for r in rows]


def build_seeds(data_dir: Path, blas: int) -> Index:
    index = Index.open(Settings(data_dir=data_dir / "seeds", blas_threads=blas))
    report = index.ingest_paths([ROOT / "seeds"])
    assert not report.errors, report.errors
    return index


def build_cmrc(data_dir: Path, blas: int) -> tuple[Index, list[Question]]:
    index = Index.open(Settings(data_dir=data_dir / "cmrc", blas_threads=blas))
    passages = json.loads(CMRC.read_text(encoding="utf-8"))
    questions, started, chars = [], time.perf_counter(), 0
    for n, p in enumerate(passages, 1):
        result = index.ingest_text(p["context_text"], title=p.get("title"), source=f"cmrc_{p['context_id']}.txt")
        if result.status == "added":
            chars += len(p["context_text"])
        questions += [Question(q["query_text"], result.record.id, None) for q in p["qas"]]
        if n % 32 == 0:
            print(f"  cmrc: {n}/{len(passages)} passages", file=sys.stderr)
    took = time.perf_counter() - started
    if chars:
        print(f"  cmrc: embedded {chars} new characters in {took:.0f} s ({chars / took:.0f} chars/s)", file=sys.stderr)
    return index, questions


def is_hit(hit: SearchHit, q: Question) -> bool:
    return hit.doc_id == q.doc_id and (q.evidence is None or q.evidence in hit.text)


def evaluate(searcher: HybridSearch, questions: list[Question], mode: str) -> dict[str, float]:
    found = {k: 0 for k in KS}
    latencies = []
    for q in questions:
        outcome = searcher.search(q.text, k=max(KS), mode=mode)  # type: ignore[arg-type]
        latencies.append(outcome.timing["search_ms"])
        for k in KS:
            found[k] += any(is_hit(h, q) for h in outcome.hits[:k])
    latencies.sort()
    return {
        **{f"r@{k}": found[k] / len(questions) for k in KS},
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
    }


def cached_query_embedder(index: Index):
    """Embed each question once across all configurations; the timing is reported apart anyway."""
    cache: dict[str, object] = {}
    times: list[float] = []

    def embed(text: str):
        if text not in cache:
            t = time.perf_counter()
            cache[text] = index.embedder.embed_query(text)
            times.append((time.perf_counter() - t) * 1000)
        return cache[text]

    return embed, times


def run(name: str, index: Index, questions: list[Question]) -> list[tuple]:
    embed, embed_times = cached_query_embedder(index)
    configs = [  # (mode, tokenizer, fusion, dense weight for "weighted")
        ("keyword", "bigram", "rrf", 0),
        ("keyword", "jieba", "rrf", 0),
        ("dense", "bigram", "rrf", 0),
        ("hybrid", "bigram", "rrf", 0),
        ("hybrid", "jieba", "rrf", 0),
        ("hybrid", "bigram", "weighted", 0.3),
        ("hybrid", "bigram", "weighted", 0.5),
        ("hybrid", "bigram", "weighted", 0.7),
        ("hybrid", "jieba", "weighted", 0.5),
    ]
    rows, keyword_indexes = [], {}
    for mode, tokenizer, fusion, w in configs:
        keyword = keyword_indexes.setdefault(tokenizer, KeywordIndex(tokenizer))  # in memory: no files
        searcher = HybridSearch(index.store, keyword, embed, fusion=fusion, w_dense=w)  # type: ignore[arg-type]
        searcher.refresh()
        result = evaluate(searcher, questions, mode)
        fused = f"weighted w_dense={w}" if fusion == "weighted" else "rrf k=60"
        label = {"keyword": f"keyword ({tokenizer})", "dense": "dense"}.get(mode, f"hybrid {fused} ({tokenizer})")
        rows.append((name, len(questions), label, result))
    if embed_times:
        embed_times.sort()
        print(f"  {name}: query embedding p50 {statistics.median(embed_times):.1f} ms, "
              f"p95 {embed_times[int(0.95 * (len(embed_times) - 1))]:.1f} ms", file=sys.stderr)
    return rows


def check_reachable(index: Index, questions: list[Question]) -> None:
    """Warn about seed questions whose evidence no single chunk contains (they could never hit)."""
    for q in questions:
        if q.evidence and not any(q.evidence in c.text for c in index.chunks(q.doc_id)):
            print(f"  warning: evidence {q.evidence!r} is split across chunks of {q.doc_id}", file=sys.stderr)


def print_table(rows: list[tuple]) -> None:
    print("| set | n | method | recall@1 | recall@5 | search p50 ms | search p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, n, label, r in rows:
        print(f"| {name} | {n} | {label} | {r['r@1']:.3f} | {r['r@5']:.3f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |")
    print("\nsearch ms excludes the query embedding (reported separately on stderr).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".cache" / "bench-retrieval")
    parser.add_argument("--no-cmrc", action="store_true", help="only the seed questions")
    parser.add_argument("--blas-threads", type=int, default=1, help="numpy BLAS threads (compare 1 with 2 on 2 cores)")
    args = parser.parse_args()
    seeds = build_seeds(args.data_dir, args.blas_threads)
    questions = seed_questions()
    check_reachable(seeds, questions)
    rows = run("seeds", seeds, questions)
    if not args.no_cmrc:
        cmrc, cmrc_questions = build_cmrc(args.data_dir, args.blas_threads)
        rows += run("cmrc2018-trial", cmrc, cmrc_questions)
    print_table(rows)


if __name__ == "__main__":
    main()
