"""Offline summaries of the seeds and of reports the summariser has never seen."""

from __future__ import annotations

import json
import time

import pytest

from huiyi.evals.summary_score import _all_citations, load_gold, score_summary
from huiyi.genre.numbers import same_number
from huiyi.summary.extractive import summarize_offline

GOLD = load_gold()

UNSEEN = """示例市融媒体中心讯 3月5日,中共青山县第十五届委员会第二次全体会议在县行政中心大礼堂召开。县委书记李明远受县委常委会委托向全会作工作报告并讲话。县委副书记、县长周海涛就2024年全县经济工作作讲评。县委副书记陈晓红宣读了关于表彰2024年度先进集体的决定。
全会由县委常委会主持。出席全会的县委委员应到32人,实到30人;县委候补委员应到6人,实到5人,符合规定人数。全会审议通过了《中共青山县委关于推进新型工业化的决定》。
2024年,全县地区生产总值增长6.2%;一般公共预算收入完成12.5亿元,增长3.1%,排名全市第三。
李明远强调,要在项目建设上持续用力;要在产业升级上持续用力;要在民生改善上持续用力。
周海涛要求,要做到“三抓”。要抓招商引资;要抓项目落地;要抓服务保障。
县直各单位主要负责人列席会议。"""

RECIPE = """番茄炒蛋的做法
准备番茄两个、鸡蛋三个、盐少许。先把鸡蛋打散,热锅凉油,倒入蛋液炒至凝固后盛出。
再将番茄切块下锅翻炒,出汁后加入鸡蛋,加盐调味,翻炒均匀即可出锅。"""

SPORT = """本报讯 昨晚,市体育中心举行了全市青少年足球联赛决赛。经过90分钟激烈角逐,实验中学队以3比1战胜第一中学队,夺得冠军。
第一中学队前锋在第35分钟打进一球。赛后,球迷们在看台上合影留念。"""


@pytest.mark.parametrize("doc_id", sorted(GOLD))
def test_seed_summary_matches_gold(seed_docs, doc_id):
    doc = seed_docs[doc_id]
    summary = summarize_offline(doc)
    score = score_summary(summary, GOLD[doc_id], doc.text)
    assert score.accuracy >= 0.9, score.misses
    assert score.invented == []


@pytest.mark.parametrize("doc_id", sorted(GOLD))
def test_every_citation_is_verbatim(seed_docs, doc_id):
    doc = seed_docs[doc_id]
    citations = _all_citations(summarize_offline(doc))
    assert citations
    for c in citations:
        assert doc.text[c.start : c.end] == c.quote and c.doc_id == doc_id


def test_fields_of_a_plenum_release(seed_docs):
    s = summarize_offline(seed_docs["001_715056be48430865"])
    assert s.place is None and "place" in s.not_found  # the release does not say where
    a = s.attendance
    assert (a.members_expected, a.members_present, a.alternates_expected, a.alternates_present) == (35, 35, 4, 4)
    assert a.present_total is None and a.quorum_statement == "符合规定人数"
    assert {sp.name: sp.act for sp in s.speakers}["王致伟"] == "作起草说明"
    assert s.indicators == []  # no figures in this release: none may be invented


def test_ambiguous_attendance_keeps_what_the_text_says(seed_docs):
    a = summarize_offline(seed_docs["000_4803b7c4fa62c0f1"]).attendance
    assert (a.members_expected, a.alternates_expected, a.present_total) == (30, 8, 26)
    assert a.members_present is None and a.alternates_present is None


def test_placeholders_are_never_numbers(seed_docs):
    s = summarize_offline(seed_docs["004_85b44ce977ed7e00"])
    assert s.placeholder_count >= 100
    assert all(i.undisclosed and i.number is None and i.change_number is None for i in s.indicators)
    gdp = [i for i in s.indicators if "地区生产总值" in i.name]
    assert gdp and all("X" in f"{i.change}{i.value}{i.comparison}" for i in gdp)


