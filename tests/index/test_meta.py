"""extract_meta / find_placeholders on the seeds (load → clean → meta) and on small crafted texts."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from huiyi.genre.people import find_speakers
from huiyi.genre.places import find_region
from huiyi.index.clean import clean_text
from huiyi.index.load import load_path
from huiyi.index.meta import extract_meta, find_placeholders
from huiyi.index.records import DocumentMeta, Removal

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@cache
def seed(prefix: str) -> tuple[str, DocumentMeta]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    loaded = load_path(path, max_bytes=1_000_000)
    cleaned = clean_text(loaded.text)
    return cleaned.text, extract_meta(cleaned.text, loaded.source, cleaned.removed)


def roles(meta: DocumentMeta) -> dict[str, str | None]:
    return {s.name: s.role for s in meta.speakers}


# --- the seeds -------------------------------------------------------------------------------


def test_seed_000_plenum_release():
    _, meta = seed("000")
    assert meta.date_iso == dt.date(2023, 7, 28) and not meta.year_inferred
    assert meta.date_text == "7月28日"
    assert meta.region == "衡东县"
    assert "第十四届委员会第四次全体会议" in meta.title
    assert meta.meeting_type == "全会"
    speakers = roles(meta)
    assert speakers["谭建华"] == "县委书记"
    assert speakers["蒋崇华"] == "县委副书记、县长"
    assert speakers["雷继红"] == "县委常委、组织部长"
    assert speakers["任中元"] == "县人大常委会主任"
    assert meta.placeholders == []


def test_seed_001_partial_date_year_inferred():
    _, meta = seed("001")
    assert "9月13日" in meta.date_text
    assert meta.date_iso == dt.date(2023, 9, 13) and meta.year_inferred
    assert meta.region == "雁峰区"
    assert meta.title == "雁峰区委五届四次全会暨2023年上半年经济运行分析会议召开"
    assert roles(meta)["谢韬"] == "区委副书记、区长"
    assert roles(meta)["王致伟"] == "区委副书记、统战部部长"


def test_seed_002_january_meeting_reviews_previous_year():
    _, meta = seed("002")
    assert meta.date_text == "1月10日"
    assert meta.date_iso == dt.date(2024, 1, 10) and meta.year_inferred
    assert meta.region == "衡东县"
    assert "十四届五次全体会议" in meta.title


def test_seed_003_speech_with_template_figures():
    text, meta = seed("003")
    assert meta.title == "县长在四季度县政府班子碰头会上的讲话"
    assert meta.meeting_type == "碰头会"
    assert meta.region is None  # the speech only says 我县
    repeats = [p for p in meta.placeholders if p.kind == "template_repeat"]
    assert len(repeats) == 6
    assert {p.text for p in repeats} == {"1%", "1个百分点"}
    assert all(text[p.start : p.end] == p.text for p in repeats)
    assert not any(p.kind == "x_value" for p in meta.placeholders)
    # "第7位" and "剩余2个月" are real figures in the same speech and stay unflagged.
    flagged = {p.start for p in meta.placeholders}
    assert text.index("第7位") not in flagged


def test_seed_004_speech_with_x_values():
    text, meta = seed("004")
    assert meta.title == "在全县乡镇党委书记和部门一把手2024年三季度例会上的讲话"
    assert "还剩" not in meta.title
    assert meta.meeting_type == "例会"
    assert meta.region is None
    xs = [p for p in meta.placeholders if p.kind == "x_value"]
    assert len(xs) >= 100
    assert all(text[p.start : p.end] == p.text for p in xs)
    texts = {p.text for p in xs}
    assert {"XX大", "X%", "第X", "X个百分点", "X亿元", "X家"} <= texts
    i = text.index("制造业投资增长X%")
    assert any(p.start == i + len("制造业投资增长") and p.text == "X%" for p in xs)


def test_seed_placeholders_absent_where_figures_are_real():
    for prefix in ("000", "001", "002"):
        assert seed(prefix)[1].placeholders == []


# --- title -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("《在全县经济工作会议上的讲话》\n同志们:今天召开会议。", "在全县经济工作会议上的讲话"),
        ("县委书记在全县三级干部大会上的讲话同志们:今天我们召开会议。", "县委书记在全县三级干部大会上的讲话"),
        ("某某区召开2024年第一季度经济运行调度会\n4月8日,会议召开。", "某某区召开2024年第一季度经济运行调度会"),
        ("新年伊始,万象更新。\n1月5日,中共某某县委十五届六次全体会议在县会议中心召开。", "中共某某县委十五届六次全体会议"),
        ("# 某某县召开全县经济工作会议\n会议要求狠抓落实。", "某某县召开全县经济工作会议"),
        ("同志们:\n今天主要讲三点意见。", "speech_2024"),
        ("一、总体情况\n今年以来,各项工作有序推进。", "speech_2024"),
    ],
)
def test_title_rules(text, title):
    assert extract_meta(text, "speech_2024.txt").title == title


# --- meeting type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("某某县政府第12次常务会议召开", "常务会议"),
        ("某某区召开民营企业家座谈会", "座谈会"),
        ("某某县2023年工作总结", "工作总结"),
        ("某某县召开重点项目建设调度会", "调度会"),
        ("某某区委常委会召开扩大会议", "常委会"),
        ("某某县召开全县经济运行分析会", "经济运行分析会"),
        ("某某县文化惠民活动丰富多彩", None),
    ],
)
def test_meeting_type_vocabulary(title, kind):
    assert extract_meta(title + "\n会议要求狠抓落实。", "x.txt").meeting_type == kind


# --- dates -----------------------------------------------------------------------------------


def test_full_date_in_text_is_not_inferred():
    meta = extract_meta("2023年12月29日上午,中共某某县委全体会议召开。", "x.txt")
    assert meta.date_iso == dt.date(2023, 12, 29) and not meta.year_inferred
    assert meta.date_text == "2023年12月29日"


def test_publication_line_supplies_the_year():
    removed = [Removal(kind="source_line", text="来源:某某县融媒体中心 发布时间:2024-01-12", start=0, end=30)]
    meta = extract_meta("12月28日,某某县召开全县经济工作会议。", "x.txt", removed)
    assert meta.date_iso == dt.date(2023, 12, 28) and meta.year_inferred  # December before a January release
    meta = extract_meta("1月10日,某某县召开全县经济工作会议。", "x.txt", removed)
    assert meta.date_iso == dt.date(2024, 1, 10) and meta.year_inferred


def test_no_year_anywhere_keeps_text_only():
    meta = extract_meta("3月2日上午,某某县召开全县安全生产调度会。会议要求压实责任。", "x.txt")
    assert meta.date_text == "3月2日上午" and meta.date_iso is None and not meta.year_inferred


def test_target_periods_do_not_push_the_year():
    text = "9月13日,某某区召开2023年上半年经济运行分析会议。会议要求全力冲刺四季度,全年目标增长7%。"
    assert extract_meta(text, "x.txt").date_iso == dt.date(2023, 9, 13)


def test_no_date_gives_none():
    meta = extract_meta("县长在碰头会上的讲话\n现在已经到了11月初。", "x.txt")
    assert meta.date_text is None and meta.date_iso is None


# --- region and speakers -------------------------------------------------------------------------


def test_region_ignores_comparisons_and_our_county():
    assert find_region("我县GDP增长5.9%,高于全市1.2个百分点,高于衡阳市平均水平。县委要求…") is None
    assert find_region("衡阳市委要求各地抓落实。衡东县委书记强调,衡东县要争先进位,衡东县政府全力推进。") == "衡东县"


def test_region_does_not_glue_a_word_to_county_government():
    assert find_region("四季度县政府班子碰头会上,要认真落实市委部署。") is None


def test_speakers_need_a_role_and_a_surname():
    text = "区委副书记、区长谢韬就上半年工作作讲评。家军书记强调,要抓落实。县委书记强调,要团结。县长王志强强调安全。"
    assert find_speakers(text) == [("谢韬", "区委副书记、区长"), ("王志强", "县长")]


# --- placeholders ---------------------------------------------------------------------------


def test_x_values_with_units_and_ranks():
    text = "二季度增长X%,排全市第X,低于全市X个百分点,签约金额X亿元,新增企业X家,学习党的XX大精神,X射线检测。"
    found = find_placeholders(text)
    assert [p.text for p in found] == ["X%", "第X", "X个百分点", "X亿元", "X家", "XX大"]
    assert all(text[p.start : p.end] == p.text and p.kind == "x_value" for p in found)


def test_latin_words_are_not_placeholders():
    assert find_placeholders("引进XBRL系统和Xbox设备,使用MAX函数。") == []


def test_self_comparison_flags_both_values():
    text = "工业增加值增幅由上半年的6%下降至前三季度的6%。"
    found = find_placeholders(text)
    assert [(p.text, p.kind) for p in found] == [("6%", "template_repeat"), ("6%", "template_repeat")]


def test_repeated_number_without_self_comparison_is_not_flagged():
    text = (
        "上半年,全县GDP增长5.9%,规模工业增加值增长5.9%,固定资产投资增长5.9%。"
        "增速由上半年的5.9%提高到前三季度的6.3%。\n全年增长5.9%。"
    )
    assert find_placeholders(text) == []


def test_template_repeat_only_within_the_offending_paragraph():
    text = "增幅仅为1%,较上半年回落1个百分点,由上半年的1%降至1%。\n另一段:农民收入增长1%。"
    found = find_placeholders(text)
    assert len(found) == 4
    assert all(p.start < text.index("\n") for p in found)


def test_title_word_after_a_role_is_not_a_name():
    assert find_speakers("县委书记向全会作工作报告。县长和副县长出席会议。") == []


def test_empty_text_falls_back_to_file_stem():
    meta = extract_meta("", "docs/report_2023.txt")
    assert meta.title == "report_2023" and meta.date_iso is None and meta.speakers == []
