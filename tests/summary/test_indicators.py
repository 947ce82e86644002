"""Indicator clauses and the cross-report view of one indicator."""

from __future__ import annotations

from huiyi.genre.numbers import same_number
from huiyi.summary.indicators import extract_indicators, indicator_rows, resolve_indicator


def test_resolve_synonyms():
    assert resolve_indicator("GDP") == resolve_indicator("地区生产总值") == resolve_indicator("生产总值")
    assert resolve_indicator("规上工业增加值") == resolve_indicator("规模工业增加值")
    assert resolve_indicator("地方收入") == resolve_indicator("一般公共预算收入")
    assert resolve_indicator("  某个没听过的指标 ") == "某个没听过的指标"


def test_gdp_across_reports(seed_docs):
    rows = indicator_rows(seed_docs.values(), "GDP", "衡东县")
    assert [(r.doc_id[:3], r.period) for r in rows if not r.undisclosed] == [("000", "上半年"), ("002", "前三季度")]
    half, three_q = (r for r in rows if not r.undisclosed)
    assert same_number(half.number, "5.9%") and half.change == "增长5.9 %"
    assert three_q.value == "255.92亿元" and three_q.change == "增长5.7%"
    for r in rows:
        assert r.citation.quote and r.region == "衡东县"


def test_undisclosed_rows_are_flagged_not_numbers(seed_docs):
    rows = indicator_rows(seed_docs.values(), "地区生产总值")
    hidden = [r for r in rows if r.undisclosed]
    assert {r.doc_id[:3] for r in hidden} == {"003", "004"}
    assert all(r.number is None for r in hidden)


def test_region_filter_and_income_family(seed_docs):
    assert indicator_rows(seed_docs.values(), "GDP", "雁峰区") == []
    income = indicator_rows(seed_docs.values(), "人均可支配收入", "衡东")
    names = {r.name for r in income if not r.undisclosed}
    assert {"全体居民人均可支配收入", "城镇居民人均可支配收入"} <= names


def test_demands_and_name_numerals_are_not_indicators(make_doc):
    doc = make_doc("要攻产业项目,紧盯第一批84个重点项目。力争考核居全市首位。今年召开八张报表晾晒会。上半年,全县固定资产投资增长12.4%,排名全市第二,高于全市3.5个百分点。")
    inds = extract_indicators(doc)
    assert [i.name for i in inds] == ["固定资产投资"]
    fai = inds[0]
    assert fai.period == "上半年" and fai.comparison == ["排名全市第二", "高于全市3.5个百分点"]
    assert same_number(fai.change_number, "12.4%")