def test_template_values_are_undisclosed(seed_docs):
    s = summarize_offline(seed_docs["003_d2c5f6ae42d6725c"])
    gdp = next(i for i in s.indicators if i.name == "地区生产总值")
    assert gdp.undisclosed and gdp.change_number is None
    rank = next(i for i in s.indicators if "项目建设考评" in i.name)
    assert not rank.undisclosed and rank.comparison == ["列全市各县区第7位"]


def test_unseen_report(make_doc):
    s = summarize_offline(make_doc(UNSEEN))
    assert s.name and s.name.value == "中共青山县第十五届委员会第二次全体会议"
    assert s.meeting_type and s.meeting_type.value == "全会"
    assert s.place and s.place.value == "县行政中心大礼堂"
    assert s.host and s.host.value == "县委常委会"
    assert s.date and s.date.text == "3月5日"
    acts = {sp.name: sp.act for sp in s.speakers}
    assert acts == {"李明远": "作工作报告、讲话", "周海涛": "讲评", "陈晓红": "宣读"}
    a = s.attendance
    assert (a.members_expected, a.members_present, a.alternates_expected, a.alternates_present) == (32, 30, 6, 5)
    assert a.attendees_groups == ["县直各单位主要负责人"]
    assert any("推进新型工业化" in d.text for d in s.decisions)
    gdp = next(i for i in s.indicators if i.name == "地区生产总值")
    assert same_number(gdp.change_number, "6.2%") and gdp.period == "2024年"
    rev = next(i for i in s.indicators if i.name == "一般公共预算收入")
    assert same_number(rev.number, "12.5亿元") and same_number(rev.change_number, "3.1%") and rev.comparison == ["排名全市第三"]
    tasks = {(g.speaker, g.heading): [i.text for i in g.items] for g in s.tasks}
    assert tasks[("李明远", None)] == ["要在项目建设上持续用力", "要在产业升级上持续用力", "要在民生改善上持续用力"]
    assert tasks[("周海涛", "要做到“三抓”")] == ["要抓招商引资", "要抓项目落地", "要抓服务保障"]
    assert any("表彰" in h.text for h in s.honours)


@pytest.mark.parametrize("text", [RECIPE, SPORT])
def test_text_that_is_not_a_meeting_report(make_doc, text):
    s = summarize_offline(make_doc(text))
    for field in ("name", "date", "place", "host", "speakers", "attendance", "decisions", "tasks", "honours"):
        assert field in s.not_found
    assert s.name is None and s.speakers == [] and s.attendance.is_empty() and s.tasks == []
    assert all(not i.undisclosed for i in s.indicators)
    for c in _all_citations(s):
        assert c.quote in text


def test_control_characters_and_empty_text_do_not_crash(make_doc):
    s = summarize_offline(make_doc("会议\x00纪要\x07测试。\n全会由县委常委会主持。"))
    assert s.host and s.host.value == "县委常委会"
    assert summarize_offline(make_doc("。")).not_found


def test_300k_report_is_bounded(seed_docs, make_doc):
    body = "\n".join(d.text for d in seed_docs.values())
    text = (body * (300_000 // len(body) + 1))[:300_000]
    doc = make_doc(text, doc_id="big")
    started = time.perf_counter()
    s = summarize_offline(doc)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{elapsed:.1f}s"
    assert len(s.model_dump_json()) < 1_000_000
    assert len(s.indicators) <= 200 and len(s.placeholders) <= 200 and "indicators" in s.truncated
    assert s.placeholder_count > len(s.placeholders)
    json.loads(s.model_dump_json())


@pytest.mark.parametrize("unit", ["增长X%,排全市第X", "县委书记王某某强调,要在某某上发力。", "会议召开", "1."])
def test_pathological_300k_inputs_are_bounded(unit):
    from huiyi.index.records import Document, DocumentMeta

    text = (unit * (300_000 // len(unit) + 1))[:300_000]
    doc = Document(id="w", source="w", content_hash="h", raw_hash="r", text=text, meta=DocumentMeta(title="t"))
    started = time.perf_counter()
    s = summarize_offline(doc)
    assert time.perf_counter() - started < 10
    assert len(s.model_dump_json()) < 1_000_000
    assert all(i.number is None for i in s.indicators if i.undisclosed)
