"""`huiyi eval`: run the gold cases through the same service calls users hit, score them, gate on the result.

Each part of each gold set (seeds, gov, meetings: dev and test) runs over its own corpus in its own store
under the eval data dir; CMRC 2018 runs each question over its own passage (huiyi/evals/cmrc.py). A part
only needs an object shaped like `huiyi.core.Huiyi` (`ask`, `search`, `document`, `documents`, `summary`),
so tests drive it with small fakes and CI drives it with the real service.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from huiyi.config import REPO_DIR
from huiyi.errors import BadInput, HuiyiError
from huiyi.evals import metrics as m
from huiyi.evals.records import CaseResult, CmrcCase, EvalRun, GoldCase, RunInfo, SummaryResult
from huiyi.evals.sets import GOLD_DIR, resolve, stored_ids

EVALS_DIR = Path(__file__).resolve().parent
GOLD_QA = GOLD_DIR / "seeds" / "qa.dev.jsonl"  # the seeds set: development part …
GOLD_QA_TEST = GOLD_DIR / "seeds" / "qa.test.jsonl"  # … and its frozen test part
GOLD_SUMMARIES = GOLD_DIR / "seeds" / "summaries.json"
BASELINE = EVALS_DIR / "baseline.json"
THRESHOLDS = EVALS_DIR / "thresholds.json"
Mode = Literal["offline", "llm"]


def load_cases(*paths: Path) -> list[GoldCase]:
    """Gold cases of one or more JSON Lines files (default: both parts of the seeds set)."""
    paths = paths or (GOLD_QA, GOLD_QA_TEST)
    cases = [GoldCase.model_validate_json(line) for path in paths
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [c.id for c in cases]
    if len(ids) != len(set(ids)):
        raise BadInput(f"{', '.join(map(str, paths))}: duplicate case ids; every gold case needs its own id.", code="bad_gold")
    return cases


def resolve_doc_name(records: Sequence[Any], name: str) -> str:
    """The stored id of one document a gold file (or a test) names by its file stem; ids are content-derived.

    An id equal to `name` is itself; else the record whose source file's stem is `name` (huiyi.evals.sets);
    an unknown name passes through unchanged (the service then answers not found)."""
    if any(r.id == name for r in records):
        return name
    return stored_ids(records).get(name, name)


def file_hash(*paths: Path | None) -> str:
    present = [p for p in paths if p is not None and p.exists()]
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


def _filters(case: GoldCase, ids: dict[str, str]) -> Any:
    if not case.scope_docs:
        return None
    from huiyi.index.records import SearchFilters

    return SearchFilters(doc_ids=resolve(case.scope_docs, ids, where=f"case {case.id}"))


def _retrieval(service: Any, case: GoldCase, k: int, filters: Any) -> tuple[float | None, float | None]:
    if not case.evidence:
        return None, None
    # Follow-ups are searched with the turns they lean on, as a reader of the chat would.
    query = " ".join([t["content"] for t in case.history if t.get("role") == "user"] + [case.question])
    try:
        hits = service.search(query, k=k, filters=filters)
    except HuiyiError:
        return 0.0, 0.0
    return m.retrieval_scores(case.evidence, [h.text for h in hits], k)


def run_case(service: Any, case: GoldCase, get_text: Callable[[str], str | None], k: int,
             ids: dict[str, str] | None = None) -> CaseResult:
    from huiyi.qa.models import AskRequest, ChatTurn

    filters = _filters(case, ids or {})
    request = AskRequest(question=case.question, history=[ChatTurn(**t) for t in case.history], filters=filters)
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
    recall, rr = _retrieval(service, case, k, filters)
    gold_answers = case.answers or ["、".join(case.all_of)]
    scores: dict[str, float | int | bool | None] = {
        "citations": total,
        "citations_valid": valid,
        "ungrounded": len(m.ungrounded_numbers(resp.answer, [c.quote for c in resp.citations])),
        "supported": m.citation_supported(case.evidence, resp.citations, get_text) if answered_ok and case.evidence else None,
        "evidence_coverage": m.evidence_coverage(case.evidence, resp.citations, get_text) if answered_ok else None,
        "em": m.cmrc_em(resp.answer, gold_answers) if case.answerable else None,
        "f1": m.cmrc_f1(resp.answer, gold_answers) if case.answerable else None,
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


def _core(results: Sequence[CaseResult]) -> dict[str, float | int | None]:
    """The measures reported per question type and per part: accuracy, refusals, citations, grounding."""
    answerable = [r for r in results if r.expect_status == "answered"]
    refusals = m.refusal_scores((r.expect_status == "answered", r.expect_status, r.status) for r in results)
    total_cites = sum(int(r.metrics.get("citations") or 0) for r in results)
    valid_cites = sum(int(r.metrics.get("citations_valid") or 0) for r in results)
    return {
        "n": len(results),
        "answerable": len(answerable),
        "should_refuse": refusals.should_refuse,
        "accuracy": _mean([r.passed for r in answerable]),
        "refusal_precision": refusals.precision,
        "refusal_recall": refusals.recall,
        "citation_validity": round(valid_cites / total_cites, 4) if total_cites else None,
        "ungrounded_numbers": sum(int(r.metrics.get("ungrounded") or 0) for r in results),
        "pass_rate": _mean([r.passed for r in results]),
        "f1": _mean([r.metrics.get("f1") for r in answerable]),
    }


def aggregate(results: Sequence[CaseResult]) -> dict[str, float | int | None]:
    answerable = [r for r in results if r.expect_status == "answered"]
    core = _core(results)
    refusals = m.refusal_scores((r.expect_status == "answered", r.expect_status, r.status) for r in results)
    latencies = [r.latency_ms for r in results if r.status != "error"]
    return {
        "cases": len(results),
        "accuracy": core["accuracy"],
        "pass_rate": core["pass_rate"],
        "refusal_precision": core["refusal_precision"],
        "refusal_recall": core["refusal_recall"],
        "undisclosed_rate": refusals.undisclosed_rate,
        "false_refusals": sum(r.status in m.REFUSED for r in answerable),
        "citation_validity": core["citation_validity"],
        "citation_support": _mean([r.metrics.get("supported") for r in results]),
        "evidence_coverage": _mean([r.metrics.get("evidence_coverage") for r in results]),
        "answered_without_citation": sum(r.status == "answered" and not r.citations for r in results),
        "ungrounded_numbers": core["ungrounded_numbers"],
        "em": _mean([r.metrics.get("em") for r in answerable]),
        "f1": core["f1"],
        "recall_at_k": _mean([r.metrics.get("recall_at_k") for r in answerable]),
        "mrr": _mean([r.metrics.get("rr") for r in answerable]),
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
        "critical_failed": sum(r.critical and not r.passed for r in results),
        "errors": sum(r.status == "error" for r in results),
    }


def by_type(results: Sequence[CaseResult]) -> dict[str, dict[str, float | int | None]]:
    """Per primary question type (a case's first tag), most frequent first."""
    primary = [r.primary_type for r in results]
    order = sorted(set(primary), key=lambda t: (-primary.count(t), t))
    return {t: _core([r for r in results if r.primary_type == t]) for t in order}


def by_tag(results: Sequence[CaseResult]) -> dict[str, dict[str, float | int | None]]:
    """Per tag (a case counts under every tag it carries): n, pass rate, F1."""
    table = {}
    for tag in sorted({t for r in results for t in r.types}):
        rows = [r for r in results if tag in r.types]
        table[tag] = {"n": len(rows), "pass_rate": _mean([r.passed for r in rows]), "f1": _mean([r.metrics.get("f1") for r in rows])}
    return table


def summary_metrics(results: Sequence[SummaryResult]) -> dict[str, float | int | None]:
    right, total = sum(s.right for s in results), sum(s.total for s in results)
    return {
        "summary_docs": len(results),
        "summary_fields": total,
        "summary_accuracy": round(right / total, 4) if total else _mean([s.score for s in results]),
        "summary_invented": sum(len(s.invented) for s in results),
        "summary_errors": sum(s.error is not None for s in results),
    }


# ---- the run of one part ------------------------------------------------------------------------


def run_eval(
    service: Any,
    cases: Sequence[GoldCase],
    mode: Mode = "offline",
    *,
    k: int = 10,
    summaries: dict[str, Any] | None = None,
    gold_paths: Sequence[Path | None] = (GOLD_QA, GOLD_QA_TEST),
    set_name: str = "seeds",
    split: str = "dev",
) -> EvalRun:
    """Run every case (and every gold summary, when given) through `service` and score the answers."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    records = service.documents()
    ids = stored_ids(records)
    get_text = _text_getter(service)
    results = [run_case(service, case, get_text, k, ids) for case in cases]
    gold_summaries = {name: gold for name, gold in (summaries or {}).items() if not name.startswith("_")}
    summary_results = [_run_summary(service, name, resolve([name], ids, where="gold summaries")[0], gold)
                       for name, gold in gold_summaries.items()]
    scores = aggregate(results)
    if summary_results:
        scores |= summary_metrics(summary_results)
    from huiyi.core import corpus_hash

    info = RunInfo(
        git_sha=git_sha(),
        git_dirty=git_dirty(),
        corpus_hash=corpus_hash(records),
        gold_hash=file_hash(*gold_paths),
        mode=mode,
        model=getattr(getattr(service, "settings", None), "llm_model", None) if mode == "llm" else None,
        started_at=started.isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - t0, 2),
        cases=len(results),
        k=k,
    )
    return EvalRun(set=set_name, split=split, run=info, metrics=scores, by_type=by_type(results), by_tag=by_tag(results),
                   cases=results, summaries=summary_results)


def _run_summary(service: Any, name: str, doc_id: str, gold: dict[str, Any]) -> SummaryResult:
    t0 = time.perf_counter()
    try:
        summary = service.summary(doc_id)
        text = service.document(doc_id).text
    except HuiyiError as exc:
        return SummaryResult(doc_id=name, score=0.0, latency_ms=_ms(t0), error=f"{exc.code}: {exc.message}")
    latency = _ms(t0)
    try:  # the summariser's own field-level scorer, when present, knows its synonyms and invented values
        from huiyi.evals.summary_score import score_summary
    except ImportError:
        fields = m.score_summary(gold, summary)
        score = statistics.fmean(fields.values()) if fields else 0.0
        return SummaryResult(doc_id=name, score=round(score, 4), fields=fields, latency_ms=latency)
    sc = score_summary(summary, gold, text)
    return SummaryResult(doc_id=name, score=round(sc.accuracy, 4), right=sc.right, total=sc.total, latency_ms=latency,
                         misses=list(sc.misses), invented=list(sc.invented))


def run_cmrc(split: str, reader: Callable[..., Any] | None = None, *, path: Path | None = None,
             limit: int | None = None) -> EvalRun:
    """CMRC 2018 trial, one split, each question over its own passage (offline answerer unless a reader is given)."""
    from huiyi.evals import cmrc

    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    data = path or cmrc.CMRC_TRIAL
    questions = cmrc.load_questions(data, split)[:limit]
    results = [cmrc.score_question(q, reader or cmrc.offline_reader) for q in questions]
    cases = [CmrcCase(id=r.query_id, question=r.question, qtype=r.qtype, answers=list(r.answers), prediction=r.prediction,
                      status=r.status, em=r.em, f1=r.f1, latency_ms=r.latency_ms) for r in results]
    metrics = {f"cmrc_{k}" if k in ("em", "f1", "answered_f1") else k: v for k, v in cmrc.aggregate(results).items()}
    info = RunInfo(git_sha=git_sha(), git_dirty=git_dirty(), corpus_hash=file_hash(data), gold_hash=file_hash(data),
                   mode="offline", model=None, started_at=started.isoformat(timespec="seconds"),
                   duration_s=round(time.perf_counter() - t0, 2), cases=len(cases), k=1)
    return EvalRun(set="cmrc", split=split, kind="cmrc", run=info, metrics=metrics, by_type=cmrc.by_type(results), cmrc=cases)


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(REPO_DIR), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def git_sha() -> str:
    return _git("rev-parse", "--short=12", "HEAD") or "unknown"


def git_dirty() -> bool:
    return bool(_git("status", "--porcelain", "--untracked-files=no"))
