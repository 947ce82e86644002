"""Comparisons across places on made-up reports: the winner computed from cited values, each part cited, a missing
part named with no winner, units that differ not compared, dates compared by the calendar."""

import datetime as dt
from decimal import Decimal

import pytest

from huiyi.genre.numbers import extract_numbers
from huiyi.qa import special
from huiyi.qa.analysis import analyze
from huiyi.qa.compare import Value, answer_compare, comparison, place_part, winners
from huiyi.qa.extractive import answer_offline, retrieve
from huiyi.qa.prepare import prepare
from huiyi.qa.reading import read

from .conftest import Corpus, make_document
from .test_extractive import assert_valid


def report(place: str, date: str, session: str, head: str, review: str, plan: str) -> str:
    return f"""2026年{place}政府工作报告
——{date}在{place}{session}上
{place}县长 {head}
各位代表：
现在，我代表县人民政府，向大会报告工作，请予审议。
一、2025年工作回顾
{review}
二、2026年工作安排
今年全县经济社会发展的主要预期目标是：{plan}
"""


QINGSHAN = report("青山县", "2026年1月10日", "第十八届人民代表大会第五次会议", "李明华",
                  "过去一年，全县地区生产总值增长6.2%，规模以上工业增加值增长8.1%。粮食总产量达到12.5万吨，连续五年稳定增长。"
                  "城镇居民人均可支配收入达到38600元。城镇新增就业3200人。县域经济综合实力排名全市第三。",
                  "地区生产总值增长6%左右，城镇新增就业3000人以上。")
LVSHUI = report("绿水县", "2026年1月8日", "第十七届人民代表大会第六次会议", "周建国",
                "过去一年，全县地区生产总值增长5.4%，规模以上工业增加值增长9.3%。粮食总产量增长2.1%，夏粮再获丰收。"
                "城镇新增就业2800人。县域经济综合实力排名全市第五。",
                "地区生产总值增长5.5%左右，城镇新增就业2800人。")
BAIYUN = report("白云县", "2026年1月15日", "第十六届人民代表大会第四次会议", "吴海峰",
                "过去一年，全县地区生产总值增长4.8%，文旅产业加快发展，接待游客320万人次。城镇居民人均可支配收入达到X元。"
                "城镇新增就业4100人。",
                "地区生产总值增长5%，城镇新增就业4000人，粮食总产量稳定在10万吨以上。")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus([make_document(QINGSHAN, "qingshan"), make_document(LVSHUI, "lvshui"),
                   make_document(BAIYUN, "baiyun")])


def ask(corpus: Corpus, question: str):
    prepared = prepare(question)
    return answer_offline(prepared, retrieve(prepared, corpus), corpus.document)


PLACE_DOC = {"青山": "qingshan", "绿水": "lvshui", "白云": "baiyun"}


def lines_of(answer: str) -> dict[str, str]:
    """{place: its part of the answer} from "verdict。A:…;B:…。"."""
    head, _, rest = answer.partition("。")
    body = rest if rest.strip() else head  # a verdict ends with the first 。; a listing has none
    out = {}
    for line in body.rstrip("。").split(";"):
        place, _, text = line.partition(":")
        out[place] = text
    return out


def assert_each_part_grounded_in_its_own_citation(corpus: Corpus, resp) -> None:
    assert_valid(corpus, resp)
    for place, text in lines_of(resp.answer).items():
        doc_id = next(d for stem, d in PLACE_DOC.items() if stem in place)
        own = " ".join(c.quote for c in resp.citations if c.doc_id == doc_id)
        for m in extract_numbers(text):
            assert m.text.replace(" ", "") in own.replace(" ", ""), (place, m.text, own)


def test_the_highest_of_three_places_is_computed_from_their_cited_values(corpus):
    resp = ask(corpus, "青山县、绿水县和白云县2025年地区生产总值增长哪个最快?")
    assert resp.status == "answered"
    assert resp.answer.startswith("青山县最快。")
    parts = lines_of(resp.answer)
    assert "6.2%" in parts["青山县"] and "5.4%" in parts["绿水县"] and "4.8%" in parts["白云县"]
    assert {c.doc_id for c in resp.citations} == {"qingshan", "lvshui", "baiyun"}
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


