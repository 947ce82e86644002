"""`huiyi eval [--set …] [--split …]`: open one store per corpus, run the selected parts, gate, write the reports."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from huiyi.config import Settings
from huiyi.errors import BadInput
from huiyi.evals.harness import BASELINE, THRESHOLDS, Mode, git_dirty, git_sha, load_cases, run_cmrc, run_eval
from huiyi.evals.records import EvalReport, EvalRun, GateResult, ReportInfo, StoreInfo
from huiyi.evals.report import baseline_for, check_gate, load_json, part_thresholds
from huiyi.evals.sets import SET_NAMES, SPLITS, EvalPart, document_name, select_parts

DEFAULT_DATA_DIR = Path(".cache") / "eval"

# Opens (or reuses) the service for a part's store: (part, settings, mode) → (service, what ingest did).
Opener = Callable[[EvalPart], tuple[Any, StoreInfo | None]]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="huiyi eval", description="Run the gold sets and gate on the thresholds.")
    p.add_argument("--set", dest="sets", nargs="+", choices=[*SET_NAMES, "all"], default=["all"],
                   help="gold sets to run (default all)")
    p.add_argument("--split", dest="splits", nargs="+", choices=[*SPLITS, "all"], default=["all"],
                   help="parts to run: dev, test or all (default all)")
    p.add_argument("--out", type=Path, default=Path("."), help="directory for eval-report.json and eval-report.md")
    p.add_argument("--mode", choices=["auto", "offline", "llm"], default="auto", help="auto = llm when configured, else offline")
    p.add_argument("--update-baseline", action="store_true", help="accept this run as the new baseline of the parts it ran")
    p.add_argument("--data-dir", type=Path, default=None,
                   help=f"root of the eval stores, one per corpus (default {DEFAULT_DATA_DIR}/<set>[-<part>])")
    p.add_argument("--baseline", type=Path, default=BASELINE)
    p.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    p.add_argument("--k", type=int, default=10, help="retrieval depth for recall@k and MRR")
    p.add_argument("--no-summaries", action="store_true", help="skip the gold summaries")
    p.add_argument("--only", default=None, help="run only cases with this type tag (no gate, no baseline update)")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, service: Any = None, opener: Opener | None = None,
         reader: Callable[..., Any] | None = None) -> int:
    """Run the eval; exit code 0 when the gate passes, 1 when it fails.

    `service` (one service for every part) or `opener` (one per part) replace the real stores in tests;
    `reader` replaces the offline answerer for CMRC.
    """
    from huiyi.evals.report import print_console, write_reports

    args = _parse(argv)
    settings = Settings()
    mode: Mode = "llm" if args.mode == "llm" or (args.mode == "auto" and settings.llm_enabled) else "offline"
    parts = select_parts(args.sets, args.splits)
    if service is not None:
        opener = lambda part: (service, None)  # noqa: E731
    opener = opener or StoreOpener(settings, mode, args.data_dir or DEFAULT_DATA_DIR)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    runs, stores = [], []
    for part in parts:
        if part.set == "cmrc":
            if not args.only:
                runs.append(run_cmrc(part.split, reader))
            continue
        svc, store = opener(part)
        if store is not None:
            stores.append(store)
        runs.append(_run_part(svc, part, mode, args))
    if isinstance(opener, StoreOpener):
        opener.close()
    baseline = load_json(args.baseline) if args.baseline.exists() else None
    thresholds = load_json(args.thresholds)
    report = EvalReport(
        run=ReportInfo(git_sha=git_sha(), git_dirty=git_dirty(), mode=mode,
                       model=settings.llm_model if mode == "llm" else None, started_at=started.isoformat(timespec="seconds"),
                       duration_s=round(time.perf_counter() - t0, 2), sets=sorted({p.set for p in parts}),
                       splits=sorted({p.split for p in parts}), k=args.k, stores=stores),
        parts=runs,
    )
    gate_all(report, baseline, thresholds, against_baseline=not args.update_baseline)
    write_reports(report, args.out)
    if not args.quiet:
        print_console(report, baseline)
    if args.update_baseline and not args.only:
        args.baseline.write_text(json.dumps(updated_baseline(baseline, report), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if args.only or (report.gate and report.gate.ok) else 1


def _run_part(service: Any, part: EvalPart, mode: Mode, args: argparse.Namespace) -> EvalRun:
    assert part.qa is not None
    cases = load_cases(part.qa)
    if args.only:
        cases = [c for c in cases if args.only in c.type]
    gold_summaries = part.summaries if part.summaries and part.summaries.exists() and not (args.only or args.no_summaries) else None
    summaries = load_json(gold_summaries) if gold_summaries else None
    return run_eval(service, cases, mode, k=args.k, summaries=summaries, set_name=part.set, split=part.split,
                    gold_paths=(part.qa, gold_summaries))


def gate_all(report: EvalReport, baseline: dict[str, Any] | None, thresholds: dict[str, Any], *, against_baseline: bool) -> GateResult:
    """Gate every part on its own thresholds and baseline; the run passes when every part does."""
    failures, regressions, notes = [], [], []
    for run in report.parts:
        run.gate = check_gate(run, baseline_for(baseline, run.key), part_thresholds(thresholds, run.key),
                              against_baseline=against_baseline)
        failures += [f"{run.key}: {f}" for f in run.gate.failures]
        regressions += [f"{run.key}:{c}" for c in run.gate.regressions]
        notes += [f"{run.key}: {n}" for n in run.gate.notes]
    report.gate = GateResult(ok=not failures, failures=failures, regressions=regressions, notes=notes,
                             checked_against_baseline=against_baseline)
    return report.gate


def updated_baseline(old: dict[str, Any] | None, report: EvalReport) -> dict[str, Any]:
    """The baseline with the parts of this run replaced; parts this run did not measure keep theirs."""
    parts = dict((old or {}).get("parts", {}))
    for run in report.parts:
        cases = {c.id: c.passed for c in run.cases} if run.kind == "qa" else {}
        parts[run.key] = {"run": run.run.model_dump(), "metrics": run.metrics, "cases": cases}
    about = (old or {}).get("_about") or ("Per set/part baseline of `huiyi eval`; only `huiyi eval --update-baseline` "
                                          "writes it (the parts it ran). The gate's max_drop compares against it.")
    return {"_about": about, "parts": {k: parts[k] for k in sorted(parts)}}


class StoreOpener:
    """One real service per store under the data dir; a store is ingested once and reused on later runs."""

    def __init__(self, settings: Settings, mode: Mode, root: Path):
        self.settings, self.mode, self.root = settings, mode, root
        self._open: dict[str, Any] = {}
        self._embedder: Any = None
        self._llm: Any = None

    def __call__(self, part: EvalPart) -> tuple[Any, StoreInfo | None]:
        if part.store in self._open:
            return self._open[part.store], None
        self.close()  # one store at a time: parts are ordered by store
        service, info = self._ingest(part)
        self._open[part.store] = service
        return service, info

    def close(self) -> None:
        for service in self._open.values():
            service.close()  # releases the store (rows, data-dir lock): the next run needs no crash check
        self._open.clear()

    def _ingest(self, part: EvalPart) -> tuple[Any, StoreInfo]:
        from huiyi.core import Huiyi
        from huiyi.index import embed as embed_stage
        from huiyi.index.pipeline import Index

        t0 = time.perf_counter()
        settings = self.settings.model_copy(update={"data_dir": self.root / part.store})
        if self._embedder is None:
            self._embedder = embed_stage.make_embedder(settings)
            self._llm = self._make_llm(settings)
        service = Huiyi(settings, Index.open(settings, self._embedder), self._llm)
        files = part.corpus_files()
        if not files:
            raise BadInput(f"eval corpus {part.corpus} holds no reports.", code="eval_corpus")
        report = service.ingest_paths(files)
        if report.errors:
            raise BadInput(f"eval corpus failed to ingest: {report.errors[0].source}: {report.errors[0].message}", code="eval_corpus")
        names = {f.stem for f in files}
        stale = [r.id for r in service.documents() if document_name(r.source) not in names]
        for doc_id in stale:  # a reused eval store must hold its corpus and nothing else
            service.delete(doc_id)
        return service, StoreInfo(store=part.store, path=str(settings.data_dir), documents=len(files), added=report.added,
                                  unchanged=report.unchanged, replaced=report.replaced, removed=len(stale),
                                  seconds=round(time.perf_counter() - t0, 2))

    def _make_llm(self, settings: Settings) -> Any:
        if self.mode != "llm":
            return None
        from huiyi.llm.client import make_llm

        llm = make_llm(settings)
        if llm is None:
            raise BadInput("LLM 模式需要配置 OPENAI_API_KEY 或 OPENAI_BASE_URL 以及 HUIYI_LLM_MODEL。/ "
                           "--mode llm needs OPENAI_API_KEY or OPENAI_BASE_URL plus HUIYI_LLM_MODEL.", code="llm_not_configured")
        return llm
