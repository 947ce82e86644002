"""The LLM-polished 纪要 prose is checked in code; one failing sentence keeps the extractive prose, with a note."""

from __future__ import annotations

import json

from huiyi.errors import UpstreamError
from huiyi.llm import ScriptedLLM
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.llm_prose import polish_minutes
from tests.summary.samples import RELEASE

FAR = 1e12  # a deadline nobody reaches


def _polish(*sentences: tuple[str, str, str]) -> str:
    sections: dict[str, list] = {}
    for key, text, quote in sentences:
        sections.setdefault(key, []).append({"text": text, "quote": quote})
    return json.dumps({"sections": [{"key": k, "sentences": v} for k, v in sections.items()]}, ensure_ascii=False)


def test_a_checked_polish_replaces_the_extractive_prose(make_doc):
    doc = make_doc(RELEASE, "release")
    draft = summarize_offline(doc).minutes
    llm = ScriptedLLM(_polish(
        ("heard", "会议听取了全县上半年财政收支情况的汇报。", "会议听取了全县上半年财政收支情况汇报。"),
        ("decided", "会议决定今年新建公共停车位1200个。", "会议决定，今年新建公共停车位1200个。"),
    ))
    sections, note = polish_minutes(doc, draft, llm, FAR)
    assert note is None
    assert [s.key for s in sections] == ["heard", "decided"]
    (sentence,) = sections[1].sentences
    assert sentence.source == "llm" and sentence.text == "会议决定今年新建公共停车位1200个。"
    c = sentence.citations[0]
    assert doc.text[c.start:c.end] == c.quote and "1200" in c.quote


def test_an_invented_number_keeps_the_extractive_prose(make_doc):
    doc = make_doc(RELEASE, "release")
    draft = summarize_offline(doc).minutes
    llm = ScriptedLLM(_polish(("decided", "会议决定今年新建公共停车位1500个。", "会议决定，今年新建公共停车位1200个。")))
    sections, note = polish_minutes(doc, draft, llm, FAR)
    assert sections is draft and "未通过原文核验" in note and "1500" in note


def test_a_placeholder_stated_as_a_value_is_rejected(make_doc):
    doc = make_doc(RELEASE, "release")
    draft = summarize_offline(doc).minutes
    llm = ScriptedLLM(_polish(("considered", "会议指出,税收收入增长8%。", "会议指出，上半年全县一般公共预算收入完成4.2亿元，增长6.5%，税收收入增长X%。")))
    sections, note = polish_minutes(doc, draft, llm, FAR)
    assert sections is draft and note


def test_a_quote_the_report_does_not_hold_is_rejected(make_doc):
    doc = make_doc(RELEASE, "release")
    draft = summarize_offline(doc).minutes
    llm = ScriptedLLM(_polish(("heard", "会议听取了审计工作报告。", "会议听取了县审计局关于年度审计工作的报告。")))
    sections, note = polish_minutes(doc, draft, llm, FAR)
    assert sections is draft and "quote not in the report" in note


def test_an_upstream_failure_keeps_the_extractive_prose(make_doc):
    doc = make_doc(RELEASE, "release")
    draft = summarize_offline(doc).minutes
    sections, note = polish_minutes(doc, draft, ScriptedLLM(UpstreamError("down")), FAR)
    assert sections is draft and "润色未完成" in note
