"""Eval metrics: containment with number normalisation, CMRC EM/F1, refusals, citations, retrieval, summaries."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from huiyi.evals.metrics import (
    answer_correct,
    case_passed,
    citation_supported,
    citation_valid,
    citation_validity,
    cmrc_em,
    cmrc_f1,
    cmrc_segments,
    contains_text,
    evidence_coverage,
    field_score,
    matches_expected,
    normalize_text,
    refusal_scores,
    retrieval_scores,
    ungrounded_numbers,
)

DOC = "上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%;完成地方收入6.08亿元。县委书记谭建华作工作报告。"


@dataclass
class Cite:
    doc_id: str
    quote: str
    start: int
    end: int


def cite(text: str, doc_id: str = "d0") -> Cite:
    start = DOC.index(text)
    return Cite(doc_id, text, start, start + len(text))


def texts(doc_id: str) -> str | None:
    return DOC if doc_id == "d0" else None


# ---- answer correctness --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected", "ok"),
    [
        ("衡东县上半年GDP增长5.9 %。", "5.9%", True),
        ("增长百分之五点九", "5.9%", True),
        ("增长５.９％", "5.9%", True),
        ("增长5.9个百分点", "5.9%", False),  # points are not a rate
        ("增长15.9%", "5.9%", False),  # containment is by value, not by substring
        ("完成地方收入60800万元", "6.08亿元", True),
        ("完成地方收入6.08万元", "6.08亿元", False),
        ("综合得分排名全市第一", "全市第一", True),
        ("综合得分排名全省第一", "全市第一", False),  # the scope is part of the answer
        ("排名全市第二", "全市第一", False),
        ("项目建设考评列全市各县区第7位", "第7位", True),
        ("剩余两个月", "2个月", True),
        ("7月28日在武家山召开", "7月28日", True),
        ("7月29日在武家山召开", "7月28日", False),
        ("县委书记 谭建华", "谭建华", True),
        ("县委书记谭建华", "蒋崇华", False),
        ("呈现“三升、两好、一稳”的特点", "三升、两好、一稳", True),
        ("", "谭建华", False),
    ],
)
def test_matches_expected(answer: str, expected: str, ok: bool) -> None:
    assert matches_expected(answer, expected) is ok


def test_answer_correct_any_of_and_all_of() -> None:
    answer = "要盯指标、盯进位、盯落实。"
    assert answer_correct(answer, all_of=["盯指标", "盯进位", "盯落实"])
    assert not answer_correct("要盯指标、盯进位。", all_of=["盯指标", "盯进位", "盯落实"])
    assert answer_correct("王燕", answers=["王燕", "区委书记王燕"])
    assert answer_correct("上半年5.9%,前三季度5.7%", answers=["5.9%"], all_of=["5.7%"])
    assert not answer_correct("上半年5.9%", answers=["5.9%"], all_of=["5.7%"])
    assert not answer_correct("anything")  # a case with no gold answers cannot be answered correctly


@pytest.mark.parametrize(
    ("expect", "status", "answer", "ok"),
    [
        ("answered", "answered", "增长5.9%", True),
        ("answered", "answered", "增长5.8%", False),
        ("answered", "not_found", "资料中未提及", False),
        ("not_found", "not_found", "资料中未提及", True),
        ("not_found", "undisclosed", "报告未披露具体数值", True),
        ("not_found", "answered", "增长5.9%", False),
        ("undisclosed", "undisclosed", "报告以X代替,未披露", True),
        ("undisclosed", "answered", "增长1%", False),
    ],
)
def test_case_passed(expect: str, status: str, answer: str, ok: bool) -> None:
    assert case_passed(expect_status=expect, status=status, answer=answer, answers=["5.9%"]) is ok


def test_normalize_text_strips_punctuation_space_and_width() -> None:
    assert normalize_text("“投资衡东, 诸事亨通”!") == "投资衡东诸事亨通"
    assert normalize_text("ＧＤＰ") == "gdp"
    assert contains_text("打造“投资衡东,诸事亨通”营商环境品牌", "投资衡东,诸事亨通")
    assert not contains_text("anything", "")


# ---- CMRC ----------------------------------------------------------------------------------------


def test_cmrc_segmentation_splits_chinese_chars_and_keeps_latin_words() -> None:
    assert cmrc_segments("GDP增长5.9%") == ["gdp", "增", "长", "5.9", "%"]
    # as in the official script, removed punctuation does not end a Latin run
    assert cmrc_segments("以2V2、4V4随机配对") == ["以", "2v24v4", "随", "机", "配", "对"]
    assert cmrc_segments("以2V2、4V4", remove_punct=False) == ["以", "2v2", "、", "4v4"]
    assert cmrc_segments("“三盯”") == ["三", "盯"]


def test_cmrc_em() -> None:
    assert cmrc_em("武家山政府会务中心。", ["武家山政府会务中心"]) == 1.0
    assert cmrc_em("在武家山政府会务中心", ["武家山政府会务中心"]) == 0.0
    assert cmrc_em("x", []) == 0.0


def test_cmrc_f1_uses_longest_common_substring() -> None:
    assert cmrc_f1("武家山政府会务中心", ["武家山政府会务中心"]) == 1.0
    # pred 11 chars, gold 9 chars, LCS 9 → p=9/11, r=1 → f1=0.9
    assert cmrc_f1("在武家山政府会务中心召", ["武家山政府会务中心"]) == pytest.approx(0.9)
    # a common subsequence that is not contiguous counts only its longest run: "谭建" (2 of 3)
    assert cmrc_f1("谭建x华", ["谭建华"]) == pytest.approx(2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3))
    assert cmrc_f1("蒋崇华", ["王燕"]) == 0.0
    assert cmrc_f1("王燕", ["谢韬", "王燕"]) == 1.0  # max over gold answers


def test_cmrc_metrics_take_numbers_like_the_official_scorer() -> None:
    # the official script str()s every answer and prediction: a numeric gold answer must not crash
    assert cmrc_em("1949", [1949]) == 1.0 and cmrc_em(3.5, ["3.5"]) == 1.0
    assert cmrc_f1("1949年", [1949]) == pytest.approx(2 / 3)
    assert cmrc_segments(2018) == ["2018"] and cmrc_f1(None, [0]) == 0.0


# ---- refusals ------------------------------------------------------------------------------------


def test_refusal_scores() -> None:
    rows = [
        (True, "answered", "answered"),
        (True, "answered", "not_found"),  # wrongly refused
        (False, "not_found", "not_found"),
        (False, "not_found", "answered"),  # missed refusal
        (False, "undisclosed", "undisclosed"),
        (False, "undisclosed", "not_found"),
    ]
    s = refusal_scores(rows)
    assert (s.refused, s.should_refuse, s.correctly_refused) == (4, 4, 3)
    assert s.precision == pytest.approx(3 / 4)
    assert s.recall == pytest.approx(3 / 4)
    assert (s.undisclosed_expected, s.undisclosed_hit, s.undisclosed_rate) == (2, 1, 0.5)


def test_refusal_scores_empty() -> None:
    s = refusal_scores([(True, "answered", "answered")])
    assert s.precision is None and s.recall is None and s.undisclosed_rate is None


# ---- citations -----------------------------------------------------------------------------------


def test_citation_valid() -> None:
    c = cite("上半年,全县GDP增长5.9 %")
    assert citation_valid(c.quote, DOC, c.start, c.end)
    assert not citation_valid(c.quote, DOC, c.start + 1, c.end + 1)  # shifted offsets
    assert not citation_valid("上半年,全县GDP增长5.9%", DOC, c.start, c.end)  # quote "tidied"
    assert not citation_valid("", DOC, 3, 3)
    assert not citation_valid(c.quote, None, c.start, c.end)
    assert not citation_valid("x", DOC, -1, 0)
    assert citation_validity([c, Cite("d0", "坏", 0, 1), Cite("nope", c.quote, c.start, c.end)], texts) == (1, 3)


def test_citation_support_and_coverage() -> None:
    gdp = cite("上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%")
    assert citation_supported(["GDP增长5.9 %"], [gdp], texts)
    assert not citation_supported(["完成地方收入6.08亿元"], [gdp], texts)
    # overlap counts even when the citation holds only part of the evidence
    assert citation_supported(["7.3%;完成地方收入"], [gdp], texts)
    assert not citation_supported(["GDP增长5.9 %"], [], texts)
    assert evidence_coverage(["GDP增长5.9 %", "谭建华作工作报告"], [gdp], texts) == 0.5
    assert evidence_coverage([], [gdp], texts) == 1.0


@pytest.mark.parametrize(
    ("answer", "quotes", "ungrounded"),
    [
        ("增长5.9%", ["上半年,全县GDP增长5.9 %"], []),
        ("增长百分之五点九", ["GDP增长5.9 %"], []),
        ("完成60800万元", ["完成地方收入6.08亿元"], []),
        ("增长6.0%", ["GDP增长5.9 %"], ["6.0%"]),
        ("增长5.9个百分点", ["GDP增长5.9 %"], ["5.9个百分点"]),
        ("增长5.9%", [], ["5.9%"]),
        ("2023年7月28日召开", ["7月28日召开"], []),  # dates are not counted as invented figures
        ("增长X%,未披露", ["增长X%"], []),  # placeholders are never stated values
        ("增长1%", ["排全市第X,增长X%"], ["1%"]),  # a placeholder in the quote grounds nothing
        ("“十四五”开局,二十大精神", ["无"], []),
    ],
)
def test_ungrounded_numbers(answer: str, quotes: list[str], ungrounded: list[str]) -> None:
    assert ungrounded_numbers(answer, quotes) == ungrounded


# ---- retrieval -----------------------------------------------------------------------------------


def test_retrieval_scores() -> None:
    hits = ["无关段落", "上半年,全县GDP增长5.9 %;规模工业", "完成地方收入6.08亿元"]
    assert retrieval_scores(["GDP增长5.9 %"], hits, k=3) == (1.0, 0.5)
    assert retrieval_scores(["GDP增长5.9 %"], hits, k=1) == (0.0, 0.5)
    assert retrieval_scores(["GDP增长5.9%", "税收收入4.21亿元"], hits, k=3) == (0.5, 0.5)  # spaces do not matter
    assert retrieval_scores(["完成地方收入6.08亿元"], hits, k=3) == (1.0, 1 / 3)
    assert retrieval_scores(["不存在"], hits, k=3) == (0.0, 0.0)
    assert retrieval_scores([], hits, k=3) == (1.0, 1.0)


# ---- summaries -----------------------------------------------------------------------------------


def test_field_score() -> None:
    assert field_score("武家山政府会务中心", "武家山政府会务中心") == 1.0
    assert field_score("武家山政府会务中心", "武家山") == 0.0
    assert field_score("6.08亿元", "60800万元") == 1.0
    assert field_score("5.9%", "5.9个百分点") == 0.0
    assert field_score(30, 30) == 1.0 and field_score(30, 26) == 0.0
    assert field_score(["谭建华", "蒋崇华"], ["谭建华"]) == 0.5
    assert field_score({"members_expected": 30, "present_total": 26}, {"members_expected": 30, "present_total": 25}) == 0.5
    assert field_score(None, None) == 1.0 and field_score(None, "编造") == 0.0
    assert field_score([], ["x"]) == 1.0


def test_score_summary_against_a_gold_entry() -> None:
    from huiyi.evals.metrics import score_summary
    from huiyi.summary.models import Attendance, DateField, Indicator, MeetingSummary, SpeakerEntry, TextField, TextItem

    gold = {
        "place": ["武家山政府会务中心"],
        "host": None,
        "date": {"text": ["7月28日"], "iso": "2023-07-28"},
        "speakers": [{"name": "谭建华"}, {"name": "蒋崇华"}],
        "attendance": {"members_expected": 30, "present_total": 26, "attendees_groups": ["x"], "leaders_present": ["任中元"]},
        "indicators": [{"name": "GDP", "period": "上半年", "change": "5.9%"}, {"name": "地方收入", "value": "6.08亿元"}],
        "slogans": ["五个十大", "三盯"],
        "placeholders": {"min_count": 0, "max_count": 0},
    }
    summary = MeetingSummary(
        doc_id="d", title="t",
        place=TextField(value="武家山政府会务中心"),
        host=TextField(value="编造的主持人"),  # the report names none: invented
        date=DateField(text="7月28日", iso="2023-07-28"),
        speakers=[SpeakerEntry(name="谭建华")],
        attendance=Attendance(members_expected=30, present_total=25, leaders_present=["任中元"]),
        indicators=[Indicator(name="地区生产总值(GDP)", change="增长5.9 %"), Indicator(name="地方收入", value="6.1亿元")],
        slogans=[TextItem(text="“五个十大”工作承诺书")],
    )
    scores = score_summary(gold, summary)
    assert scores == {
        "place": 1.0, "host": 0.0, "date": 1.0, "speakers": 0.5, "attendance": 0.5, "attendance_leaders": 1.0,
        "indicators": 0.5, "slogans": 0.5, "placeholders": 1.0,
    }
