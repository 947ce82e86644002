"""The number a question asks for inside a sentence (value, unit, period, indicator) and the short answer built on it."""

from __future__ import annotations

import re

from huiyi.genre import vocabulary as lexicon
from huiyi.genre.numbers import extract_numbers
from huiyi.genre.periods import AVERAGE_BEFORE, TARGET_AFTER, TARGET_BEFORE, THIS_OR_NEXT_YEAR, find_periods, find_years
from huiyi.qa.analysis import QuestionAnalysis
from huiyi.qa.checks import (
    clause_bounds,
    clause_fit,
    governing_period,
    period_fit,
)
from huiyi.qa.evidence import Sentence


def _unit_of(m) -> str:
    return m.value.unit if m.value is not None else getattr(m, "unit", "")


def _unit_ok(want: str | None, m) -> bool:
    if getattr(m, "kind", "quantity") == "date":
        return False
    unit = _unit_of(m)
    if want is None:
        return True
    if want == "位":
        return getattr(m, "kind", "") == "rank" or unit in ("位", "倒数位")
    if want == "元":
        return unit.endswith("元")
    if want == "个":  # 多少个 counts projects, problems, units: any count unit will do
        return unit in ("个", "项", "家", "件", "所", "座", "处", "条")
    return unit == want


def is_placeholder(m, sent: Sentence) -> bool:
    if m.placeholder:
        return True
    s, e = sent.ctx_start + m.start, sent.ctx_start + m.end
    return any(ps < e and s < pe for ps, pe in sent.doc.placeholders)


def _indicator_before(terms, pos: int):
    before = [t for t in terms if t[2] <= pos]
    return before[-1] if before else None


_CHANGE_BEFORE = re.compile(r"(?:增长|增加|增速|增幅|提高|提升|上升|下降|减少|回落|降低|高于|低于|同比)[^,,;;。]{0,8}$")


_SCOPE_BEFORE = re.compile(r"(全国|全省|全市|全县|全区|五城区|[省市县区]内)[^,,;;。]{0,4}$")


def _is_change(ctx: str, m) -> bool:
    return _unit_of(m) in ("%", "个百分点") or bool(_CHANGE_BEFORE.search(ctx[max(0, m.start - 12):m.start]))


def _scope_ok(a: QuestionAnalysis, ctx: str, m) -> bool:
    """排名全市第二 answers 在全市排第几, never 在全省排第几."""
    if a.unit != "位" or a.scope is None:
        return True
    found = _SCOPE_BEFORE.search(ctx[max(0, m.start - 8):m.start])
    return found is None or found.group(1) == a.scope


def _window(ctx: str, mentions, i: int) -> str:
    """The text a number belongs to: back to the previous number of its kind, and a few characters on
    (紧盯第一批84个重点项目 … 未开工的6个省市重点项目)."""
    m = mentions[i]
    cs, ce = clause_bounds(ctx, m.start)
    left = max([cs] + [x.end for x in mentions[:i] if x.end <= m.start and _unit_of(x) == _unit_of(m)])
    return ctx[left:min(ce, m.end + 6)]


def number_span(a: QuestionAnalysis, sent: Sentence):
    """(mention, indicator term or None, local fit) for the value the question asks, or None."""

    ctx, rel = sent.context, sent.start - sent.ctx_start
    every = [m for m in extract_numbers(ctx) if getattr(m, "kind", "") != "date"]
    terms = lexicon.find_indicators(ctx)
    best = None
    for i, m in enumerate(every):
        if m.start < rel or not _unit_ok(a.unit, m) or not _scope_ok(a, ctx, m):
            continue
        if a.change and a.unit is None and not _is_change(ctx, m):
            continue
        if period_fit(a, ctx, m.start) is None:  # 由上半年的1%下降至前三季度的1%: take the asked period's
            continue
        term = _indicator_before(terms, m.start)
        local = clause_fit(a, _window(ctx, every, i))
        if not a.indicators and local <= 0:
            continue  # a count with no word of the question around it (应到30人 for 新增就业多少人)
        if a.indicators:
            # the asked indicator must govern the number: it is the nearest indicator before it
            if term is None or max(lexicon.indicator_fit(k, term[0]) for k in a.indicators) == 0:
                continue
            local -= 0.01 * (m.start - term[3])
        if best is None or local > best[2]:
            best = (m, term, local)
    return best


