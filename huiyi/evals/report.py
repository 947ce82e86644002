"""The eval gate (floors, ceilings, allowed drops vs the baseline, critical cases) and the reports it writes.

Thresholds and baselines are kept per part (`gov/test`, …): `thresholds.json` has an `all` section that
applies to every part and a `parts` section that adds to or overrides it for one part.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from huiyi.errors import BadInput
from huiyi.evals.records import EvalReport, EvalRun, GateResult

# Metrics where lower is better; every other gated metric is higher-is-better.
LOWER_IS_BETTER = frozenset({"ungrounded_numbers", "summary_invented", "summary_errors", "answered_without_citation",
                             "false_refusals", "critical_failed", "errors", "latency_p50_ms", "latency_p95_ms", "refused"})
TYPE_COLUMNS = (("n", "n"), ("accuracy", "accuracy"), ("refusal_precision", "refusal precision"),
                ("refusal_recall", "refusal recall"), ("citation_validity", "citation validity"),
                ("ungrounded_numbers", "ungrounded numbers"))
OTHER_MEASURES = (
    ("pass_rate", "pass rate (every case)"),
    ("citation_support", "citation support (gold evidence cited)"),
    ("evidence_coverage", "evidence coverage (every part cited)"),
    ("recall_at_k", "retrieval recall@k"),
    ("mrr", "retrieval MRR"),
    ("em", "CMRC-style EM vs gold answers"),
    ("f1", "CMRC-style char F1 vs gold answers"),
    ("false_refusals", "answerable refused"),
    ("answered_without_citation", "answered without a citation"),
    ("undisclosed_rate", "placeholders reported undisclosed"),
    ("critical_failed", "critical cases failed"),
    ("errors", "errors"),
    ("latency_p50_ms", "latency p50 ms"),
    ("latency_p95_ms", "latency p95 ms"),
    ("summary_docs", "summaries: documents"),
    ("summary_fields", "summaries: fields scored"),
    ("summary_accuracy", "summaries: field accuracy"),
    ("summary_invented", "summaries: invented values"),
)
CMRC_COLUMNS = (("n", "n"), ("em", "EM"), ("f1", "F1"), ("refused", "refused"))
SET_TITLES = {
    "seeds": "the five seed reports (the answerer was built on them)",
    "gov": "27 real 2026 provincial work reports",
    "meetings": "written meeting releases and notices (dev and test corpora apart)",
    "cmrc": "CMRC 2018 trial, each question over its own passage (offline answerer), EM/F1 in %",
}


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}", code="bad_eval_file") from exc


# ---- the gate -------------------------------------------------------------------------------------


def part_thresholds(thresholds: dict[str, Any], key: str) -> dict[str, Any]:
    """The `all` thresholds with the part's own on top (a flat file without sections applies as is)."""
    if "all" not in thresholds and "parts" not in thresholds:
        return thresholds
    base, own = thresholds.get("all", {}), thresholds.get("parts", {}).get(key, {})
    merged: dict[str, Any] = {name: {**base.get(name, {}), **own.get(name, {})} for name in ("floors", "ceilings", "max_drop")}
    merged["critical"] = own.get("critical", base.get("critical", "every"))
    return merged


def baseline_for(baseline: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    return (baseline or {}).get("parts", {}).get(key)


def check_gate(run: EvalRun, baseline: dict[str, Any] | None, thresholds: dict[str, Any], *, against_baseline: bool = True) -> GateResult:
    """Absolute floors/ceilings always; drops vs the baseline unless the baseline is being replaced.

    Critical cases: with `critical: every` any failed critical case fails the run; with `critical:
    regressions` (sets the answerer does not pass yet) a critical case that passed in the baseline must
    keep passing, and the ones never passed are listed as notes (a ceiling on critical_failed bounds them).
    """
    metrics, failures, notes = run.metrics, [], []
    for name, floor in thresholds.get("floors", {}).items():
        # A metric the run did not measure (no summaries asked for) is skipped; one measured as None fails.
        value = metrics.get(name)
        if floor is not None and name in metrics and (value is None or value < floor - 1e-9):
            failures.append(f"{name} = {_fmt(value)} is below the floor {_fmt(floor)}")
    for name, ceiling in thresholds.get("ceilings", {}).items():
        value = metrics.get(name)
        if ceiling is not None and value is not None and value > ceiling + 1e-9:
            failures.append(f"{name} = {_fmt(value)} is above the ceiling {_fmt(ceiling)}")
    before = (baseline or {}).get("cases", {}) if against_baseline else {}
    failed_critical = [c for c in run.cases if c.critical and not c.passed]
    if thresholds.get("critical", "every") == "every":
        failures += [f"critical case failed: {c.id} ({c.question})" for c in failed_critical]
    else:
        failures += [f"critical case failed (passed in the baseline): {c.id} ({c.question})" for c in failed_critical if before.get(c.id)]
        notes += [f"critical case not passed yet: {c.id}" for c in failed_critical if not before.get(c.id)]
    regressions: list[str] = []
    if against_baseline and baseline:
        failures += _drops(metrics, baseline.get("metrics", {}), thresholds.get("max_drop", {}))
        regressions = [c.id for c in run.cases if before.get(c.id) and not c.passed]
    return GateResult(ok=not failures, failures=failures, regressions=regressions, notes=notes,
                      checked_against_baseline=against_baseline)


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
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4g}" if abs(value) >= 1 else f"{value:.3f}"
    return str(int(value)) if isinstance(value, float) else str(value)


