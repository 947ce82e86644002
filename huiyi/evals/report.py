"""The eval gate (floors, ceilings, allowed drops vs the baseline, critical cases) and the reports it writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from huiyi.errors import BadInput

if TYPE_CHECKING:
    from huiyi.evals.harness import EvalRun

# Metrics where lower is better; every other gated metric is higher-is-better.
LOWER_IS_BETTER = frozenset({"ungrounded_numbers", "summary_invented", "answered_without_citation", "false_refusals", "critical_failed",
                             "errors", "latency_p50_ms", "latency_p95_ms"})
SHOWN = ("accuracy", "pass_rate", "refusal_precision", "refusal_recall", "undisclosed_rate", "false_refusals",
         "citation_validity", "citation_support", "evidence_coverage", "answered_without_citation",
         "ungrounded_numbers", "em", "f1", "recall_at_k", "mrr", "summary_score", "summary_invented", "critical_failed", "errors",
         "latency_p50_ms", "latency_p95_ms")


class GateResult(BaseModel):
    ok: bool
    failures: list[str] = Field(default_factory=list)  # why the gate failed, one line each
    regressions: list[str] = Field(default_factory=list)  # case ids that passed in the baseline and fail now
    checked_against_baseline: bool = True


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}", code="bad_eval_file") from exc


def check_gate(run: EvalRun, baseline: dict[str, Any] | None, thresholds: dict[str, Any], *, against_baseline: bool = True) -> GateResult:
    """Absolute floors/ceilings always; drops vs the baseline unless the baseline is being replaced."""
    metrics, failures = run.metrics, []
    for name, floor in thresholds.get("floors", {}).items():
        # A metric the run did not measure (no summaries asked for) is skipped; one measured as None fails.
        value = metrics.get(name)
        if floor is not None and name in metrics and (value is None or value < floor):
            failures.append(f"{name} = {_fmt(value)} is below the floor {_fmt(floor)}")
    for name, ceiling in thresholds.get("ceilings", {}).items():
        value = metrics.get(name)
        if ceiling is not None and value is not None and value > ceiling:
            failures.append(f"{name} = {_fmt(value)} is above the ceiling {_fmt(ceiling)}")
    failures += [f"critical case failed: {c.id} ({c.question})" for c in run.cases if c.critical and not c.passed]
    regressions: list[str] = []
    if against_baseline and baseline:
        failures += _drops(metrics, baseline.get("metrics", {}), thresholds.get("max_drop", {}))
        before = baseline.get("cases", {})
        regressions = [c.id for c in run.cases if before.get(c.id) and not c.passed]
    return GateResult(ok=not failures, failures=failures, regressions=regressions, checked_against_baseline=against_baseline)


def _drops(now: dict[str, Any], before: dict[str, Any], allowed: dict[str, float]) -> list[str]:
    out = []
    for name, tolerance in allowed.items():
        old, new = before.get(name), now.get(name)
        if old is None or tolerance is None or name not in now:  # not measured in this run (e.g. --only)
            continue
        if new is None:
            out.append(f"{name} is missing (baseline {_fmt(old)})")
            continue
        drop = (new - old) if name in LOWER_IS_BETTER else (old - new)
        if drop > tolerance + 1e-9:
            out.append(f"{name} moved from {_fmt(old)} to {_fmt(new)}, beyond the allowed {_fmt(tolerance)}")
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4g}" if abs(value) >= 1 else f"{value:.3f}"
    return str(int(value)) if isinstance(value, float) else str(value)


# ---- writing --------------------------------------------------------------------------------------


def write_reports(run: EvalRun, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "eval-report.json", out_dir / "eval-report.md"
    json_path.write_text(run.model_dump_json(indent=2), encoding="utf-8")
    md_path.write_text(to_markdown(run), encoding="utf-8")
    return json_path, md_path


def to_markdown(run: EvalRun, baseline: dict[str, Any] | None = None) -> str:
    r = run.run
    lines = [
        "# huiyi eval report",
        "",
        f"- mode: `{r.mode}`" + (f" (model `{r.model}`)" if r.model else ""),
        f"- git: `{r.git_sha}`{' (dirty)' if r.git_dirty else ''} · corpus `{r.corpus_hash}` · gold `{r.gold_hash}`",
        f"- {r.cases} cases in {r.duration_s} s · started {r.started_at} · retrieval k = {r.k}",
        f"- gate: **{'PASS' if run.gate and run.gate.ok else 'FAIL' if run.gate else 'not checked'}**",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {name} | {_fmt(run.metrics.get(name))} |" for name in SHOWN if name in run.metrics]
    lines += ["", "## By case type", "", "| type | n | pass rate | F1 |", "|---|---|---|---|"]
    lines += [f"| {t} | {v['n']} | {_fmt(v['pass_rate'])} | {_fmt(v['f1'])} |" for t, v in run.by_type.items()]
    if run.summaries:
        lines += ["", "## Summaries", "", "| document | score | invented / missed |", "|---|---|---|"]
        for s in run.summaries:
            weak = "; ".join(s.invented[:2] + s.misses[:3]) or ", ".join(
                f"{k} {v:.2f}" for k, v in sorted(s.fields.items(), key=lambda kv: kv[1])[:3] if v < 1)
            lines.append(f"| {s.doc_id} | {s.score:.3f} | {_cell(s.error or weak or '—', 160)} |")
    if run.gate and (run.gate.failures or run.gate.regressions):
        lines += ["", "## Gate", ""] + [f"- {f}" for f in run.gate.failures]
        if run.gate.regressions:
            lines.append(f"- cases that passed in the baseline and fail now: {', '.join(run.gate.regressions)}")
    failed = [c for c in run.cases if not c.passed]
    if failed:
        lines += ["", "## Failed cases", "", "| id | question | expected | status | answer |", "|---|---|---|---|---|"]
        for c in failed:
            expected = " / ".join(c.expected) or c.expect_status
            lines.append(f"| {c.id} | {_cell(c.question)} | {_cell(expected)} | {c.status} | {_cell(c.answer, 80)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str, limit: int = 60) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_console(run: EvalRun, baseline: dict[str, Any] | None = None, console: Console | None = None) -> None:
    console = console or Console()
    before = (baseline or {}).get("metrics", {})
    table = Table(title=f"huiyi eval · {run.run.mode} · {run.run.cases} cases · {run.run.duration_s}s")
    for col in ("metric", "value", "baseline"):
        table.add_column(col, justify="right" if col != "metric" else "left")
    for name in SHOWN:
        if name in run.metrics:
            table.add_row(name, _fmt(run.metrics[name]), _fmt(before.get(name)))
    console.print(table)
    types = Table(title="by case type")
    for col in ("type", "n", "pass rate", "F1"):
        types.add_column(col)
    for tag, row in run.by_type.items():
        types.add_row(tag, str(row["n"]), _fmt(row["pass_rate"]), _fmt(row["f1"]))
    console.print(types)
    for c in (c for c in run.cases if not c.passed):
        console.print(f"[red]✗[/red] {c.id}: {c.question} → [{c.status}] {c.answer[:80]} (expected {' / '.join(c.expected) or c.expect_status})")
    if run.gate:
        verdict = "[green]PASS[/green]" if run.gate.ok else "[red]FAIL[/red]"
        console.print(f"gate: {verdict}")
        for failure in run.gate.failures:
            console.print(f"  - {failure}")
