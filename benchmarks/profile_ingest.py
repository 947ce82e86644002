"""Where one document's ingest time goes as the store grows: stage times per document in windows.

Ingests SYNTHETIC documents (benchmarks/synthetic.py) one by one with the cheap stand-in embedder and
reports, for each window of documents (default the 200 before store sizes 200, 1,000 and 5,000), the mean
milliseconds per document of every stage the pipeline runs. With --cprofile the last window is also
profiled function by function (top 25 by cumulative time).

Usage: python benchmarks/profile_ingest.py [--docs 5000] [--windows 200,1000,5000] [--cprofile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.standin import StandInEmbedder  # noqa: E402
from benchmarks.synthetic import documents  # noqa: E402
from huiyi.config import Settings  # noqa: E402
from huiyi.index import staging  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402

STAGES: dict[str, float] = defaultdict(float)  # wall seconds per stage in the current window
CPU: dict[str, float] = defaultdict(float)  # process CPU seconds (all threads, Chroma's included)


def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            STAGES[label] += time.perf_counter() - t
            CPU[label] += time.process_time() - c

    return wrapper


def instrument(index: Index) -> None:
    for module, names in (
        (staging.load_stage, ["load_bytes"]),
        (staging.clean_stage, ["clean_text"]),
        (staging.meta_stage, ["extract_meta"]),
        (staging.facts_stage, ["document_facts"]),
        (staging.chunk_stage, ["chunk_document"]),
    ):
        for name in names:
            setattr(module, name, timed(name, getattr(module, name)))
    store = index.store
    for name in ("row", "find_ready", "get_chunks", "mark_pending", "put_chunks", "delete_chunks", "put_document"):
        if hasattr(store, name):
            setattr(store, name, timed(f"store.{name}", getattr(store, name)))
    index.embedder.embed_passages = timed("embed (stand-in)", index.embedder.embed_passages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--windows", default="200,1000,5000", help="store sizes at which a window of --width docs ends")
    parser.add_argument("--width", type=int, default=200)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args(argv)
    ends = [int(x) for x in args.windows.split(",")]
    work = args.data or Path(tempfile.mkdtemp(prefix="huiyi-profile-"))
    index = Index.open(Settings(data_dir=work / "data"), StandInEmbedder(real_query_cost=False))
    instrument(index)
    results: list[tuple[int, float, dict[str, float], dict[str, float]]] = []
    profiler = cProfile.Profile() if args.cprofile else None
    window_start: float | None = None
    for n, (name, text) in enumerate(documents(args.docs), start=1):
        starts_window = any(n == end - args.width + 1 for end in ends)
        if starts_window:
            STAGES.clear()
            CPU.clear()
            window_start = time.perf_counter()
            if profiler and n == ends[-1] - args.width + 1:
                profiler.enable()
        index.ingest_bytes(text.encode("utf-8"), name)
        if n in ends and window_start is not None:
            total = time.perf_counter() - window_start
            per_doc = {k: v * 1000 / args.width for k, v in STAGES.items()}
            results.append((n, total * 1000 / args.width, per_doc, {k: v * 1000 / args.width for k, v in CPU.items()}))
            print(f"  window ending at {n}: {total * 1000 / args.width:.1f} ms/doc", file=sys.stderr)
            if profiler and n == ends[-1]:
                profiler.disable()
        if n % 500 == 0:
            print(f"  {n} documents", file=sys.stderr)
    labels = sorted({k for _, _, s, _ in results for k in s}, key=lambda k: -results[-1][2].get(k, 0.0))
    print("| stage: wall ms/doc (CPU ms/doc) | " + " | ".join(f"docs {n - args.width + 1}–{n}" for n, _, _, _ in results) + " |")
    print("|---|" + "---:|" * len(results))
    for label in labels:
        print(f"| {label} | " + " | ".join(f"{s.get(label, 0.0):.1f} ({c.get(label, 0.0):.1f})" for _, _, s, c in results) + " |")
    print("| **total per document** | " + " | ".join(f"**{t:.1f}**" for _, t, _, _ in results) + " |")
    if profiler:
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(25)
        print(buf.getvalue())
    if args.data is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
