"""The records `huiyi eval` reads and writes: gold cases, per-case and per-part results, the whole report."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class GateResult(BaseModel):
    """The eval gate's verdict on a run (huiyi.evals.report.check_gate)."""

    ok: bool
    failures: list[str] = Field(default_factory=list)  # why the gate failed, one line each
    regressions: list[str] = Field(default_factory=list)  # case ids that passed in the baseline and fail now
    notes: list[str] = Field(default_factory=list)  # known failures the gate tolerates (critical cases never passed yet)
    checked_against_baseline: bool = True


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
    scope_docs: list[str] = Field(default_factory=list)  # asked within these documents (gold names)

    @property
    def primary_type(self) -> str:
        return self.type[0] if self.type else "other"


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

    @property
    def primary_type(self) -> str:
        return self.types[0] if self.types else "other"


class SummaryResult(BaseModel):
    doc_id: str  # the gold document name
    score: float  # field accuracy of this document
    right: int = 0  # fields right …
    total: int = 0  # … of fields scored
    fields: dict[str, float] = Field(default_factory=dict)  # per-field scores (generic scorer)
    misses: list[str] = Field(default_factory=list)  # fields the summary got wrong (summariser's scorer)
    invented: list[str] = Field(default_factory=list)  # values the report does not support
    latency_ms: float = 0.0
    error: str | None = None


class CmrcCase(BaseModel):
    id: str
    question: str
    qtype: str
    answers: list[str]
    prediction: str
    status: str
    em: float
    f1: float
    latency_ms: float


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
    """One part of one gold set: its run, its aggregate metrics, per-type tables, cases and summaries."""

    set: str = "seeds"
    split: str = "dev"
    kind: Literal["qa", "cmrc"] = "qa"
    run: RunInfo
    metrics: dict[str, float | int | None]
    by_type: dict[str, dict[str, float | int | None]]  # primary question type → n, accuracy, refusals, citations
    by_tag: dict[str, dict[str, float | int | None]] = Field(default_factory=dict)  # every tag → n, pass rate, F1
    cases: list[CaseResult] = Field(default_factory=list)
    summaries: list[SummaryResult] = Field(default_factory=list)
    cmrc: list[CmrcCase] = Field(default_factory=list)
    gate: GateResult | None = None

    @property
    def key(self) -> str:
        return f"{self.set}/{self.split}"


class StoreInfo(BaseModel):
    store: str
    path: str
    documents: int
    added: int
    unchanged: int
    replaced: int
    removed: int  # stale documents that were not in the corpus
    seconds: float


class ReportInfo(BaseModel):
    git_sha: str
    git_dirty: bool
    mode: str
    model: str | None
    started_at: str
    duration_s: float
    sets: list[str]
    splits: list[str]
    k: int
    stores: list[StoreInfo] = Field(default_factory=list)


class EvalReport(BaseModel):
    run: ReportInfo
    parts: list[EvalRun]
    gate: GateResult | None = None

    def part(self, key: str) -> EvalRun | None:
        return next((p for p in self.parts if p.key == key), None)
