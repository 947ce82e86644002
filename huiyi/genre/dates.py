"""Dates in meeting reports: find them as written, and infer a missing year from the text.

Reports often write "9月13日上午" with the year only implied. The inference rule, in order:
1. A full date with the same month and day anywhere in the document (body or its source line)
   gives the year as written (not inferred).
2. A publication date (来源/发布时间 line): the meeting is the latest such month-day not after it.
3. The text: the base year is the year written most often ("2023年…", ties → the later year);
   a meeting cannot precede a period whose figures it reports ("前三季度,全县…增长5.7%",
   "1—11月,…增长11.5%"), so a January meeting reporting on the base year's first eleven months
   is put in the following year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from huiyi.genre.periods import PERIOD_WORDS, last_month

_FULL_CN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_FULL_NUM = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_PARTIAL = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日(上午|下午|晚上|晚间|早上|中午|晚)?")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# 二〇二六年一月二十七日: the year digit by digit, month and day as numerals (公文 dates, signatures).
_FULL_HAN = re.compile(r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
_HAN_DIGIT = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_PERIOD = re.compile(r"(?:((?:19|20)\d{2})\s*年)?(" + PERIOD_WORDS + r"|1\s*[-—–~至到]\s*\d{1,2}\s*月份?)")
# A figure reported for the period (not a target): a number with a unit in the same clause.
_FIGURE = re.compile(r"\d\s*(?:%|％|个百分点|亿元|万元|元|万吨|吨|万亩|亩|户|家|个)")
_TARGET = re.compile(r"目标|力争|确保|预计|计划|争取|预期")
_CLAUSE_END = re.compile(r"[。;；\n]")


@dataclass(frozen=True)
class DateMention:
    text: str  # as written, e.g. "9月13日上午" or "2023-07-28"
    start: int
    end: int
    month: int
    day: int
    year: int | None = None  # only when written


def find_dates(text: str) -> list[DateMention]:
    """Every valid date in `text`, full or month-day, in order of appearance."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for rx in (_FULL_CN, _FULL_NUM):
        for m in rx.finditer(text):
            y, mo, d = (int(g) for g in m.groups())
            if _valid(y, mo, d):
                found.append(DateMention(m.group(), m.start(), m.end(), mo, d, y))
                taken.append(m.span())
    for m in _FULL_HAN.finditer(text):
        y = int("".join(str(_HAN_DIGIT[c]) for c in m.group(1)))
        han_mo, han_d = _han_small(m.group(2)), _han_small(m.group(3))
        if han_mo and han_d and _valid(y, han_mo, han_d):
            found.append(DateMention(m.group(), m.start(), m.end(), han_mo, han_d, y))
            taken.append(m.span())
    for m in _PARTIAL.finditer(text):
        mo, d = int(m.group(1)), int(m.group(2))
        if _valid(2000, mo, d) and not any(a <= m.start() < b for a, b in taken):
            found.append(DateMention(m.group(), m.start(), m.end(), mo, d))
    return sorted(found, key=lambda x: x.start)


def _han_small(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十七 → 27, 三十一 → 31."""
    if "十" not in text:
        return _HAN_DIGIT.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    t = _HAN_DIGIT.get(tens, 0) if tens else 1
    o = _HAN_DIGIT.get(ones, 0) if ones else 0
    return t * 10 + o


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def resolve_year(mention: DateMention, text: str, extra: list[str]) -> tuple[int | None, bool]:
    """(year, inferred) for a date mention; `extra` are removed source lines (publication dates)."""
    if mention.year is not None:
        return mention.year, False
    full = [d for d in find_dates("\n".join([text, *extra])) if d.year is not None]
    for d in full:
        if (d.month, d.day) == (mention.month, mention.day):
            return d.year, False
    published = [(d, d.year) for line in extra for d in find_dates(line) if d.year is not None]
    if published:
        pub, pub_year = published[0]
        before = (mention.month, mention.day) <= (pub.month, pub.day)
        return (pub_year if before else pub_year - 1), True
    return infer_year_from_text(text, mention.month), True


def infer_year_from_text(text: str, month: int) -> int | None:
    """The meeting's year from the years and reported periods in the text (see module doc)."""
    years = Counter(int(m.group(1)) for m in _YEAR.finditer(text))
    years.update(d.year for d in find_dates(text) if d.year is not None and not _YEAR.match(d.text))
    if not years:
        return None
    base = max(years, key=lambda y: (years[y], y))
    year = base
    for period_year, end_month in _reported_periods(text, base):
        year = max(year, period_year if month > end_month else period_year + 1)
    return year


def _reported_periods(text: str, base: int) -> list[tuple[int, int]]:
    """(year, last month) of every period the text reports figures for."""
    out: list[tuple[int, int]] = []
    for m in _PERIOD.finditer(text):
        clause_end = _CLAUSE_END.search(text, m.end())
        clause = text[m.end() : clause_end.start() if clause_end else len(text)]
        if not _FIGURE.search(clause[:60]) or _TARGET.search(clause[:60]):
            continue
        end_month = last_month(m.group(2))
        if not end_month or not 1 <= end_month <= 12:
            continue
        out.append((int(m.group(1)) if m.group(1) else base, end_month))
    return out


def to_date(year: int | None, mention: DateMention) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, mention.month, mention.day)
    except ValueError:  # 2月29日 in a year that has none
        return None
