"""`huiyi eval`: run the gold cases through the same service calls users hit, score them, gate on the result.

The harness only needs an object shaped like `huiyi.core.Huiyi` (`ask`, `search`, `document`,
`documents`, `summary`), so tests drive it with small fakes and CI drives it with the real service.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from huiyi.config import REPO_DIR, Settings
from huiyi.errors import BadInput, HuiyiError
from huiyi.evals import metrics as m
from huiyi.evals.report import GateResult, check_gate, load_json

EVALS_DIR = Path(__file__).resolve().parent
GOLD_QA = EVALS_DIR / "gold" / "seeds" / "qa.dev.jsonl"  # the seeds set: development part …
GOLD_QA_TEST = EVALS_DIR / "gold" / "seeds" / "qa.test.jsonl"  # … and its frozen test part
GOLD_SUMMARIES = EVALS_DIR / "gold" / "seeds" / "summaries.json"
BASELINE = EVALS_DIR / "baseline.json"
THRESHOLDS = EVALS_DIR / "thresholds.json"
Mode = Literal["offline", "llm"]


class GoldCase(BaseModel):
    """One gold Q&A case; schema documented in evals/gold/README.md."""

    id: str
    question: str
    answers: list[str] = Field(default_factory=list)
    all_of: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    docs: list[str] = Field(default_factory=list)
    type: list[str] = Field(default_factory=list)
    answerable: bool
    expect_status: Literal["answered", "not_found", "undisclosed"]
    critical: bool = False
    history: list[dict[str, str]] = Field(default_factory=list)


class CaseResult(BaseModel):
    id: str
    question: str
    types: list[str]
    critical: bool
    expect_status: str
    expected: list[str]
    status: str  # the service's status, or "error"
    answer: str
    citations: list[dict[str, Any]] = Field(default_factory=list)
    passed: bool
    metrics: dict[str, float | int | bool | None] = Field(default_factory=dict)
    latency_ms: float
    timing: dict[str, float] = Field(default_factory=dict)  # the service's own breakdown (search_ms, …)
    tokens: dict[str, Any] | None = None
    mode: str | None = None
    fallback: str | None = None
    error: str | None = None


class SummaryResult(BaseModel):
    doc_id: str
    score: float
    fields: dict[str, float] = Field(default_factory=dict)  # per-field scores (generic scorer)
    misses: list[str] = Field(default_factory=list)  # fields the summary got wrong (summariser's scorer)
    invented: list[str] = Field(default_factory=list)  # values the report does not support
    latency_ms: float = 0.0
    error: str | None = None


class RunInfo(BaseModel):
    git_sha: str
    git_dirty: bool
    corpus_hash: str
    gold_hash: str
    mode: str
    model: str | None
    started_at: str
    duration_s: float
    cases: int
    k: int


class EvalRun(BaseModel):
    run: RunInfo
    metrics: dict[str, float | int | None]
    by_type: dict[str, dict[str, float | int | None]]
    cases: list[CaseResult]
    summaries: list[SummaryResult] = Field(default_factory=list)
    gate: GateResult | None = None


def load_cases(*paths: Path) -> list[GoldCase]:
    """Gold cases of one or more JSON Lines files (default: both parts of the seeds set)."""
    paths = paths or (GOLD_QA, GOLD_QA_TEST)
    cases = [GoldCase.model_validate_json(line) for path in paths
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [c.id for c in cases]
    if len(ids) != len(set(ids)):
        raise BadInput(f"{', '.join(map(str, paths))}: duplicate case ids; every gold case needs its own id.", code="bad_gold")
    return cases


def _file_hash(*paths: Path) -> str:
    present = [p for p in paths if p.exists()]
    return hashlib.sha256(b"".join(p.read_bytes() for p in present)).hexdigest()[:16] if present else "none"


# ---- running cases ----------------------------------------------------------------------------


def _text_getter(service: Any) -> Callable[[str], str | None]:
    cache: dict[str, str | None] = {}

    def get(doc_id: str) -> str | None:
        if doc_id not in cache:
            try:
                cache[doc_id] = service.document(doc_id).text
            except HuiyiError:
                cache[doc_id] = None
        return cache[doc_id]

    return get


def _retrieval(service: Any, case: GoldCase, k: int) -> tuple[float | None, float | None]:
    if not case.evidence:
        return None, None
    # Follow-ups are searched with the turns they lean on, as a reader of the chat would.
    query = " ".join([t["content"] for t in case.history if t.get("role") == "user"] + [case.question])
    try:
        hits = service.search(query, k=k)
    except HuiyiError:
        return 0.0, 0.0
    return m.retrieval_scores(case.evidence, [h.text for h in hits], k)


def run_case(service: Any, case: GoldCase, get_text: Callable[[str], str | None], k: int) -> CaseResult:
    from huiyi.qa.models import AskRequest, ChatTurn

    request = AskRequest(question=case.question, history=[ChatTurn(**t) for t in case.history])
    expected = case.answers + case.all_of
    t0 = time.perf_counter()
    try:
        resp = service.ask(request)
    except HuiyiError as exc:
        return CaseResult(id=case.id, question=case.question, types=case.type, critical=case.critical,
                          expect_status=case.expect_status, expected=expected, status="error", answer="",
                          passed=False, latency_ms=_ms(t0), error=f"{exc.code}: {exc.message}")
    latency = _ms(t0)
    valid, total = m.citation_validity(resp.citations, get_text)
    answered_ok = case.expect_status == "answered" and resp.status == "answered"
    recall, rr = _retrieval(service, case, k)
    scores: dict[str, float | int | bool | None] = {
        "citations": total,
        "citations_valid": valid,
        "ungrounded": len(m.ungrounded_numbers(resp.answer, [c.quote for c in resp.citations])),
        "supported": m.citation_supported(case.evidence, resp.citations, get_text) if answered_ok and case.evidence else None,
        "evidence_coverage": m.evidence_coverage(case.evidence, resp.citations, get_text) if answered_ok else None,
        "em": m.cmrc_em(resp.answer, case.answers or ["、".join(case.all_of)]) if case.answerable else None,
        "f1": m.cmrc_f1(resp.answer, case.answers or ["、".join(case.all_of)]) if case.answerable else None,
        "recall_at_k": recall,
        "rr": rr,
    }
    passed = m.case_passed(expect_status=case.expect_status, status=resp.status, answer=resp.answer,
                           answers=case.answers, all_of=case.all_of)
    return CaseResult(
        id=case.id, question=case.question, types=case.type, critical=case.critical,
        expect_status=case.expect_status, expected=expected, status=resp.status, answer=resp.answer,
        citations=[c.model_dump(mode="json") for c in resp.citations], passed=passed, metrics=scores,
        latency_ms=latency, timing=resp.timing, tokens=resp.usage, mode=resp.mode, fallback=resp.fallback,
    )


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


# ---- aggregation --------------------------------------------------------------------------------


def _mean(values: Sequence[float | int | bool | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return round(statistics.fmean(vals), 4) if vals else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def aggregate(results: Sequence[CaseResult]) -> dict[str, float | int | None]:
    answerable = [r for r in results if r.expect_status == "answered"]
    refusals = m.refusal_scores((r.expect_status == "answered", r.expect_status, r.status) for r in results)
    total_cites = sum(int(r.metrics.get("citations") or 0) for r in results)
    valid_cites = sum(int(r.metrics.get("citations_valid") or 0) for r in results)
    latencies = [r.latency_ms for r in results if r.status != "error"]
    return {
        "cases": len(results),
        "accuracy": _mean([r.passed for r in answerable]),
        "pass_rate": _mean([r.passed for r in results]),
        "refusal_precision": refusals.precision,
        "refusal_recall": refusals.recall,
        "undisclosed_rate": refusals.undisclosed_rate,
        "false_refusals": sum(r.status in m.REFUSED for r in answerable),
        "citation_validity": round(valid_cites / total_cites, 4) if total_cites else None,
        "citation_support": _mean([r.metrics.get("supported") for r in results]),
        "evidence_coverage": _mean([r.metrics.get("evidence_coverage") for r in results]),
        "answered_without_citation": sum(r.status == "answered" and not r.citations for r in results),
        "ungrounded_numbers": sum(int(r.metrics.get("ungrounded") or 0) for r in results),
        "em": _mean([r.metrics.get("em") for r in answerable]),
        "f1": _mean([r.metrics.get("f1") for r in answerable]),
        "recall_at_k": _mean([r.metrics.get("recall_at_k") for r in answerable]),
        "mrr": _mean([r.metrics.get("rr") for r in answerable]),
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
        "critical_failed": sum(r.critical and not r.passed for r in results),
        "errors": sum(r.status == "error" for r in results),
    }


def by_type(results: Sequence[CaseResult]) -> dict[str, dict[str, float | int | None]]:
    tags = sorted({t for r in results for t in r.types})
    table = {}
    for tag in tags:
        rows = [r for r in results if tag in r.types]
        table[tag] = {"n": len(rows), "pass_rate": _mean([r.passed for r in rows]), "f1": _mean([r.metrics.get("f1") for r in rows])}
    return table


# ---- the run ------------------------------------------------------------------------------------


def run_eval(
    service: Any,
    cases: Sequence[GoldCase],
    mode: Mode = "offline",
    *,
    k: int = 10,
    summaries: dict[str, Any] | None = None,
    gold_paths: Sequence[Path] = (GOLD_QA, GOLD_QA_TEST),
) -> EvalRun:
    """Run every case (and every gold summary, when given) through `service` and score the answers."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    get_text = _text_getter(service)
    results = [run_case(service, case, get_text, k) for case in cases]
    summary_results = [_run_summary(service, doc_id, gold) for doc_id, gold in (summaries or {}).items() if not doc_id.startswith("_")]
    scores = aggregate(results)
    if summary_results:
        scores["summary_score"] = _mean([s.score for s in summary_results])
        scores["summary_invented"] = sum(len(s.invented) for s in summary_results)
    from huiyi.core import corpus_hash

    info = RunInfo(
        git_sha=_git("rev-parse", "--short=12", "HEAD") or "unknown",
        git_dirty=bool(_git("status", "--porcelain", "--untracked-files=no")),
        corpus_hash=corpus_hash(service.documents()),
        gold_hash=_file_hash(*gold_paths),
        mode=mode,
        model=getattr(getattr(service, "settings", None), "llm_model", None) if mode == "llm" else None,
        started_at=started.isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - t0, 2),
        cases=len(results),
        k=k,
    )
    return EvalRun(run=info, metrics=scores, by_type=by_type(results), cases=results, summaries=summary_results)


