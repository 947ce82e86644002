"""Reporting periods and years as reports and questions write them: 上半年, 前三季度, 1—11月份, 2023年.

The one home of the period grammar. A period is a span of months of one year; the year is written
beside it or implied by the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from huiyi.genre.meetings import MEETING_NOUN_SHORT
from huiyi.genre.numbers import cn_small_int

# The period words, as an alternation other patterns can embed (body openers, period phrases).
QUARTER = r"第?[一二三四]季度"
PERIOD_WORDS = r"上半年|下半年|前三季度|" + QUARTER + r"|全年"
_DASH = r"\s*[-—–~～至到]\s*"
MONTH_RANGE = r"\d{1,2}" + _DASH + r"\d{1,2}\s*月份?"

PERIOD_RE = re.compile(
    r"(?P<range>(?P<a>\d{1,2})" + _DASH + r"(?P<b>\d{1,2})\s*月(?:份)?)"
    r"|(?P<first>前(?P<fq>[一二两三])(?:个)?季度)"
    r"|(?P<firstm>前(?P<fm>[一二两三四五六七八九十]{1,2})个月)"
    r"|(?P<quarter>(?:第)?(?P<q>[一二三四])季度)"
    r"|(?P<half>(?P<h>上|下)半年)"
    r"|(?P<whole>全年)"
)
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# A period phrase as written in a figure's sentence, with its year when given; also the loose ones a
# summary keeps as written (今年以来, 去年) and a whole year opening a clause ("2024年,全县…增长6.2%").
PERIOD_PHRASE_RE = re.compile(
    r"(?:19|20)\d{2}\s*年度?(?=[,，])"
    r"|(?:(?:19|20)\d{2}\s*年)?(?:上半年|下半年|前三季度|第?[一二三四1-4]季度|全年|今年以来|去年|年初至今"
    r"|" + MONTH_RANGE + r")"
)
# A five-year-plan period as a heading names it: "“十四五”时期", "十四五期间".
PLAN_PERIOD_RE = re.compile(r"“?十[一二三四五六七八九]五”?(?:时期|期间)")
# A bare year as a paragraph or heading frames it: "刚刚过去的2025年", "2026年重点工作", "2025年全区…预期目标".
FRAMING_YEAR_RE = re.compile(r"(?<![\d—\-~至到])(?:19|20)\d{2}\s*年(?![度底末初以来前]|\d|[-—～~至到])")
# A year the document reports on: "2023年上半年", "2023年,…" — not "2022年度…考核结果" in passing.
_REPORTED_YEAR_RE = re.compile(
    r"((?:19|20)\d{2})\s*年(?=上半年|下半年|前三季度|[一二三四]季度|全年|\d{1,2}\s*[-—–~至]|[,,])"
)
# "三季度例会", "四季度县政府班子碰头会": the period names a meeting, not the period a figure covers.
_MEETING_AFTER = re.compile(r"[^,,。;;??、]{0,8}?" + MEETING_NOUN_SHORT)

USUAL_NAMES: dict[tuple[int, int], str] = {
    (1, 6): "上半年", (1, 9): "前三季度", (1, 3): "一季度", (4, 6): "二季度",
    (7, 9): "三季度", (10, 12): "四季度", (7, 12): "下半年", (1, 12): "全年",
}


@dataclass(frozen=True)
class Period:
    text: str  # as written: 上半年, 1—11月, 前三季度
    months: tuple[int, int] | None  # (1, 6) for 上半年; None for a bare year
    year: int | None = None


def find_periods(text: str) -> list[tuple[Period, int, int]]:
    """Every reporting period written in `text`, with its span."""
    out = []
    for m in PERIOD_RE.finditer(text):
        if _MEETING_AFTER.match(text, m.end()):
            continue
        months = _months(m)
        if months is not None:
            out.append((Period(m.group(0), months), m.start(), m.end()))
    return out


def _months(m: re.Match[str]) -> tuple[int, int] | None:
    if m.group("range"):
        a, b = int(m.group("a")), int(m.group("b"))
        return (a, b) if 1 <= a <= b <= 12 else None
    if m.group("first"):
        return 1, 3 * (cn_small_int(m.group("fq")) or 1)
    if m.group("firstm"):
        return 1, min(cn_small_int(m.group("fm")) or 12, 12)
    if m.group("quarter"):
        q = cn_small_int(m.group("q")) or 1
        return 3 * q - 2, 3 * q
    if m.group("half"):
        return (1, 6) if m.group("h") == "上" else (7, 12)
    return 1, 12


def last_month(phrase: str) -> int | None:
    """The last month a period phrase covers: 上半年 → 6, 1—11月份 → 11; None when it names none."""
    found = find_periods(phrase)
    return found[0][0].months[1] if found and found[0][0].months else None


def usual_name(months: tuple[int, int] | None, written: str) -> str:
    """前六个月 → 上半年: the name reports usually give a span of months."""
    return USUAL_NAMES.get(months, written) if months else written


def find_years(text: str) -> list[int]:
    return [int(y) for y in YEAR_RE.findall(text)]


def reported_years(text: str) -> set[int]:
    """Years the text reports figures for ("2023年上半年", "2023年,…")."""
    return {int(y) for y in _REPORTED_YEAR_RE.findall(text)}


# A figure set as a goal, not reported as a result: 预期目标…增长5%左右, 力争…, …6%以上.
TARGET_BEFORE = re.compile(r"(?:预期目标|主要目标|目标(?:是|为)?|力争|确保|争取|计划|预计|预期|要(?:达到|实现|控制在))[^。；;]{0,30}$")
TARGET_AFTER = re.compile(r"^\s*(?:左右|以上|以内|以下|上下)")
# A question about a goal: 目标, 预期, 计划, 打算, 今年要…
TARGET_QUESTION = re.compile(r"目标|预期|计划|打算|力争|争取|预计|想(?:让|要|把)|要让|要把|要(?:达到|实现|完成|增长|控制)|将(?:达到|增长)")
# An average over several years: 年均增长5.2%, 年平均.
AVERAGE_BEFORE = re.compile(r"(?:年均|年平均|平均每年|每年平均)[^，,。；;]{0,12}$")
AVERAGE_QUESTION = re.compile(r"年均|平均每年|每年平均|平均增长")
# 今年/明年 naming a whole year, read from a report's own date (not 今年以来, 今年上半年, 今年头两个月, 今年3月).
THIS_OR_NEXT_YEAR = re.compile(r"今年(?!以来|上半年|前|头|一季度|[1-9一二三四五六七八九十]+月)|明年")


def years_in(text: str) -> set[int]:
    return set(find_years(text))