def test_the_lowest_of_places_written_without_suffix_and_with_a_count(corpus):
    resp = ask(corpus, "青山、绿水、白云三县去年地区生产总值增速哪个最慢?")
    assert resp.answer.startswith("白云最慢。"), resp.answer
    assert set(lines_of(resp.answer)) == {"青山", "绿水", "白云"}
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


def test_most_is_a_count_compared_in_one_unit(corpus):
    resp = ask(corpus, "青山县和绿水县哪个县去年城镇新增就业多?")
    assert resp.answer.startswith("青山县多。"), resp.answer
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


def test_a_rank_is_higher_the_smaller_its_number(corpus):
    resp = ask(corpus, "青山县和绿水县县域经济综合实力排名哪个更高?")
    assert resp.answer.startswith("青山县更高。"), resp.answer
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


def test_respectively_lists_each_place_with_its_citation_and_names_no_winner(corpus):
    resp = ask(corpus, "青山和绿水2026年地区生产总值预期增长目标分别是多少?")
    assert resp.status == "answered"
    parts = lines_of(resp.answer)
    assert "6%" in parts["青山"] and "5.5%" in parts["绿水"]
    assert "最" not in resp.answer and "无法比较" not in resp.answer
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


def test_a_place_without_the_figure_is_named_and_no_winner_is_given(corpus):
    resp = ask(corpus, "青山县、绿水县和白云县2025年规模以上工业增加值增长哪个最快?")
    verdict = resp.answer.split("。", 1)[0]
    assert verdict.startswith("无法比较") and "白云县" in verdict
    assert "最快" not in resp.answer and "绿水县" not in verdict  # 9.3% is the highest given, but not a winner
    parts = lines_of(resp.answer)
    assert "8.1%" in parts["青山县"] and "9.3%" in parts["绿水县"] and parts["白云县"] == "资料中未提及"
    assert "baiyun" not in {c.doc_id for c in resp.citations}
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


def test_a_comparison_no_report_answers_is_refused(corpus):
    resp = ask(corpus, "青山县和绿水县2025年进出口总额哪个更高?")
    assert resp.status == "not_found" and resp.citations == []


def test_a_withheld_figure_is_said_to_be_withheld_not_compared(corpus):
    resp = ask(corpus, "青山县和白云县2025年城镇居民人均可支配收入哪个更高?")
    verdict = resp.answer.split("。", 1)[0]
    assert verdict.startswith("无法比较") and "未披露" in verdict and "白云县" in verdict
    assert "38600元" in lines_of(resp.answer)["青山县"]
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


def test_figures_in_different_units_are_not_compared(corpus):
    resp = ask(corpus, "青山县和绿水县2025年粮食总产量哪个更高?")  # 12.5万吨 against a growth of 2.1%
    assert resp.answer.startswith("无法比较") and "单位" in resp.answer.split("。", 1)[0]
    parts = lines_of(resp.answer)
    assert "12.5万吨" in parts["青山县"] and "2.1%" in parts["绿水县"]
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


def test_a_result_is_not_compared_with_a_target(corpus):
    resp = ask(corpus, "青山县和白云县粮食总产量哪个更高?")  # 12.5万吨 harvested, 10万吨以上 planned
    verdict = resp.answer.split("。", 1)[0]
    assert verdict.startswith("无法比较") and "目标" in verdict, resp.answer
    parts = lines_of(resp.answer)
    assert "12.5万吨" in parts["青山县"] and "10万吨" in parts["白云县"]
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


@pytest.mark.parametrize("question,first", [
    ("青山县、绿水县和白云县的政府工作报告哪一份作得最早?", "绿水县最早。"),
    ("青山县、绿水县和白云县的政府工作报告哪一份作得最晚?", "白云县最晚。"),
])
def test_dates_are_compared_by_the_calendar(corpus, question, first):
    resp = ask(corpus, question)
    assert resp.answer.startswith(first), resp.answer
    parts = lines_of(resp.answer)
    assert "2026年1月10日" in parts["青山县"] and "2026年1月8日" in parts["绿水县"]
    assert any("2026年1月15日在白云县" in c.quote for c in resp.citations)
    assert_each_part_grounded_in_its_own_citation(corpus, resp)


