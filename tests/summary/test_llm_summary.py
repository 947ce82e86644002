"""The LLM summariser: map/reduce bounded, every field verified in code, field-level fallback with provenance."""

from __future__ import annotations

import json
import time

import pytest

from huiyi.config import Settings
from huiyi.index.tokens import count_tokens
from huiyi.llm import OpenAILLM, ScriptedLLM
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.llm_draft import SummaryDraft, verify_draft
from huiyi.summary.llm_summary import MAX_MAP_CALLS, SummaryRun, plan_parts, summarize_llm
from huiyi.summary.models import MeetingSummary
from tests.support.fake_openai import FakeOpenAI, sleep


def seed(seed_docs, prefix: str):
    return next(d for k, d in seed_docs.items() if k.startswith(prefix))


def stub(llm, **settings) -> tuple[Settings, object]:
    values = dict(llm_source_tokens=8000, llm_deadline=10.0)
    values.update(settings)
    return Settings(**values), llm


def draft_000(**override) -> str:
    draft = {
        "name": {"value": "中国共产党衡东县第十四届委员会第四次全体会议暨全县重点工作讲评会",
                 "quote": "7月28日,中国共产党衡东县第十四届委员会第四次全体会议暨全县重点工作讲评会在武家山政府会务中心召开。"},
        "host": {"value": "县委常委会", "quote": "全会由县委常委会主持。"},
        "speakers": [{"name": "谭建华", "role": "县委书记", "act": "作工作报告",
                      "quote": "县委书记谭建华受县委常委会委托向全会作工作报告并讲话。"}],
        "attendance": {"members_expected": 30, "alternates_expected": 8, "present_total": 26,
                       "quorum_statement": "符合规定人数",
                       "quotes": ["出席全会的县委委员应到30人,县委候补委员应到8人,实到26人,符合规定人数。"]},
        "indicators": [{"name": "GDP", "value": None, "period": "上半年", "change": "增长5.9%",
                        "quote": "上半年,全县GDP增长5.9 %;"}],
    }
    draft.update(override)
    return json.dumps(draft, ensure_ascii=False)


def assert_citations_verbatim(summary: MeetingSummary, text: str) -> None:
    for name in summary.sources:
        value = getattr(summary, name)
        for entry in value if isinstance(value, list) else [value]:
            for c in entry.citations:
                assert text[c.start:c.end] == c.quote, (name, c)


def test_verified_fields_come_from_the_llm_the_rest_from_offline(seed_docs):
    doc = seed(seed_docs, "000")
    offline = summarize_offline(doc)
    llm = ScriptedLLM(draft_000())
    run = SummaryRun()
    out = summarize_llm(doc, offline, *stub(llm), run)
    assert len(llm.calls) == 1 and run.parts == 1 and not run.rejected
    for f in ("name", "host", "speakers", "attendance", "indicators"):
        assert out.sources[f] == "llm", f
    assert out.sources["date"] == "offline" and out.date == offline.date
    assert out.mode == "mixed"
    assert out.attendance.members_expected == 30 and out.attendance.present_total == 26
    gdp = out.indicators[0]
    assert gdp.source == "llm" and str(gdp.change_number) == "5.9%" and gdp.citations[0].quote == "上半年,全县GDP增长5.9 %;"
    # offline indicators the LLM did not give are kept after it, GDP not twice
    assert len(out.indicators) == len(offline.indicators)
    assert [i.source for i in out.indicators[1:]] == ["offline"] * (len(out.indicators) - 1)
    assert_citations_verbatim(out, doc.text)


def test_invented_indicator_value_sends_that_field_back_to_offline(seed_docs):
    doc = seed(seed_docs, "000")
    offline = summarize_offline(doc)
    invented = [{"name": "GDP", "period": "上半年", "change": "增长6.2%", "quote": "上半年,全县GDP增长5.9 %;"}]
    run = SummaryRun()
    out = summarize_llm(doc, offline, *stub(ScriptedLLM(draft_000(indicators=invented))), run)
    assert out.sources["indicators"] == "offline" and out.indicators == offline.indicators
    assert "indicators" in run.rejected and "6.2%" in run.rejected["indicators"]
    assert out.sources["host"] == "llm"  # the other fields still verify
    assert all("6.2" not in (i.change or "") for i in out.indicators)
    assert "indicators" in out.fallback


def test_quote_not_in_the_report_rejects_the_field(seed_docs):
    doc = seed(seed_docs, "000")
    offline = summarize_offline(doc)
    fake_host = {"value": "县委常委会", "quote": "会议由县委办公室主任主持并作总结。"}
    run = SummaryRun()
    out = summarize_llm(doc, offline, *stub(ScriptedLLM(draft_000(host=fake_host))), run)
    assert out.host == offline.host and out.sources["host"] == "offline" and "host" in run.rejected


