"""One part of the eval and its gate, driven by fake services over the real gold sets and the cleaned corpora.

A fake that answers from the gold facts with verbatim citations must pass the committed thresholds of
every part; degraded fakes (no citations, perturbed numbers, never refusing, tidied quotes, wrong answers)
must fail the gate of every test part, with or without a baseline.
"""

from __future__ import annotations

import pytest

from huiyi.evals.harness import BASELINE, GOLD_QA, THRESHOLDS, aggregate, load_cases, run_eval
from huiyi.evals.report import baseline_for, check_gate, load_json, part_thresholds
from tests.evals.fakes import PARTS, FakeService, corpus_texts, part_cases

QA_KEYS = sorted(PARTS)
TEST_KEYS = [k for k in QA_KEYS if k.endswith("/test")]


def run_part(key: str, degrade: str = "none", **kw):
    part = PARTS[key]
    return run_eval(FakeService(part.store, degrade), part_cases(key), "offline", set_name=part.set, split=part.split, **kw)


@pytest.fixture(scope="module")
def good_runs():
    return {key: run_part(key) for key in QA_KEYS}


def thresholds(key: str) -> dict:
    return part_thresholds(load_json(THRESHOLDS), key)


def committed_baseline(key: str) -> dict | None:
    return baseline_for(load_json(BASELINE), key) if BASELINE.exists() else None


def baseline_of(run) -> dict:
    return {"metrics": run.metrics, "cases": {c.id: c.passed for c in run.cases}}


# Gold evidence that cleaning no longer keeps (frozen test parts cannot be corrected): the answer is still in the
# text, but this quote cannot be cited. Listed so a fix, or any new loss, shows up here.
UNCITABLE: dict[str, str] = {}  # gold evidence the cleaning removes, with why (none now)


def uncitable(key: str) -> set[str]:
    texts = corpus_texts(PARTS[key].store)
    return {c.id for c in part_cases(key) for ev in c.evidence if not any(ev in texts[d] for d in c.docs)}


@pytest.mark.parametrize("key", QA_KEYS)
def test_gold_set_shape(key: str) -> None:
    cases = part_cases(key)
    texts = corpus_texts(PARTS[key].store)
    assert len(cases) >= 50
    refusals = [c for c in cases if c.expect_status != "answered"]
    assert len(refusals) >= 7 and all(not c.answerable for c in refusals)
    assert all(c.answers or c.all_of for c in cases if c.answerable)
    assert sum(c.critical for c in cases) >= 8 and all(c.type for c in cases)
    for c in cases:
        assert set(c.docs + c.scope_docs) <= set(texts), c.id
    # gold evidence must be searchable: verbatim in the cleaned text, not in removed portal noise
    assert uncitable(key) == {c.id for c in cases} & set(UNCITABLE)


def test_case_ids_are_unique_across_the_parts_of_a_set() -> None:
    for name in ("seeds", "gov", "meetings"):
        ids = [c.id for key in QA_KEYS if key.startswith(name + "/") for c in part_cases(key)]
        assert len(ids) == len(set(ids)), name


@pytest.mark.parametrize("key", QA_KEYS)
def test_good_fake_scores_perfectly_and_passes_the_committed_gate(good_runs, key: str) -> None:
    run = good_runs[key]
    metrics = run.metrics
    assert (run.set, run.split) == tuple(key.split("/"))
    assert metrics["accuracy"] == 1.0 and metrics["pass_rate"] == 1.0
    assert metrics["refusal_precision"] == 1.0 and metrics["refusal_recall"] == 1.0
    assert metrics["citation_validity"] == 1.0 and metrics["ungrounded_numbers"] == 0 and metrics["critical_failed"] == 0
    if not uncitable(key):
        assert metrics["citation_support"] == 1.0 and metrics["recall_at_k"] == 1.0 and metrics["mrr"] == 1.0
    gate = check_gate(run, committed_baseline(key), thresholds(key))
    assert gate.ok, gate.failures


DEGRADES = [
    ("drop_citations", "answered_without_citation"),
    ("perturb_numbers", "critical case failed"),
    ("never_refuse", "refusal_precision"),
    ("tidy_quotes", "citation_validity"),
    ("wrong_answers", "accuracy"),
]


@pytest.mark.parametrize("key", TEST_KEYS)
@pytest.mark.parametrize(("degrade", "symptom"), DEGRADES)
def test_degraded_answerer_fails_the_gate_of_every_test_part(good_runs, key: str, degrade: str, symptom: str) -> None:
    run = run_part(key, degrade)
    gate = check_gate(run, baseline_of(good_runs[key]), thresholds(key))
    assert not gate.ok
    assert any(symptom in f for f in gate.failures), gate.failures
    # the committed floors and ceilings alone (no baseline, as during --update-baseline) still catch it
    assert not check_gate(run, None, thresholds(key)).ok, degrade


@pytest.mark.parametrize("key", TEST_KEYS)
def test_a_few_wrong_answers_on_unseen_data_fail_against_the_committed_gate(good_runs, key: str) -> None:
    """Just enough answerable non-critical cases turn wrong to go beyond the allowed drop against the part's baseline."""
    worse = good_runs[key].model_copy(deep=True)
    answerable = [c for c in worse.cases if c.expect_status == "answered"]
    enough = int(thresholds(key)["max_drop"]["accuracy"] * len(answerable)) + 1
    victims = [c for c in answerable if not c.critical][:enough]
    for c in victims:
        c.passed = False
    worse.metrics = aggregate(worse.cases)
    gate = check_gate(worse, baseline_of(good_runs[key]), thresholds(key))
    assert not gate.ok and any(f.startswith("accuracy moved") for f in gate.failures)
    assert gate.regressions == [c.id for c in victims]
    assert check_gate(worse, baseline_of(good_runs[key]), thresholds(key), against_baseline=False).ok


