import pytest

from huiyi.errors import BadInput
from huiyi.genre.places import find_regions
from huiyi.qa.analysis import analyze, find_periods, retrieval_query, validate_question


@pytest.mark.parametrize("question,qtype", [
    ("甲县上半年GDP增长多少?", "how_much"),
    ("乙区委书记是谁?", "who"),
    ("全会在哪里召开?", "where"),
    ("会议是哪天召开的?", "when"),
    ("有哪些单位作了交流发言?", "list"),
    ("上半年和前三季度GDP分别增长多少?", "multi"),
    ("是否实现了双过半?", "whether"),
])
def test_question_type(question, qtype):
    assert analyze(question).qtype == qtype


def test_periods_normalise_to_month_ranges():
    months = [p.months for p, _, _ in find_periods("上半年、1-5月份、1—11月、前三季度、二季度、前六个月、全年")]
    assert months == [(1, 6), (1, 5), (1, 11), (1, 9), (4, 6), (1, 6), (1, 12)]


def test_a_period_naming_a_meeting_is_not_a_data_period():
    assert find_periods("三季度例会讲话中,二季度增长多少") [0][0].text == "二季度"
    assert len(find_periods("三季度例会讲话中,二季度增长多少")) == 1


def test_places_skip_generic_words_and_verbs():
    assert [r for r, _, _ in find_regions("石鼓区和蒸湘区的全县数据")] == ["石鼓区", "蒸湘区"]
    assert find_regions("谁是县长?实施省、市重点项目多少个") == []


def test_indicator_synonyms_and_units():
    a = analyze("前六个月经济总量的增速是多少?")
    assert a.indicators == ("gdp",) and a.unit == "%" and a.periods[0].months == (1, 6)
    assert "地区生产总值" in retrieval_query(a) and "上半年" in retrieval_query(a)
    assert analyze("排名全市第几?").unit == "位"
    assert analyze("比全市高多少?").unit == "个百分点"


def test_multi_part_by_period_and_sub_questions():
    parts = analyze("上半年和前三季度GDP分别增长多少?").parts
    assert [p.periods[0].text for p in parts] == ["上半年", "前三季度"]
    assert all(p.qtype == "how_much" for p in parts)
    subs = analyze("某县城镇居民人均可支配收入是多少?排名如何?").parts
    assert [p.unit for p in subs] == ["元", "位"]
    assert subs[1].indicators == ("urban_income",)  # the second question inherits the indicator


def test_role_body_is_not_a_title():
    assert analyze("谁受县委常委会委托作报告?").titles == ()
    assert analyze("县委书记是谁?").titles == ("县委书记",)


def test_english_question_is_translated_and_keeps_unknown_names():
    a = analyze("What was Hengdong County's GDP growth in the first half of 2023?")
    assert a.english and a.qtype == "how_much" and a.indicators == ("gdp",)
    assert a.periods[0].months == (1, 6) and a.years == (2023,)
    assert a.unknown_names == ("Hengdong",)


def test_validate_question():
    assert validate_question("  问题?  ", 20) == "问题?"
    for bad, code in [("", "empty_question"), ("   ", "empty_question"), ("??!。,", "empty_question"),
                      ("问" * 10_000, "question_too_long")]:
        with pytest.raises(BadInput) as err:
            validate_question(bad, 500)
        assert err.value.code == code and err.value.http_status == 422
