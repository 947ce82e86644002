"""Comparisons across places: "A、B、C哪个最高/最快/最少", "A和B哪个县增长更快", "A和B分别是多少/分别是谁".

The places a comparison names are listed together ("甘肃、重庆和广西", "白沙和松岭"). Each place is its own part,
the question as asked of that place alone, answered as the general reading (or the document-level reading)
would answer it, from that place's documents first. The winner is computed in code from the grounded values —
one unit for all, a rank compared inversely, dates by the calendar — and the answer names it and lists every
value with its citation. When a part has no answer the response says which and names no winner.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from huiyi.cite.grounding import check_grounding
from huiyi.cite.models import Citation
from huiyi.genre import vocabulary as lexicon
from huiyi.genre.numbers import NumberValue, extract_numbers
from huiyi.genre.places import region_stem
from huiyi.qa.analysis import QuestionAnalysis
from huiyi.qa.asks import Comparison, comparison, place_part
from huiyi.qa.candidates import Candidate
from huiyi.qa.doclevel import DocFact, doc_fact, fact_candidate
from huiyi.qa.evidence import DocInfo, Sentence
from huiyi.qa.figures import is_target
from huiyi.qa.models import AskResponse
from huiyi.qa.reading import NOT_FOUND, Reading, not_found, respond


# ---- one answer per place ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Value:
    """A part's compared value: a number with its unit, or a calendar date (unit "date")."""

    key: Decimal | dt.date
    unit: str


@dataclass(frozen=True)
class Part:
    place: str
    question: QuestionAnalysis
    pick: Candidate | None
    value: Value | None
    measure: tuple[str, bool] | None = None  # what the value measures: (indicator named before it, a goal)


def _about(doc: DocInfo, place: str) -> bool:
    """The document is about the place (not just naming it in passing)."""
    stem = region_stem(place)
    return stem in doc.regions or stem in doc.title or stem in doc.text[:200]


def answer_part(reading: Reading, question: QuestionAnalysis, place: str, cmp: Comparison) -> Part:
    """The part's answer: the header field it asks, else the best stated figure of the place's own documents (of
    any retrieved document when none is about it), else a figure the report withholds (X), else nothing."""
    if cmp.ask is not None:
        fact = doc_fact(reading, question, cmp.ask)
        if fact is None or not fact.answer:
            return Part(place, question, None, None)
        return Part(place, question, fact_candidate(reading, fact), _date_value(fact))
    own = [s for s in reading.sentences if _about(s.doc, place)]
    for sentences in (own, reading.sentences):
        pick = _best_stated(reading, question, sentences)
        if pick is not None:
            value = _number_value(pick, question)
            return Part(place, question, pick, value, _measure(pick, question, value))
    held = replace(reading, sentences=own).best(question) or reading.best(question)
    return Part(place, question, held if held is not None and held.placeholder else None, None)


def _best_stated(reading: Reading, question: QuestionAnalysis, sentences: list[Sentence]) -> Candidate | None:
    """The best candidate among `sentences` that states its figure (not X) and clears the refusal threshold."""
    among = replace(reading, sentences=sentences)
    first = next((c for c in among.candidates(question) if not c.placeholder), None)
    if first is None:
        return None
    pick = replace(reading, sentences=[first.sentence]).best(question)  # the reading's own threshold decides
    return pick if pick is not None and not pick.placeholder and _grounded(reading, pick) else None


def _grounded(reading: Reading, pick: Candidate) -> bool:
    """Every number of the part's answer is in the part's own quotes (not merely in another part's)."""
    doc = reading.document(pick.sentence.doc.doc_id)
    cites = [Citation(doc_id=doc.id, title=pick.sentence.doc.title, quote=doc.text[s:e], start=s, end=e,
                      chunk_id=pick.sentence.chunk_id)
             for s, e in [(pick.quote_start, pick.quote_end), *pick.extra_quotes]]
    return check_grounding(pick.answer, cites, lambda d: reading.document(d).text,
                           lambda d: reading.document(d).meta).ok


def _date_value(fact: DocFact) -> Value | None:
    return Value(fact.date, "date") if fact.date is not None else None


def _number_value(pick: Candidate, question: QuestionAnalysis) -> Value | None:
    """The value the answer states: the last number of the asked unit (an answer ends with the asked figure; a
    range's upper bound, a change's reached value), a rank counted so that first is highest."""
    numbers = [m.value for m in extract_numbers(pick.answer) if m.value is not None and m.kind != "date"]
    if question.unit is not None:
        numbers = [v for v in numbers if _unit_matches(v, question.unit)]
    if not numbers:
        return None
    last: NumberValue = numbers[-1]
    return Value(-last.value if last.unit == "位" else last.value, last.unit)