def number_answer(sent: Sentence, m, term) -> tuple[str, int]:
    """A short sentence that repeats only what the quote says; returns (answer, leftmost ctx offset used)."""
    ctx = sent.context
    cs, ce = clause_bounds(ctx, m.start)
    body, left = ctx[cs:figure_end(ctx, m, ce)].strip(), cs
    if term is not None and not (cs <= term[2] < ce):
        body, left = term[1] + body, term[2]
    elif term is None and len(body) < 8:
        ps, _ = clause_bounds(ctx, max(cs - 2, 0))
        body, left = ctx[ps:m.end].strip(), ps
    gov = [(p, s) for p, s, e in find_periods(ctx) if s < m.start]
    topic = governing_period(ctx, m.start)
    if topic is not None and topic.text not in body:
        s = max(s for p, s in gov if p.text == topic.text)
        body, left = f"{topic.text},{body}", min(left, s)
    return body.rstrip(",,;;、") + "。", left


_QUALIFIER = re.compile(r"\s*(?:左右|以上|以内|以下|上下)")
_RANGE = re.compile(r"\s*[—–－~～-]{1,2}\s*")  # "4.5%—5%", "5%-5.5%": one figure written as a range
_ONWARD = re.compile(r"\s*(?:提高|提升|增加|增长|上升|下降|降低|减少|扩大|缩小|回落)?(?:到|至)")


def figure_end(ctx: str, m, clause_end: int) -> int:
    """Where the figure a question asks for ends: with its qualifier (5%左右, 110万人以上) and, for a change
    written "由52%提高到58%", with the value it reached; a range (4.5%—5%) ends with its upper bound."""
    end = m.end
    dash = _RANGE.match(ctx, end)
    if dash:
        upper = [x for x in extract_numbers(ctx[dash.end() - 1:clause_end]) if x.value is not None]
        if upper and upper[0].start <= 1:
            end = dash.end() - 1 + upper[0].end
    q = _QUALIFIER.match(ctx, end)
    if q:
        return q.end()
    onward = _ONWARD.match(ctx, end)
    if onward:
        nxt = [x for x in extract_numbers(ctx[onward.end():clause_end]) if x.value is not None or x.placeholder]
        if nxt and nxt[0].start <= 6:
            end = onward.end() + nxt[0].end
            q = _QUALIFIER.match(ctx, end)
            return q.end() if q else end
    return end


def number_answer_local(sent: Sentence, m) -> str:
    """Fallback answer limited to the sentence itself (its context was too long to quote)."""
    text, rel = sent.text, m.start - (sent.start - sent.ctx_start)
    cs, _ = clause_bounds(text, rel)
    return text[cs:rel + (m.end - m.start)].strip() + "。"


_PLAN_HEADING = re.compile(r"安排|任务|部署|目标|打算|思路|要求")


def is_target(sent: Sentence, m) -> bool:
    """The number is set as a goal: a goal word before it in its sentence, or 左右/以上/以内 after it."""
    ctx = sent.context
    return bool(TARGET_BEFORE.search(ctx[max(0, m.start - 40):m.start]) or TARGET_AFTER.match(ctx[m.end:m.end + 3]))


def in_plan_section(sent: Sentence) -> bool:
    """Under a heading of plans: its words (安排, 任务, 目标 …), or a year the report had not yet lived —
    "2026年重点工作" in a report of January 2026."""
    titles = sent.doc.section_titles(sent.start)
    if any(_PLAN_HEADING.search(t) for t in titles):
        return True
    date = sent.doc.date
    return date is not None and any(y > date.year or (y == date.year and date.month <= 3)
                                    for t in titles for y in find_years(t))


def is_average(sent: Sentence, m) -> bool:
    """年均增长5.2%: an average over years, never the figure of one year."""
    cs, _ = clause_bounds(sent.context, m.start)
    return bool(AVERAGE_BEFORE.search(sent.context[cs:m.start]))


def wants_target(a: QuestionAnalysis, sent: Sentence) -> bool:
    """A goal is asked: in words, or as a whole year's figure the report could not yet know (a January
    report on its own year holds goals for it, a July one may report its first half)."""
    if a.target:
        return True
    date = sent.doc.date
    if date is None:
        return False
    if a.years:
        year = min(a.years)
    elif THIS_OR_NEXT_YEAR.search(a.text):  # 今年/明年 read from the report's own date
        year = date.year + (1 if "明年" in a.text else 0)
    else:
        return False
    return year > date.year or (year == date.year and date.month <= 3 and not a.periods)