def test_placeholder_values_must_be_reported_undisclosed(seed_docs):
    doc = seed(seed_docs, "004")
    quote = "其中制造业投资增长X%,排全市第X"
    as_number = SummaryDraft.model_validate({"indicators": [{"name": "制造业投资", "change": "增长8%", "quote": quote}]})
    assert "indicators" in verify_draft(doc, as_number).rejected
    hidden = SummaryDraft.model_validate({"indicators": [{"name": "制造业投资", "change": "增长X%", "quote": quote}]})
    assert "indicators" in verify_draft(doc, hidden).rejected  # X but not marked undisclosed
    honest = SummaryDraft.model_validate(
        {"indicators": [{"name": "制造业投资", "change": "增长X%", "undisclosed": True, "quote": quote}]})
    ok = verify_draft(doc, honest)
    assert not ok.rejected
    ind = ok.fields["indicators"][0]
    assert ind.undisclosed and ind.number is None and ind.change_number is None


def test_template_figure_is_not_a_value(seed_docs):
    """003 repeats a template "1%" for every figure: the report's metadata marks it as a placeholder."""
    doc = seed(seed_docs, "003")
    if not doc.meta.placeholders:
        pytest.skip("metadata found no template figures in 003")
    p = doc.meta.placeholders[0]
    sentence_start = doc.text.rfind("。", 0, p.start) + 1
    quote = doc.text[sentence_start:doc.text.find("。", p.end) + 1]
    stated = SummaryDraft.model_validate({"indicators": [{"name": "指标", "value": p.text, "quote": quote}]})
    assert "indicators" in verify_draft(doc, stated).rejected


def test_map_over_parts_then_reduce(seed_docs):
    doc = seed(seed_docs, "000")
    offline = summarize_offline(doc)
    parts = plan_parts(doc, offline, 900)
    assert len(parts) >= 2 and all(count_tokens(p.text(doc)) <= 900 for p in parts)
    llm = ScriptedLLM(*(["{}"] * len(parts)), draft_000())
    run = SummaryRun()
    out = summarize_llm(doc, offline, *stub(llm, llm_source_tokens=900), run)
    assert len(llm.calls) == len(parts) + 1 and run.calls == len(parts) + 1
    assert f"第 1/{len(parts)} 部分" in llm.calls[0].messages[0]["content"]
    assert "各部分抽取结果" in llm.calls[-1].messages[0]["content"]
    assert out.sources["host"] == "llm"


def test_invalid_json_everywhere_gives_the_offline_summary(seed_docs):
    doc = seed(seed_docs, "000")
    offline = summarize_offline(doc)
    out = summarize_llm(doc, offline, *stub(ScriptedLLM("不是 JSON", "还是不是")))
    assert out.mode == "offline" and out.sources == offline.sources and out.indicators == offline.indicators
    assert "JSON" in out.fallback


def test_llm_down_gives_the_offline_summary_within_the_deadline(seed_docs):
    doc = seed(seed_docs, "001")
    offline = summarize_offline(doc)
    with FakeOpenAI() as fake:
        url = fake.base_url  # closed on exit: connections are refused
    llm = OpenAILLM(Settings(openai_base_url=url, openai_api_key="k", llm_model="m", llm_timeout=1, llm_retries=1))
    t0 = time.monotonic()
    out = summarize_llm(doc, offline, *stub(llm, llm_deadline=3.0))
    assert time.monotonic() - t0 < 3.0 + 1.0
    assert out.mode == "offline" and out.model_dump() == offline.model_dump() | ({"fallback": out.fallback}
                                                                                  if "fallback" in MeetingSummary.model_fields else {})
    assert "不可用" in out.fallback


def test_slow_llm_is_cut_at_the_deadline(seed_docs):
    doc = seed(seed_docs, "002")
    offline = summarize_offline(doc)
    with FakeOpenAI() as fake:
        fake.script(sleep(10))
        llm = OpenAILLM(Settings(openai_base_url=fake.base_url, openai_api_key="k", llm_model="m", llm_timeout=30,
                                 llm_retries=0))
        t0 = time.monotonic()
        out = summarize_llm(doc, offline, *stub(llm, llm_deadline=1.0))
        assert time.monotonic() - t0 < 2.0
    assert out.mode == "offline"


def test_a_300000_character_report_stays_bounded(make_doc):
    sentence = "上半年,全县规模工业增加值增长7.3%,固定资产投资增长15.3%。县长强调,要抓项目、稳增长、惠民生。\n"
    body = "".join(f"{'一二三四五六七八九'[i % 9]}、第{i}部分工作\n" + sentence * 30 for i in range(200))
    doc = make_doc(("县政府全体会议召开\n" + body)[:300_000])
    assert len(doc.text) > 250_000
    t0 = time.perf_counter()
    offline = summarize_offline(doc)
    llm = ScriptedLLM(*["{}"] * (MAX_MAP_CALLS + 2))
    run = SummaryRun()
    out = summarize_llm(doc, offline, *stub(llm, llm_source_tokens=1500), run)
    elapsed = time.perf_counter() - t0
    assert len(llm.calls) <= MAX_MAP_CALLS + 1 and run.parts == MAX_MAP_CALLS and run.digest
    for call in llm.calls[:MAX_MAP_CALLS]:
        text = call.messages[0]["content"].split("<原文>")[1]
        assert count_tokens(text) <= 1500 + 10
    assert elapsed < 20, elapsed
    assert out.mode == "offline"  # "{}" drafts fill nothing