@pytest.mark.parametrize("question", [
    "青山县和绿水县去年地区生产总值增长多少?",  # two places, nothing compared
    "绿水县的粮食总产量比青山县增长快吗?",
])
def test_a_question_naming_two_places_without_comparing_is_left_to_the_general_answerer(corpus, question, monkeypatch):
    prepared = prepare(question)
    hits = retrieve(prepared, corpus)
    assert answer_compare(read(prepared, hits, corpus.document)) is None
    with_compare = answer_offline(prepared, hits, corpus.document)
    monkeypatch.setattr(special, "SPECIAL_KINDS", tuple(h for h in special.SPECIAL_KINDS if h is not answer_compare))
    assert answer_offline(prepared, hits, corpus.document) == with_compare


def test_a_comparison_is_retrieved_place_by_place():
    prepared = prepare("青山县、绿水县和白云县2025年地区生产总值增长哪个最快?")
    asked = prepared.queries[:prepared.modes.count("hybrid")]
    assert asked[0] == prepared.question
    assert [q[:3] for q in asked[1:]] == ["青山县", "绿水县", "白云县"]
    assert all("哪个" not in q and "绿水" not in q for q in asked[1:2])
    assert prepare("青山县2025年地区生产总值增长多少?").modes == ["hybrid", "keyword"]


# ---- reading the question ------------------------------------------------------------------------------------
@pytest.mark.parametrize("question,places,highest,phrase", [
    ("甲县、乙县和丙县哪个最高?", ("甲县", "乙县", "丙县"), True, "最高"),
    ("东川县和西岭县谁的增速最慢?", ("东川县", "西岭县"), False, "最慢"),
    ("东川县和西岭县哪个县人口多?", ("东川县", "西岭县"), True, "多"),
    ("东川县和西岭县的县长分别是谁?", ("东川县", "西岭县"), None, ""),
    ("东川县与西岭县的报告哪一份作得更早?", ("东川县", "西岭县"), False, "更早"),
])
def test_what_a_comparison_asks(question, places, highest, phrase):
    cmp = comparison(analyze(question))
    assert cmp is not None and cmp.places == places
    assert (cmp.highest, cmp.phrase) == (highest, phrase)


@pytest.mark.parametrize("question", [
    "东川县和西岭县上半年地区生产总值增长多少?",  # 多少 is not 多
    "东川县地区生产总值增速在全市哪个位次?",  # one place
    "东川县委书记和西岭县委书记分别是谁?",  # the places are not listed together: each part stands alone
    "东川县哪个乡镇的增速最快?",
])
def test_not_a_comparison_across_places(question):
    assert comparison(analyze(question)) is None


def test_each_place_is_asked_on_its_own():
    a = analyze("东川、西岭、南江三县上半年地区生产总值增速哪个最高?")
    cmp = comparison(a)
    assert cmp is not None
    texts = [place_part(a, p, cmp).text for p in cmp.places]
    assert texts[0] == "东川上半年地区生产总值增速是多少?"
    assert all("三县" not in t and "哪个" not in t for t in texts)
    assert place_part(a, "西岭", cmp).regions == ("西岭",)


def test_winners():
    pct = [Value(Decimal("6.2"), "%"), Value(Decimal("5.4"), "%"), Value(Decimal("6.2"), "%")]
    assert winners(pct, highest=True) == [0, 2]  # a tie names both
    assert winners(pct, highest=False) == [1]
    assert winners([Value(Decimal("12.5"), "吨"), Value(Decimal("2.1"), "%")], highest=True) is None
    assert winners([Value(Decimal("3"), "%"), None], highest=True) is None
    days = [Value(dt.date(2026, 1, 10), "date"), Value(dt.date(2026, 1, 8), "date")]
    assert winners(days, highest=False) == [1]