# ---- tables shared by the Markdown report and the console ------------------------------------------


def _by_set(report: EvalReport) -> dict[str, dict[str, EvalRun]]:
    out: dict[str, dict[str, EvalRun]] = {}
    for run in report.parts:
        out.setdefault(run.set, {})[run.split] = run
    return out


def _pair(dev: Any, test: Any) -> str:
    return f"{_fmt(dev)} / {_fmt(test)}"


def type_rows(parts: dict[str, EvalRun], columns: Iterable[tuple[str, str]] = TYPE_COLUMNS,
              overall: dict[str, str] | None = None) -> list[list[str]]:
    """Rows `type, dev / test …` per primary type, overall first (types ordered by total count)."""
    dev, test = parts.get("dev"), parts.get("test")
    columns = list(columns)
    rows = []
    if overall is not None:
        totals = [{c: run.metrics.get(overall.get(c, c)) for c, _ in columns} if run else {} for run in (dev, test)]
        rows.append(["**all**", *(_pair(totals[0].get(c), totals[1].get(c)) for c, _ in columns)])
    counts: dict[str, int] = {}
    for run in (dev, test):
        for t, row in (run.by_type if run else {}).items():
            counts[t] = counts.get(t, 0) + int(row.get("n") or 0)
    for t in sorted(counts, key=lambda t: (-counts[t], t)):
        cells = [(run.by_type.get(t) or {}) if run else {} for run in (dev, test)]
        rows.append([t, *(_pair(cells[0].get(c), cells[1].get(c)) for c, _ in columns)])
    return rows


def measure_rows(parts: dict[str, EvalRun]) -> list[list[str]]:
    dev, test = parts.get("dev"), parts.get("test")
    rows = []
    for name, label in OTHER_MEASURES:
        values = [run.metrics.get(name) if run else None for run in (dev, test)]
        if any(run is not None and name in run.metrics for run in (dev, test)):
            rows.append([label, *(_fmt(v) for v in values)])
    return rows


def _set_header(name: str, parts: dict[str, EvalRun]) -> str:
    counts = " · ".join(f"{split} {run.run.cases} {'questions' if run.kind == 'cmrc' else 'cases'}"
                        for split, run in sorted(parts.items()))
    return f"{name} — {SET_TITLES.get(name, name)} ({counts})"


# ---- writing --------------------------------------------------------------------------------------