def _measure(pick: Candidate, question: QuestionAnalysis, value: Value | None) -> tuple[str, bool] | None:
    """What the compared figure measures — the asked indicator (the reading checked it governs the figure), else
    the one named in the figure's clause ("" for none) — and whether it is set as a goal: figures compared must
    measure the same thing the same way (a result is not compared with a target)."""
    if value is None:
        return None
    sent = pick.sentence
    ctx = sent.context
    for m in extract_numbers(ctx):
        if m.value is not None and m.value.unit == value.unit and value.key in (m.value.value, -m.value.value):
            if question.indicators:
                return question.indicators[0], is_target(sent, m)
            clause = max(ctx.rfind(c, 0, m.start) for c in "，,；;：:") + 1
            named = lexicon.find_indicators(ctx[clause:m.start])
            return (named[-1][0] if named else ""), is_target(sent, m)
    return None


def _unit_matches(value: NumberValue, unit: str) -> bool:
    return value.unit.endswith("元") if unit == "元" else value.unit == unit


# ---- the winner and the answer ---------------------------------------------------------------------------------
def winners(values: list[Value | None], highest: bool) -> list[int] | None:
    """Indexes of the highest (or lowest) values; None when a value is missing or the units differ."""
    if any(v is None for v in values):
        return None
    present = [v for v in values if v is not None]
    if len({v.unit for v in present}) != 1:
        return None
    keys = [v.key for v in present]
    best = max(keys) if highest else min(keys)  # one unit: all dates or all numbers
    return [i for i, k in enumerate(keys) if k == best]


def answer_compare(reading: Reading) -> AskResponse | None:
    """Each place answered as its own part; the winner computed from the cited values, or the missing parts named."""
    a = reading.analysis
    cmp = comparison(a)
    if cmp is None or (cmp.highest is None and a.parts):
        return None  # "衡东县和雁峰区…分别…": the analysis has split it; the general reading answers each part
    parts = [answer_part(reading, place_part(a, p, cmp), p, cmp) for p in cmp.places]
    if all(p.pick is None for p in parts):
        return not_found()  # one sentence about one place would not answer a comparison
    lines = [f"{p.place}:{_line(p) if p.pick else NOT_FOUND.rstrip('。')}" for p in parts]
    answer = _verdict(cmp, parts) + ";".join(lines) + "。"
    return respond(reading, [p.question for p in parts], [p.pick for p in parts], answer=answer)


def _verdict(cmp: Comparison, parts: list[Part]) -> str:
    if cmp.highest is None:
        return ""
    missing = [p.place for p in parts if p.pick is None]
    held = [p.place for p in parts if p.pick is not None and p.pick.placeholder]
    if missing or held:
        said = [f"资料中未提及{'、'.join(missing)}的相应数据"] if missing else []
        said += [f"报告未披露{'、'.join(held)}的具体数值"] if held else []
        return f"无法比较:{';'.join(said)}。"
    won = winners([p.value for p in parts], cmp.highest)
    if won is not None and len({p.measure for p in parts}) > 1:
        return "无法比较:各地答案所指的指标或口径(实际数与目标数)不一致。"
    if won is None:
        unread = [p.place for p in parts if p.value is None]
        if unread:
            return f"无法比较:{'、'.join(unread)}的答案中没有可比较的数值。"
        return "无法比较:各地数值的单位或口径不一致。"
    names = "、".join(parts[i].place for i in won)
    return f"{names}{'并列' if len(won) > 1 else ''}{cmp.phrase}。"


LINE_CHARS = 40  # a longer answer is cut to the clause that states the compared figure


def _line(part: Part) -> str:
    """The part's answer as one line of the comparison: a long answer cut to the clause of its compared figure
    ("今年…主要预期目标是：地区生产总值增长5%以上，…，城镇新增就业65万人" → "城镇新增就业65万人")."""
    assert part.pick is not None
    answer = part.pick.answer.strip().rstrip("。;；,，")
    if len(answer) <= LINE_CHARS or part.value is None or part.value.unit == "date":
        return answer
    numbers = [m for m in extract_numbers(answer) if m.value is not None and m.kind != "date"]
    shown = [m for m in numbers if m.value is not None and m.value.unit == part.value.unit]
    if not shown:
        return answer
    end = shown[-1].end
    start = max(answer.rfind(c, 0, shown[-1].start) for c in _CLAUSE_BREAKS) + 1
    tail = _CLAUSE_END.search(answer, end)
    return answer[start:tail.start() if tail else len(answer)]


_CLAUSE_BREAKS = ",，;；:：、"
_CLAUSE_END = re.compile(r"[,，;；:：、]")
