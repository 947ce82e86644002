"""/v1/chat/completions (and /retrieval, MCP ask_reports) against /ask in the same run, offline, on the seeds.

The adapters are meant to be thin: the same questions, interleaved (ask, chat, ask, chat …) so both see the
same machine state; prints p50/p95/mean per endpoint and the ratio to /ask. Not a timed test: a benchmark.

Usage: .venv/bin/python benchmarks/adapters_latency.py [--rounds 3] [--mcp]
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

from benchmarks.ask_http import questions  # noqa: E402
from benchmarks.ingest_search import pct  # noqa: E402
from huiyi.config import Settings  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402
from huiyi.server.app import create_app  # noqa: E402
from tests.support.live import live_server  # noqa: E402


def _timed(fn, question: str) -> float:
    t = time.perf_counter()
    fn(question)
    return (time.perf_counter() - t) * 1000


def _mcp_caller(base: str):
    """A synchronous ask_reports over one MCP HTTP session kept open in a background event loop."""
    import asyncio
    import threading

    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    state: dict = {}

    async def open_session():
        state["stack"] = stack = __import__("contextlib").AsyncExitStack()
        read, write = await stack.enter_async_context(streamable_http_client(base + "/mcp"))
        state["session"] = session = await stack.enter_async_context(ClientSession(read, write))
        await session.initialize()

    asyncio.run_coroutine_threadsafe(open_session(), loop).result()

    def call(q: str) -> None:
        result = asyncio.run_coroutine_threadsafe(state["session"].call_tool("ask_reports", {"question": q}), loop).result()
        assert not result.is_error

    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mcp", action="store_true", help="time MCP ask_reports too (opens one HTTP session)")
    args = parser.parse_args(argv)
    qs = questions()
    data = Path(tempfile.mkdtemp(prefix="huiyi-adapters-")) / "data"
    Index.open(Settings(data_dir=data)).ingest_paths([ROOT / "seeds"])
    settings = Settings(data_dir=data, ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None, llm_model=None)
    times: dict[str, list[float]] = {}
    with live_server(create_app(settings), lifespan="on") as base, httpx.Client(base_url=base, timeout=60) as http:
        endpoints = {
            "/ask": lambda q: http.post("/ask", json={"question": q}).raise_for_status(),
            "/v1/chat/completions": lambda q: http.post("/v1/chat/completions", json={
                "model": "huiyi", "messages": [{"role": "user", "content": q}]}).raise_for_status(),
            "/retrieval (Dify)": lambda q: http.post("/retrieval", json={
                "knowledge_id": "huiyi", "query": q, "retrieval_setting": {"top_k": 5, "score_threshold": 0.5}}).raise_for_status(),
        }
        if args.mcp:
            endpoints["MCP ask_reports"] = _mcp_caller(base)
        for fn in endpoints.values():  # warm-up
            fn(qs[0])
        for _ in range(args.rounds):
            for q in qs:
                for name, fn in endpoints.items():
                    times.setdefault(name, []).append(_timed(fn, q))
    base_mean = statistics.mean(times["/ask"])
    print(f"{len(qs)} questions × {args.rounds} rounds, interleaved, offline, seeds")
    print("| endpoint | p50 ms | p95 ms | mean ms | mean / /ask |")
    print("|---|---:|---:|---:|---:|")
    for name, ts in times.items():
        print(f"| {name} | {pct(ts, 50):.1f} | {pct(ts, 95):.1f} | {statistics.mean(ts):.1f} | {statistics.mean(ts) / base_mean:.3f} |")
    ratio = statistics.mean(times["/v1/chat/completions"]) / base_mean
    print(f"ratio /v1/chat/completions ÷ /ask (mean) = {ratio:.3f} ({'within' if ratio <= 1.10 else 'OVER'} 10%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