def write_reports(report: EvalReport, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "eval-report.json", out_dir / "eval-report.md"
    json_path.write_text(report.model_dump_json(indent=1), encoding="utf-8")
    md_path.write_text(to_markdown(report), encoding="utf-8")
    return json_path, md_path


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def to_markdown(report: EvalReport) -> str:
    r = report.run
    verdict = "PASS" if report.gate and report.gate.ok else "FAIL" if report.gate else "not checked"
    lines = [
        "# huiyi eval report",
        "",
        f"- mode: `{r.mode}`" + (f" (model `{r.model}`)" if r.model else ""),
        f"- git: `{r.git_sha}`{' (dirty)' if r.git_dirty else ''} · started {r.started_at} · {r.duration_s} s · retrieval k = {r.k}",
        f"- gate: **{verdict}**",
    ]
    for s in r.stores:
        lines.append(f"- store `{s.store}`: {s.documents} documents ({s.added} added, {s.replaced} replaced, "
                     f"{s.unchanged} unchanged, {s.removed} removed) in {s.seconds} s")
    lines += ["", "Every cell is development / test.", ""]
    for name, parts in _by_set(report).items():
        lines += [f"## {_set_header(name, parts)}", ""]
        if any(p.kind == "cmrc" for p in parts.values()):
            lines += _md_table(["type", *(label for _, label in CMRC_COLUMNS)],
                               type_rows(parts, CMRC_COLUMNS, {"n": "questions", "em": "cmrc_em", "f1": "cmrc_f1"}))
            lines.append("")
            continue
        lines += ["Q&A by primary question type:", ""]
        lines += _md_table(["type", *(label for _, label in TYPE_COLUMNS)], type_rows(parts, overall={"n": "cases"}))
        lines += ["", *_md_table(["measure", "dev", "test"], measure_rows(parts)), ""]
        for split, run in sorted(parts.items()):
            bad = [s for s in run.summaries if s.score < 1 or s.invented or s.error]
            if bad:
                lines += [f"Summaries below 1.0 ({split}):", ""]
                rows = [[s.doc_id, f"{s.score:.3f}", _cell(s.error or "; ".join(s.invented[:2] + s.misses[:3]) or "—", 160)] for s in bad]
                lines += [*_md_table(["document", "field accuracy", "invented / missed"], rows), ""]
    if report.gate and (report.gate.failures or report.gate.regressions or report.gate.notes):
        lines += ["## Gate", ""] + [f"- {f}" for f in report.gate.failures]
        if report.gate.regressions:
            lines.append(f"- cases that passed in the baseline and fail now: {', '.join(report.gate.regressions)}")
        if report.gate.notes:
            lines.append(f"- tolerated (never passed yet): {len(report.gate.notes)} critical cases")
        lines.append("")
    for run in report.parts:
        failed = [c for c in run.cases if not c.passed]
        if failed:
            lines += [f"## Failed cases: {run.key} ({len(failed)})", ""]
            rows = [[c.id, c.primary_type, _cell(c.question), _cell(" / ".join(c.expected) or c.expect_status), c.status,
                     _cell(c.answer, 80)] for c in failed]
            lines += [*_md_table(["id", "type", "question", "expected", "status", "answer"], rows), ""]
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str, limit: int = 60) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_console(report: EvalReport, baseline: dict[str, Any] | None = None, console: Console | None = None,
                  max_failed: int = 12) -> None:
    console = console or Console(width=None if sys.stdout.isatty() else 150)  # CI logs: no 80-column wrapping
    for name, parts in _by_set(report).items():
        cmrc = any(p.kind == "cmrc" for p in parts.values())
        columns = CMRC_COLUMNS if cmrc else TYPE_COLUMNS
        overall = {"n": "questions", "em": "cmrc_em", "f1": "cmrc_f1"} if cmrc else {"n": "cases"}
        table = Table(title=f"{_set_header(name, parts)} · dev / test")
        table.add_column("type")
        for _, label in columns:
            table.add_column(label, justify="right")
        for row in type_rows(parts, columns, overall):
            table.add_row(*(c.replace("**", "") for c in row))
        console.print(table)
        if not cmrc:
            measures = Table(title=f"{name}: other measures")
            for col in ("measure", "dev", "test"):
                measures.add_column(col, justify="left" if col == "measure" else "right")
            for row in measure_rows(parts):
                measures.add_row(*row)
            console.print(measures)
        for _, run in sorted(parts.items()):
            failed = [c for c in run.cases if not c.passed]
            if 0 < len(failed) <= max_failed:
                for c in failed:
                    console.print(f"[red]✗[/red] {run.key} {c.id}: {c.question} → [{c.status}] {c.answer[:80]} "
                                  f"(expected {' / '.join(c.expected) or c.expect_status})")
            elif failed:
                console.print(f"{run.key}: {len(failed)} failed cases, listed in eval-report.md")
    for s in report.run.stores:
        console.print(f"store {s.store}: {s.documents} documents, {s.added} added, {s.unchanged} unchanged in {s.seconds} s")
    if report.gate:
        verdict = "[green]PASS[/green]" if report.gate.ok else "[red]FAIL[/red]"
        console.print(f"gate: {verdict} ({report.run.duration_s} s)")
        for failure in report.gate.failures:
            console.print(f"  - {failure}")
        if report.gate.notes:
            console.print(f"  ({len(report.gate.notes)} critical cases not passed yet are tolerated: see eval-report.json)")