def _run_summary(service: Any, doc_id: str, gold: dict[str, Any]) -> SummaryResult:
    t0 = time.perf_counter()
    try:
        summary = service.summary(doc_id)
        text = service.document(doc_id).text
    except HuiyiError as exc:
        return SummaryResult(doc_id=doc_id, score=0.0, latency_ms=_ms(t0), error=f"{exc.code}: {exc.message}")
    latency = _ms(t0)
    try:  # the summariser's own field-level scorer, when present, knows its synonyms and invented values
        from huiyi.evals.summary_score import score_summary
    except ImportError:
        fields = m.score_summary(gold, summary)
        score = statistics.fmean(fields.values()) if fields else 0.0
        return SummaryResult(doc_id=doc_id, score=round(score, 4), fields=fields, latency_ms=latency)
    sc = score_summary(summary, gold, text)
    return SummaryResult(doc_id=doc_id, score=round(sc.accuracy, 4), latency_ms=latency,
                         misses=list(sc.misses), invented=list(sc.invented))


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(REPO_DIR), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


# ---- CLI entry ----------------------------------------------------------------------------------


def open_eval_service(settings: Settings, mode: Mode) -> Any:
    """A service over exactly the seed reports, in the requested mode (offline never builds an LLM)."""
    from huiyi.core import Huiyi
    from huiyi.index.pipeline import Index
    from huiyi.llm.client import make_llm

    llm = None
    if mode == "llm":
        llm = make_llm(settings)
        if llm is None:
            raise BadInput("LLM 模式需要配置 OPENAI_API_KEY 或 OPENAI_BASE_URL 以及 HUIYI_LLM_MODEL。/ "
                           "--mode llm needs OPENAI_API_KEY or OPENAI_BASE_URL plus HUIYI_LLM_MODEL.", code="llm_not_configured")
    service = Huiyi(settings, Index.open(settings), llm)
    report = service.ingest_paths([settings.seeds_dir])
    if report.errors:
        raise BadInput(f"eval corpus failed to ingest: {report.errors[0].message}", code="eval_corpus")
    seeds = {r.id for r in report.records}
    for record in service.documents():  # a reused eval store must hold the seeds and nothing else
        if record.id not in seeds:
            service.delete(record.id)
    return service


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="huiyi eval", description="Run the gold cases and gate on the thresholds.")
    p.add_argument("--out", type=Path, default=Path("."), help="directory for eval-report.json and eval-report.md")
    p.add_argument("--mode", choices=["auto", "offline", "llm"], default="auto", help="auto = llm when configured, else offline")
    p.add_argument("--update-baseline", action="store_true", help="accept this run as the new baseline")
    p.add_argument("--data-dir", type=Path, default=None, help="index dir for the eval corpus (default .cache/eval)")
    p.add_argument("--gold", type=Path, nargs="+", default=[GOLD_QA, GOLD_QA_TEST])
    p.add_argument("--summaries", type=Path, default=GOLD_SUMMARIES, help="gold summaries; a missing file skips them")
    p.add_argument("--baseline", type=Path, default=BASELINE)
    p.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    p.add_argument("--k", type=int, default=10, help="retrieval depth for recall@k and MRR")
    p.add_argument("--only", default=None, help="run only cases with this type tag (no gate, no baseline update)")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, service: Any = None) -> int:
    """Run the eval; exit code 0 when the gate passes, 1 when it fails."""
    from huiyi.evals.report import print_console, write_reports

    args = _parse(argv)
    settings = Settings()
    mode: Mode = "llm" if args.mode == "llm" or (args.mode == "auto" and settings.llm_enabled) else "offline"
    if service is None:
        data_dir = args.data_dir or Path(".cache") / "eval"
        settings = settings.model_copy(update={"data_dir": data_dir})
        service = open_eval_service(settings, mode)
    cases = load_cases(*args.gold)
    if args.only:
        cases = [c for c in cases if args.only in c.type]
    summaries = None if args.only or not args.summaries.exists() else load_json(args.summaries)
    run = run_eval(service, cases, mode, k=args.k, summaries=summaries, gold_paths=args.gold)
    baseline = load_json(args.baseline) if args.baseline.exists() else None
    run.gate = check_gate(run, baseline, load_json(args.thresholds), against_baseline=not args.update_baseline)
    write_reports(run, args.out)
    if not args.quiet:
        print_console(run, baseline)
    if args.update_baseline and not args.only:
        args.baseline.write_text(json.dumps(baseline_of(run), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if run.gate.ok or args.only else 1


def baseline_of(run: EvalRun) -> dict[str, Any]:
    return {"run": run.run.model_dump(), "metrics": run.metrics, "cases": {c.id: c.passed for c in run.cases}}
