"""Offline summary latency: summarize_offline per report (p50/p95), plus Markdown and .docx export (clean 纪要 and
audit copy).

Inputs: each seed report; a synthetic 10,000-character report (the five seeds' sentences interleaved, so every
pattern fires); a 20,000-character work report (two development provincial reports, gansu then guangxi, cut at
20,000 characters: the size of a 政府工作报告, with its headings, figures and quoted formulations); a
300,000-character one (the bounded-time case). Metadata (clean → meta) is built once outside the timing: it belongs
to ingest, not to the summary. Every timed run starts cold: the per-text caches (lexical model, layout, tagger) are
cleared first, so a figure is what a report never seen before costs.

Usage:  .venv/bin/python benchmarks/summary_bench.py [--repeat 30]
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

from huiyi.evals.summary_score import seed_documents  # noqa: E402
from huiyi.index.clean import clean_text  # noqa: E402
from huiyi.index.meta import extract_meta  # noqa: E402
from huiyi.index.records import Document  # noqa: E402
from huiyi.summary.export import to_docx, to_markdown  # noqa: E402
from huiyi.summary.extractive import summarize_offline  # noqa: E402


def synthetic(docs: list[Document], chars: int) -> Document:
    """Interleave the seeds' lines round-robin until `chars` characters."""
    lines = [d.text.splitlines() for d in docs]
    out: list[str] = []
    size, i = 0, 0
    while size < chars:
        for ls in lines:
            if i < len(ls):
                out.append(ls[i])
                size += len(ls[i]) + 1
        i = (i + 1) % max(len(ls) for ls in lines)
    text = "\n".join(out)[:chars]
    cleaned = clean_text(text)
    meta = extract_meta(cleaned.text, f"synthetic-{chars}.txt", cleaned.removed)
    return Document(id=f"synthetic_{chars}", source="synthetic", content_hash="-", raw_hash="-", text=cleaned.text, meta=meta)


def clear_text_caches() -> None:
    """Forget every per-text memo (lru caches of huiyi.genre and huiyi.summary), as for a report never seen."""
    import huiyi.genre
    import huiyi.summary

    for package in (huiyi.genre, huiyi.summary):
        prefix = package.__name__ + "."
        for name, module in list(sys.modules.items()):
            if not name.startswith(prefix) or module is None:
                continue
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == name:
                    value.cache_clear()


CPU: list[float] = []  # process CPU ms of the last timed() runs: on a shared machine, what an idle one would wait


def timed(fn, repeat: int, cold: bool = True) -> list[float]:
    fn()  # warm regex compilation, imports and the lexical model's load
    out = []
    CPU.clear()
    for _ in range(repeat):
        if cold:
            clear_text_caches()
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        CPU.append((time.process_time() - c) * 1000)
    return out


def work_report(chars: int) -> Document:
    """Two development provincial work reports, one after the other, cut at `chars` characters."""
    gov = ROOT / "huiyi" / "evals" / "corpora" / "gov"
    raw = "\n".join((gov / f"2026_{p}.txt").read_text(encoding="utf-8") for p in ("gansu", "guangxi"))
    cleaned = clean_text(raw)
    text = cleaned.text[:chars]
    meta = extract_meta(text, f"work-report-{chars}.txt", cleaned.removed)
    return Document(id=f"work_report_{chars}", source="work report", content_hash="-", raw_hash="-", text=text, meta=meta,
                    removed=cleaned.removed)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    docs = seed_documents(ROOT / "seeds")
    cases = [(d.id, d, args.repeat) for d in docs]
    cases.append(("synthetic 10k", synthetic(docs, 10_000), args.repeat))
    cases.append(("work report 20k", work_report(20_000), args.repeat))
    cases.append(("synthetic 300k", synthetic(docs, 300_000), max(3, args.repeat // 10)))
    print(f"{'report':<24} {'chars':>8} {'p50 ms':>8} {'p95 ms':>8} {'p95 CPU':>8} {'md ms':>7} {'纪要 docx':>9} {'审核 docx':>9} {'json KB':>8}")
    all_seed: list[float] = []
    for label, doc, repeat in cases:
        summary = summarize_offline(doc)
        times = timed(lambda doc=doc: summarize_offline(doc), repeat)
        cpu = list(CPU)
        if label[:3].isdigit():
            all_seed += times
        md = statistics.median(timed(lambda s=summary: to_markdown(s), max(3, repeat // 3), cold=False))
        dx = statistics.median(timed(lambda s=summary: to_docx(s, "clean"), max(3, repeat // 3), cold=False))
        ax = statistics.median(timed(lambda s=summary: to_docx(s, "audit"), max(3, repeat // 3), cold=False))
        kb = len(summary.model_dump_json()) / 1024
        print(f"{label:<24} {len(doc.text):>8} {pct(times, .5):>8.1f} {pct(times, .95):>8.1f} {pct(cpu, .95):>8.1f} {md:>7.1f} {dx:>9.1f} {ax:>9.1f} {kb:>8.1f}")
    print(f"{'seeds (all runs)':<24} {'':>8} {pct(all_seed, .5):>8.1f} {pct(all_seed, .95):>8.1f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times include waiting for a core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