def test_perturbed_numbers_fail_critical_cases() -> None:
    run = run_part("seeds/dev", "perturb_numbers")
    gate = check_gate(run, None, thresholds("seeds/dev"))
    assert any("critical case failed: hd-h1-gdp" in f for f in gate.failures)
    assert run.metrics["accuracy"] < 0.8


def test_critical_regressions_policy_tolerates_known_failures_only(good_runs) -> None:
    rules = {"critical": "regressions", "floors": {}, "ceilings": {"critical_failed": 1}}
    run = good_runs["gov/test"].model_copy(deep=True)
    first, second = [c for c in run.cases if c.critical][:2]
    first.passed = False
    run.metrics = aggregate(run.cases)
    known = {"metrics": run.metrics, "cases": {c.id: c.passed for c in run.cases}}  # baseline: `first` never passed
    gate = check_gate(run, known, rules)
    assert gate.ok and gate.notes == [f"critical case not passed yet: {first.id}"]
    second.passed = False  # one that passed in the baseline now fails: caught, and the count passes its ceiling
    run.metrics = aggregate(run.cases)
    gate = check_gate(run, known, rules)
    assert not gate.ok and any(second.id in f for f in gate.failures)
    assert any(f.startswith("critical_failed") for f in gate.failures)
    assert any(f.startswith("critical case failed: ") for f in check_gate(run, known, {"critical": "every"}).failures)


def test_by_type_is_per_primary_type_with_refusals_and_citations(good_runs) -> None:
    run = good_runs["gov/test"]
    assert sum(row["n"] for row in run.by_type.values()) == run.metrics["cases"]
    assert list(run.by_type)[0] == "number"  # most frequent first
    row = run.by_type["number"]
    assert set(row) >= {"n", "accuracy", "refusal_precision", "refusal_recall", "citation_validity", "ungrounded_numbers"}
    assert row["should_refuse"] > 0 and row["refusal_recall"] == 1.0
    assert run.by_tag["paraphrase"]["n"] > 0  # every tag, secondary ones too


def test_scope_docs_are_sent_as_stored_ids(good_runs) -> None:
    service = FakeService("meetings-test")
    scoped = [c for c in part_cases("meetings/test") if c.scope_docs]
    run = run_eval(service, scoped, "offline", set_name="meetings", split="test")
    assert run.metrics["accuracy"] == 1.0  # the fake refuses when the filter does not carry its stored ids
    sent = [r.filters.doc_ids for r in service.asked]
    assert all(ids and all(i.startswith("d_") for i in ids) for ids in sent)
    assert all(f is not None for _, f in service.searched)  # retrieval is measured within the same scope


def test_retrieval_rank_is_measured() -> None:
    class LateHits(FakeService):
        def search(self, query: str, k: int = 8, filters: object = None):
            return [self.hit("无关"), self.hit("也无关")] + super().search(query, 10)  # more than k: MRR looks past k

        @staticmethod
        def hit(text: str):
            from tests.evals.fakes import Hit

            return Hit(text)

    run = run_eval(LateHits(), part_cases("seeds/dev"), "offline", k=2)
    assert run.metrics["recall_at_k"] == 0.0 and run.metrics["mrr"] == pytest.approx(1 / 3, abs=1e-4)


def test_followups_send_history() -> None:
    service = FakeService()
    followups = [c for c in part_cases("seeds/dev") if c.history]
    run = run_eval(service, followups, "offline")
    assert [len(r.history) for r in service.asked] == [len(c.history) for c in followups]
    assert run.by_tag["followup"]["n"] == len(followups)


def test_case_records_and_run_info(good_runs) -> None:
    run = good_runs["seeds/dev"]
    case = next(c for c in run.cases if c.id == "hd-h1-gdp")
    assert case.answer == "5.9%" and case.status == "answered" and case.passed
    assert case.citations[0]["quote"] == "上半年,全县GDP增长5.9 %"
    assert case.metrics["citations_valid"] == 1 and case.metrics["supported"] is True
    assert case.tokens == {"prompt_tokens": 0} and case.latency_ms >= 0
    info = run.run
    assert info.mode == "offline" and info.model is None and len(info.corpus_hash) == 16 and info.cases == len(run.cases)


def test_duplicate_gold_ids_are_rejected(tmp_path) -> None:
    from huiyi.errors import BadInput

    line = GOLD_QA.read_text(encoding="utf-8").splitlines()[0]
    bad = tmp_path / "qa.jsonl"
    bad.write_text(line + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(BadInput):
        load_cases(bad)


def test_summaries_are_scored_by_gold_name_and_gated() -> None:
    gold = load_json(PARTS["gov/test"].summaries)
    names = [n for n in gold if not n.startswith("_")][:2]
    run = run_eval(FakeService("gov"), part_cases("gov/test")[:3], "offline", set_name="gov", split="test",
                   summaries={"_about": "ignored", **{n: gold[n] for n in names}})
    assert [s.doc_id for s in run.summaries] == names  # reported under the gold name, asked under the stored id
    assert all(s.error is None and 0 <= s.score < 0.5 and s.total > 0 for s in run.summaries)
    assert run.metrics["summary_docs"] == 2 and run.metrics["summary_fields"] == sum(s.total for s in run.summaries)
    assert run.metrics["summary_invented"] >= 2  # the invented host, once per document
    gate = check_gate(run, None, thresholds("gov/test"))
    assert any(f.startswith("summary_accuracy") for f in gate.failures)
    assert any(f.startswith("summary_invented") for f in gate.failures)
