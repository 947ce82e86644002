"""The eval harness and its gate, driven by fake services over the real gold set and the cleaned seeds.

A fake that answers from the gold facts with verbatim citations must pass the committed thresholds;
degraded fakes (no citations, perturbed numbers, never refusing, tidied quotes) must fail the gate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from huiyi.cite.models import Citation
from huiyi.evals.harness import BASELINE, GOLD_QA, THRESHOLDS, GoldCase, load_cases, main, run_eval
from huiyi.evals.report import check_gate, load_json, to_markdown
from huiyi.index.clean import clean_text
from huiyi.index.records import DocumentRecord
from huiyi.qa.models import AskRequest, AskResponse

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CASES = load_cases()
TEXTS = {p.stem: clean_text(p.read_text(encoding="utf-8")).text for p in sorted(SEEDS.glob("*.txt"))}


@dataclass
class Doc:
    id: str
    text: str


@dataclass
class Hit:
    text: str


@dataclass
class FakeService:
    """Answers each gold question from its gold facts; `degrade` bends the answer the way a bad change would."""

    degrade: str = "none"
    asked: list[AskRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_question = {(c.question, json.dumps(c.history, ensure_ascii=False)): c for c in CASES}

    def ask(self, request: AskRequest) -> AskResponse:
        self.asked.append(request)
        history = [t.model_dump() for t in request.history]
        case = self.by_question[(request.question, json.dumps(history, ensure_ascii=False))]
        if case.expect_status != "answered" and self.degrade != "never_refuse":
            return AskResponse(answer="资料中未提及。", status=case.expect_status)
        answer = "、".join(case.answers[:1] + case.all_of) or "衡东县GDP增长5.9%"
        cites = self._citations(case)
        if self.degrade == "drop_citations":
            cites = []
        elif self.degrade == "perturb_numbers":
            answer = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), answer)
        elif self.degrade == "tidy_quotes":
            cites = [c.model_copy(update={"quote": c.quote.replace(" ", "").replace(",", ",")}) for c in cites]
        return AskResponse(answer=answer, status="answered", citations=cites, usage={"prompt_tokens": 0})

    def _citations(self, case: GoldCase) -> list[Citation]:
        out = []
        for ev in case.evidence:
            doc = next((d for d in case.docs if ev in TEXTS[d]), None)
            if doc is not None:
                start = TEXTS[doc].index(ev)
                out.append(Citation(doc_id=doc, title=doc, quote=ev, start=start, end=start + len(ev), chunk_id=f"{doc}:0000"))
        return out

    def search(self, query: str, k: int = 8, filters: object = None) -> list[Hit]:
        # follow-ups share a question; the one whose earlier user turns are all in the query is meant
        fits = [c for c in CASES if query.endswith(c.question)
                and all(t["content"] in query for t in c.history if t["role"] == "user")]
        case = max(fits, key=lambda c: len(c.history), default=None)
        hits = [Hit(ev) for ev in (case.evidence if case else [])] + [Hit("无关")]
        return hits[:k]

    def summary(self, doc_id: str):
        from huiyi.summary.models import MeetingSummary, TextField

        # a summariser that only finds the place, and invents a host
        return MeetingSummary(doc_id=doc_id, title=doc_id, place=TextField(value="武家山政府会务中心"),
                              host=TextField(value="编造的主持人"))

    def document(self, doc_id: str) -> Doc:
        return Doc(doc_id, TEXTS[doc_id])

    def documents(self) -> list[DocumentRecord]:
        return [DocumentRecord(id=d, title=d, source=d, chunks=1, chars=len(t), placeholders=0, content_hash=str(hash(t)),
                               ingested_at="2024-01-01T00:00:00") for d, t in TEXTS.items()]


@pytest.fixture(scope="module")
def good_run():
    return run_eval(FakeService(), CASES, "offline")


def thresholds() -> dict:
    return load_json(THRESHOLDS)


def test_gold_set_shape() -> None:
    assert len(CASES) >= 70
    not_found = [c for c in CASES if c.expect_status == "not_found"]
    undisclosed = [c for c in CASES if c.expect_status == "undisclosed"]
    assert len(not_found) >= 12 and len(undisclosed) >= 5
    assert all(not c.answerable for c in not_found + undisclosed)
    assert all(c.answers or c.all_of for c in CASES if c.answerable)
    assert sum(c.critical for c in CASES) >= 12
    assert any(c.history for c in CASES) and any("cross_report" in c.type for c in CASES)
    # gold evidence must be searchable: verbatim in the cleaned text, not in removed portal noise
    for c in CASES:
        for ev in c.evidence:
            assert any(ev in TEXTS[d] for d in c.docs), (c.id, ev)


def test_good_fake_scores_perfectly_and_passes_the_committed_gate(good_run) -> None:
    metrics = good_run.metrics
    assert metrics["accuracy"] == 1.0 and metrics["pass_rate"] == 1.0
    assert metrics["refusal_precision"] == 1.0 and metrics["refusal_recall"] == 1.0
    assert metrics["citation_validity"] == 1.0 and metrics["citation_support"] == 1.0
    assert metrics["ungrounded_numbers"] == 0 and metrics["critical_failed"] == 0
    assert metrics["recall_at_k"] == 1.0 and metrics["mrr"] == 1.0
    baseline = load_json(BASELINE) if BASELINE.exists() else None
    gate = check_gate(good_run, baseline, thresholds())
    assert gate.ok, gate.failures


@pytest.mark.parametrize(
    ("degrade", "symptom"),
    [
        ("drop_citations", "answered_without_citation"),
        ("perturb_numbers", "ungrounded_numbers"),
        ("never_refuse", "refusal_precision"),
        ("tidy_quotes", "citation_validity"),
    ],
)
def test_degraded_answerer_fails_the_gate(good_run, degrade: str, symptom: str) -> None:
    run = run_eval(FakeService(degrade), CASES, "offline")
    baseline = {"metrics": good_run.metrics, "cases": {c.id: c.passed for c in good_run.cases}}
    gate = check_gate(run, baseline, thresholds())
    assert not gate.ok
    assert any(symptom in f for f in gate.failures), gate.failures
    # and without a baseline the absolute floors alone still catch it
    assert not check_gate(run, None, thresholds()).ok


def test_perturbed_numbers_fail_critical_cases(good_run) -> None:
    run = run_eval(FakeService("perturb_numbers"), CASES, "offline")
    gate = check_gate(run, None, thresholds())
    assert any("critical case failed: hd-h1-gdp" in f for f in gate.failures)
    assert run.metrics["accuracy"] < 0.8


def test_retrieval_rank_is_measured() -> None:
    class LateHits(FakeService):
        def search(self, query: str, k: int = 8, filters: object = None) -> list[Hit]:
            return [Hit("无关"), Hit("也无关")] + super().search(query, 10)  # more than k: MRR looks past k

    run = run_eval(LateHits(), CASES, "offline", k=2)
    assert run.metrics["recall_at_k"] == 0.0 and run.metrics["mrr"] == pytest.approx(1 / 3, abs=1e-4)


def test_small_drop_against_baseline_fails_only_when_compared(good_run) -> None:
    # three non-critical answerable cases regress: above the floors, but beyond the allowed drop
    worse = good_run.model_copy(deep=True)
    victims = [c for c in worse.cases if c.expect_status == "answered" and not c.critical][:3]
    for c in victims:
        c.passed = False
    from huiyi.evals.harness import aggregate

    worse.metrics = aggregate(worse.cases)
    baseline = {"metrics": good_run.metrics, "cases": {c.id: c.passed for c in good_run.cases}}
    gate = check_gate(worse, baseline, thresholds())
    assert not gate.ok and any(f.startswith("accuracy moved") for f in gate.failures)
    assert gate.regressions == [c.id for c in victims]
    assert check_gate(worse, baseline, thresholds(), against_baseline=False).ok


def test_followups_send_history_and_by_type_table(good_run) -> None:
    service = FakeService()
    followups = [c for c in CASES if c.history]
    run = run_eval(service, followups, "offline")
    assert [len(r.history) for r in service.asked] == [len(c.history) for c in followups]
    assert run.by_type["followup"]["n"] == len(followups)
    assert set(good_run.by_type) >= {"number", "person", "list", "unanswerable", "placeholder", "cross_report"}


def test_case_records_and_run_info(good_run) -> None:
    case = next(c for c in good_run.cases if c.id == "hd-h1-gdp")
    assert case.answer == "5.9%" and case.status == "answered" and case.passed
    assert case.citations[0]["quote"] == "上半年,全县GDP增长5.9 %"
    assert case.metrics["citations_valid"] == 1 and case.metrics["supported"] is True
    assert case.tokens == {"prompt_tokens": 0} and case.latency_ms >= 0
    info = good_run.run
    assert info.mode == "offline" and info.model is None and len(info.corpus_hash) == 16 and info.cases == len(CASES)
    md = to_markdown(good_run)
    assert "| accuracy | 1 |" in md and "## By case type" in md


def test_main_writes_reports_and_only_updates_baseline_on_request(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    args = ["--out", str(tmp_path / "out"), "--baseline", str(baseline), "--summaries", str(tmp_path / "none.json"), "--quiet"]
    assert main(args, service=FakeService()) == 0
    report = json.loads((tmp_path / "out" / "eval-report.json").read_text(encoding="utf-8"))
    assert report["gate"]["ok"] and report["run"]["cases"] == len(CASES)
    assert {"question", "answer", "status", "citations", "metrics", "latency_ms", "tokens"} <= set(report["cases"][0])
    assert (tmp_path / "out" / "eval-report.md").read_text(encoding="utf-8").startswith("# huiyi eval report")
    assert not baseline.exists()
    assert main([*args, "--update-baseline"], service=FakeService()) == 0
    saved = json.loads(baseline.read_text(encoding="utf-8"))
    assert saved["metrics"]["accuracy"] == 1.0 and saved["cases"]["hd-h1-gdp"] is True
    # a degraded run against that baseline exits 1, and does not move it
    assert main(args, service=FakeService("drop_citations")) == 1
    assert json.loads(baseline.read_text(encoding="utf-8")) == saved


def test_duplicate_gold_ids_are_rejected(tmp_path: Path) -> None:
    from huiyi.errors import BadInput

    line = GOLD_QA.read_text(encoding="utf-8").splitlines()[0]
    bad = tmp_path / "qa.jsonl"
    bad.write_text(line + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(BadInput):
        load_cases(bad)


def test_summaries_are_scored_and_gated() -> None:
    gold = load_json(Path(__file__).resolve().parents[2] / "huiyi" / "evals" / "gold" / "seeds" / "summaries.json")
    doc = "000_4803b7c4fa62c0f1"
    run = run_eval(FakeService(), CASES[:3], "offline", summaries={"_about": "ignored", doc: gold[doc]})
    assert [s.doc_id for s in run.summaries] == [doc]
    result = run.summaries[0]
    assert 0 < result.score < 0.5 and result.error is None
    assert result.misses or result.fields
    assert run.metrics["summary_score"] == result.score
    gate = check_gate(run, None, thresholds())
    assert any(f.startswith("summary_score") for f in gate.failures)
