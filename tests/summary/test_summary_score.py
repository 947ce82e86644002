"""The field-level scorer must catch wrong fields, invented values and placeholders reported as numbers."""

from __future__ import annotations

from huiyi.evals.summary_score import load_gold, main, score_summary
from huiyi.genre.numbers import normalize_number
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.models import Indicator, TextField
from huiyi.summary.patterns import cite

GOLD = load_gold()


def test_gold_covers_the_five_seeds(seed_docs):
    assert set(GOLD) == set(seed_docs)
    for entry in GOLD.values():
        assert {"name", "speakers", "attendance", "indicators", "tasks", "placeholders"} <= set(entry)


def test_invented_place_is_caught(seed_docs):
    doc = seed_docs["001_715056be48430865"]
    summary = summarize_offline(doc)
    summary.place = TextField(value="区委礼堂", citations=[cite(doc, 0, 4)])
    score = score_summary(summary, GOLD[doc.id], doc.text)
    assert any(m.startswith("place") for m in score.misses)
    assert any(v.startswith("place=") for v in score.invented)


def test_wrong_count_and_missing_speaker_are_misses(seed_docs):
    doc = seed_docs["000_4803b7c4fa62c0f1"]
    summary = summarize_offline(doc)
    summary.attendance.present_total = 27
    summary.speakers = summary.speakers[1:]
    score = score_summary(summary, GOLD[doc.id], doc.text)
    assert "attendance.present_total: got 27, want 26" in score.misses
    assert any(m.startswith("speaker 谭建华") for m in score.misses)
    assert score.accuracy < 1


def test_placeholder_reported_as_number_is_invented(seed_docs):
    doc = seed_docs["004_85b44ce977ed7e00"]
    summary = summarize_offline(doc)
    leaked = summary.indicators[0].model_copy(update={"undisclosed": False, "value": "X%", "number": normalize_number("5%")})
    summary.indicators.append(leaked)
    score = score_summary(summary, GOLD[doc.id], doc.text)
    assert any("placeholders never numbers" in m for m in score.misses)
    assert score.invented


def test_number_not_in_text_is_invented(seed_docs):
    doc = seed_docs["002_5b03da64d3dc4869"]
    summary = summarize_offline(doc)
    summary.indicators.append(Indicator(name="地区生产总值", value="999.9亿元", number=normalize_number("999.9亿元")))
    score = score_summary(summary, GOLD[doc.id], doc.text)
    assert "indicator 地区生产总值=999.9亿元" in score.invented


def test_broken_citation_is_caught(seed_docs):
    doc = seed_docs["000_4803b7c4fa62c0f1"]
    summary = summarize_offline(doc)
    summary.host.citations[0].quote = "县委常委会主持了会议"
    score = score_summary(summary, GOLD[doc.id], doc.text)
    assert any(m.startswith("citations verbatim") for m in score.misses)


def test_command_line_passes_on_the_seeds(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("all")
