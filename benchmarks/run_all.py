"""`make bench`: every benchmark in one run, each printing its own table.

Run on an idle machine; figures are ratios or percentiles from one run, never assertions.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHES = [
    ("ingest and search (issue 2)", ["benchmarks/ingest_search.py"]),
    ("retrieval quality: keyword vs dense vs hybrid (issue 2)", ["benchmarks/retrieval.py"]),
    ("/ask over HTTP, offline (issue 3)", ["benchmarks/ask_http.py"]),
    ("/v1/chat/completions, /retrieval and MCP against /ask, same run (issue 12)", ["benchmarks/adapters_latency.py", "--mcp"]),
    ("CMRC 2018 trial, offline extractive answerer (issue 3)", ["benchmarks/cmrc_answer.py"]),
    ("offline summaries (issue 4)", ["benchmarks/summary_bench.py"]),
    ("LLM tokens per answer and summary, tiny real model (issues 3, 4)", ["benchmarks/llm_tokens.py"]),
]


def main() -> int:
    failed = []
    only = sys.argv[1:]
    for title, cmd in BENCHES:
        if only and not any(o in cmd[0] for o in only):
            continue
        if not (ROOT / cmd[0]).exists():
            print(f"\n## {title}\n(skipped: {cmd[0]} not present)")
            continue
        print(f"\n## {title}\n$ python {' '.join(cmd)}", flush=True)
        t = time.perf_counter()
        code = subprocess.call([sys.executable, *cmd], cwd=ROOT)
        print(f"({time.perf_counter() - t:.0f} s, exit {code})", flush=True)
        if code:
            failed.append(cmd[0])
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
