"""/ask latency over HTTP, offline mode (issue 3): the real app under uvicorn on loopback.

Seeds store (fresh) and the SYNTHETIC >= 2,000-document store built by benchmarks/ingest_search.py
(cached under .cache/bench). Questions: the gold set's questions (no answers used).

Usage: .venv/bin/python benchmarks/ask_http.py [--synthetic-docs 2000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.ingest_search import build_synthetic, pct  # noqa: E402
from huiyi.config import Settings  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402
from huiyi.server.app import create_app  # noqa: E402
from tests.support.live import live_server  # noqa: E402


def questions() -> list[str]:
    from huiyi.evals.harness import load_cases

    return [c.question for c in load_cases() if not c.history]


def measure(settings: Settings, qs: list[str], rounds: int) -> tuple[list[float], dict[str, list[float]]]:
    wall: list[float] = []
    parts: dict[str, list[float]] = {}
    with live_server(create_app(settings)) as base, httpx.Client(base_url=base, timeout=60) as client:
        client.post("/ask", json={"question": qs[0]})  # warm-up
        for _ in range(rounds):
            for q in qs:
                t = time.perf_counter()
                r = client.post("/ask", json={"question": q})
                wall.append((time.perf_counter() - t) * 1000)
                for k, v in (r.json().get("timing") or {}).items():
                    parts.setdefault(k, []).append(v)
    return wall, parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic-docs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    qs = questions()
    rows = []
    seeds_dir = Path(tempfile.mkdtemp(prefix="huiyi-ask-")) / "data"
    seeds = Index.open(Settings(data_dir=seeds_dir))
    seeds.ingest_paths([ROOT / "seeds"])
    corpora = [("seeds (5 docs)", seeds_dir)]
    if args.synthetic_docs:
        texts = [seeds.document(r.id).text for r in seeds.documents()]
        data, _, n = build_synthetic(texts, args.synthetic_docs, ROOT / ".cache" / "bench")
        corpora.append((f"SYNTHETIC ({n} docs)", data))
    for label, data in corpora:
        settings = Settings(data_dir=data, openai_api_key=None, openai_base_url=None, llm_model=None)
        wall, parts = measure(settings, qs, args.rounds)
        search = parts.get("search_ms", [0.0])
        rows.append((label, len(wall), pct(wall, 50), pct(wall, 95), statistics.median(search), pct(search, 95)))
    print("| corpus | requests | /ask p50 ms | /ask p95 ms | search p50 ms | search p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, n, p50, p95, s50, s95 in rows:
        print(f"| {label} | {n} | {p50:.1f} | {p95:.1f} | {s50:.1f} | {s95:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
