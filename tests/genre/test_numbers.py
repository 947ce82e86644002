"""The shared number normaliser: equivalences, units, ranks, dates, names and placeholders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huiyi.genre.numbers import NumberMention, NumberValue, extract_numbers, normalize_number, same_number, stated_values


def nv(value: str, unit: str) -> NumberValue:
    return NumberValue(Decimal(value), unit)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("5.9%", "5.9", "%"),
        ("5.9 %", "5.9", "%"),
        ("6.08 亿元", "608000000", "元"),
        ("增长 5.9 个百分点", "5.9", "个百分点"),
        ("得分92分", "92", "分"),
        ("５.９％", "5.9", "%"),
        ("百分之五点九", "5.9", "%"),
        ("百分之百", "100", "%"),
        ("100%", "100", "%"),
        ("-3.2%", "-3.2", "%"),
        ("0.5个百分点", "0.5", "个百分点"),
        ("零点五个百分点", "0.5", "个百分点"),
        ("6.5百分点", "6.5", "个百分点"),
        ("6.08亿元", "608000000", "元"),
        ("60800万元", "608000000", "元"),
        ("608000000元", "608000000", "元"),
        ("1.49亿元", "149000000", "元"),
        ("255.92亿元", "25592000000", "元"),
        ("83.4亿元", "8340000000", "元"),
        ("27868元", "27868", "元"),
        ("1119万美元", "11190000", "美元"),
        ("88.5万亩", "885000", "亩"),
        ("41.1万吨", "411000", "吨"),
        ("1100万", "11000000", ""),
        ("1,119万美元", "11190000", "美元"),
        ("5015户", "5015", "户"),
        ("30人", "30", "人"),
        ("26人", "26", "人"),
        ("30名", "30", "人"),
        ("30余人", "30", "人"),
        ("84个", "84", "个"),
        ("6项", "6", "项"),
        ("23项", "23", "项"),
        ("42家", "42", "家"),
        ("14件", "14", "件"),
        ("508份", "508", "份"),
        ("二十三人", "23", "人"),
        ("一百零八个", "108", "个"),
        ("一百五十人", "150", "人"),
        ("两个月", "2", "个月"),
        ("两轮", "2", "轮"),
        ("八十八万五千亩", "885000", "亩"),
        ("一点四九亿元", "149000000", "元"),
        ("三分之一", "0.333333", ""),
        ("第7位", "7", "位"),
        ("第3名", "3", "位"),
        ("全市第二", "2", "位"),
        ("排名全市第一", "1", "位"),
        ("排名全省第67,较去年提升", "67", "位"),
        ("居五城区首位。", "1", "位"),
        ("倒数第二", "2", "倒数位"),
        ("2023年", "2023", "年"),
        ("7月", "7", "月"),
        ("28日", "28", "日"),
        ("5月份", "5", "月"),
        ("三季度", "3", "季度"),
        ("2023-07-28", "20230728", "日期"),
    ],
)
def test_normalize_number(text: str, value: str, unit: str) -> None:
    assert normalize_number(text) == nv(value, unit)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("5.9%", "5.9 %"),
        ("5.9%", "５.９％"),
        ("5.9%", "百分之五点九"),
        ("6.08亿元", "60800万元"),
        ("6.08亿元", "608000000元"),
        ("第7位", "排名全市第七"),
        ("全市第二", "第2名"),
        ("二十三人", "23人"),
        ("一百零八个", "108个"),
        ("7.30%", "7.3%"),
    ],
)
def test_same_number_equivalences(a: str, b: str) -> None:
    assert same_number(a, b)
    assert same_number(normalize_number(a), b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("0.5个百分点", "0.5%"),  # a change in points is not a rate
        ("6.08亿元", "6.08万元"),
        ("6.08亿元", "6.1亿元"),
        ("1119万美元", "1119万元"),  # currency matters
        ("30人", "30个"),
        ("第7位", "7个"),
        ("第二", "倒数第二"),
        ("2023年", "2023"),
        ("X%", "X%"),  # placeholders are never stated values, so never equal
        ("十四五", "14"),
        (None, "5%"),
    ],
)
def test_same_number_differences(a: str | None, b: str) -> None:
    assert not same_number(a, b)


@pytest.mark.parametrize(
    "text",
    ["十四五", "“十四五”", "一带一路", "二十大", "党的二十大精神", "三高四新", "“五个十大”", "五个十大", "十四届", "五届四次",
     "六届三次全会", "三盯", "做到“三攻”", "三抓", "三稳", "七大重点产业", "三县一城一枢纽", "一主一特三辅", "一年一小变,三年一大变",
     "一月一课一片一实践", "增强“四个意识”", "第十四届委员会第四次全体会议", "第一要务", "第二批主题教育", "全市第一方阵", "首位战略",
     "十分重要", "讲三点意见", "实现两位数增长", "万亩茶园", "千年红豆杉", "百千万工程", "一、振奋精神", "(一)总体情况", "1.部分经济指标", "统一思想", "一个地方"],
)
def test_names_and_markers_are_not_numbers(text: str) -> None:
    assert extract_numbers(text) == []


@pytest.mark.parametrize(
    ("text", "written", "unit", "kind"),
    [
        ("增长X%", "X%", "%", "quantity"),
        ("排全市第X", "第X", "位", "rank"),
        ("增速提升X个百分点", "X个百分点", "个百分点", "quantity"),
        ("签约金额X亿元", "X亿元", "元", "quantity"),
        ("党的XX大精神", "XX", "", "quantity"),
        ("从第X跌到倒数第X", "第X", "位", "rank"),
        ("现在已经是X月份了", "X月份", "月", "date"),
        ("X.X%", "X.X%", "%", "quantity"),
    ],
)
def test_placeholders(text: str, written: str, unit: str, kind: str) -> None:
    first = extract_numbers(text)[0]
    assert (first.text, first.placeholder, first.value, first.unit, first.kind) == (written, True, None, unit, kind)
    assert normalize_number(text) is None
    assert stated_values(text) == []


def test_latin_x_in_words_is_not_a_placeholder() -> None:
    assert extract_numbers("Xbox 与 XML") == []


def test_offsets_point_into_original_text_with_full_width_digits() -> None:
    text = "全县GDP增长５.９％,规模工业增加值增长7.3 %。"
    mentions = extract_numbers(text)
    assert [text[m.start : m.end] for m in mentions] == ["５.９％", "7.3 %"]
    assert [m.text for m in mentions] == ["５.９％", "7.3 %"]


def test_seed_style_indicator_sentence() -> None:
    text = "上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%;固定资产投资增长15.3 %;完成地方收入6.08亿元,税收收入完成4.21亿元。"
    assert stated_values(text) == [nv("5.9", "%"), nv("7.3", "%"), nv("15.3", "%"), nv("608000000", "元"), nv("421000000", "元")]


def test_dates_are_kind_date_and_left_out_of_stated_values() -> None:
    text = "7月28日,2023年上半年全县GDP增长5.9%,近10年来最好,用时2个月"
    kinds = [(m.text, m.kind) for m in extract_numbers(text)]
    assert kinds == [("7月", "date"), ("28日", "date"), ("2023年", "date"), ("5.9%", "quantity"), ("10年", "quantity"), ("2个月", "quantity")]
    assert nv("2023", "年") not in stated_values(text)
    assert nv("2023", "年") in stated_values(text, include_dates=True)


def test_month_ranges_share_the_unit() -> None:
    mentions = extract_numbers("1-5月份综合得分排名全市第一;1—11月,固定资产投资增长11.5%")
    assert [(m.value, m.kind) for m in mentions] == [
        (nv("1", "月"), "date"), (nv("5", "月"), "date"), (nv("1", "位"), "rank"),
        (nv("1", "月"), "date"), (nv("11", "月"), "date"), (nv("11.5", "%"), "quantity"),
    ]


def test_attendance_line() -> None:
    text = "出席全会的县委委员应到30人,县委候补委员应到8人,实到26人,符合规定人数。"
    assert stated_values(text) == [nv("30", "人"), nv("8", "人"), nv("26", "人")]


def test_quantities_beside_names_survive() -> None:
    # 第一批 is an ordinal name, but the 84 projects that follow are a quantity.
    assert stated_values("紧盯第一批84个重点项目特别是未开工的6个省市重点项目") == [nv("84", "个"), nv("6", "个")]
    assert stated_values("相关牵头单位递交了“五个十大”工作承诺书,收集问题197个") == [nv("197", "个")]


def test_rank_needs_rank_context_or_rank_unit() -> None:
    assert normalize_number("在项目建设考评中列全市各县区第7位") == nv("7", "位")
    assert normalize_number("第一,要抓项目") is None  # an enumeration, not a rank
    assert normalize_number("排名全市第一的县") == nv("1", "位")


def test_mention_record_shape() -> None:
    m = extract_numbers("增长5.9%")[0]
    assert isinstance(m, NumberMention)
    assert (m.text, m.start, m.end, m.placeholder, m.unit, m.is_date) == ("5.9%", 2, 6, False, "%", False)
    assert str(m.value) == "5.9%"
    assert str(nv("608000000.00", "元")) == "608000000元"


def test_value_equality_ignores_trailing_zeros_and_hashes_alike() -> None:
    assert normalize_number("6.08亿元") == normalize_number("60800万元")
    assert len({normalize_number("6.08亿元"), normalize_number("60800万元"), normalize_number("608000000元")}) == 1


def test_empty_and_numberless_text() -> None:
    assert extract_numbers("") == []
    assert normalize_number("会议在武家山政府会务中心召开") is None


def test_score_unit_does_not_swallow_words() -> None:
    assert normalize_number("3分别为") == nv("3", "")
    assert normalize_number("1号文件") == nv("1", "")


def test_ranges_with_decimals_and_zhi() -> None:
    assert stated_values("增长5.9-6.1%") == [nv("5.9", "%"), nv("6.1", "%")]
    assert stated_values("每组3至5人") == [nv("3", "人"), nv("5", "人")]
