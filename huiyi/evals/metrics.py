"""Deterministic eval metrics as pure functions over plain values (strings, offsets, statuses).

Nothing here calls the service: the harness gathers responses, these score them, so every metric is
unit-testable on its own. Numbers are always compared through `huiyi.genre.numbers` (value + unit).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from huiyi.genre.numbers import NumberValue, extract_numbers, same_number, stated_values

REFUSED = frozenset({"not_found", "undisclosed"})

# The CMRC 2018 official script's punctuation list (evaluate.py v5, `sp_char`), plus ASCII/full-width
# equivalents our texts use, since the seeds write Chinese punctuation in ASCII (",", ";", "(").
CMRC_PUNCT = frozenset(
    ["-", ":", "_", "*", "^", "/", "\\", "~", "`", "+", "=", "，", "。", "：", "？", "！", "“", "”", "；", "’",
     "《", "》", "……", "·", "、", "「", "」", "（", "）", "－", "～", "『", "』"]
)
_EXTRA_PUNCT = set(",.;:!?()[]{}<>\"'‘’“”【】〔〕…—–|@#$&") | {" ", "\t", "\n", "\r", "\u3000"}
_HAN = re.compile(r"[\u4e00-\u9fa5]")
# Close to nltk's Treebank tokenizer for what answers hold: decimals stay whole ("5.9"), symbols split off.
_LATIN_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|\w+|[^\w\s]")


class CitationLike(Protocol):
    doc_id: str
    quote: str
    start: int
    end: int


# ---- text normalisation ------------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """Width-fold, lower-case and drop punctuation and spaces: the form containment is checked in."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in folded if ch not in CMRC_PUNCT and ch not in _EXTRA_PUNCT)


def contains_text(answer: str, expected: str) -> bool:
    needle = normalize_text(expected)
    return bool(needle) and needle in normalize_text(answer)


# ---- answer correctness ------------------------------------------------------------------------


def _numbers_in(text: str) -> list[NumberValue]:
    return stated_values(text, include_dates=True)


def matches_expected(answer: str, expected: str) -> bool:
    """One expected string is in the answer: its numbers by value+unit, its words by containment.

    "6.1%" matches "增长6.1 %" and "百分之六点一"; "全市第一" matches "排名全市第一"; "6.08亿元" matches
    "60800万元". The words around a number must appear too ("排名全市第一" needs 全市), each piece alone.
    """
    mentions = [m for m in extract_numbers(expected) if m.value is not None]
    if not mentions:
        return contains_text(answer, expected)
    have = _numbers_in(answer)
    if not all(any(same_number(m.value, h) for h in have) for m in mentions):
        return False
    pieces, cursor = [], 0
    for m in mentions:
        pieces.append(expected[cursor : m.start])
        cursor = m.end
    pieces.append(expected[cursor:])
    # "第" and bare rank scopes are absorbed by the rank mention itself; other words must be present.
    return all(contains_text(answer, p) for p in pieces if normalize_text(p) not in ("", "第"))


def answer_correct(answer: str, answers: Sequence[str] = (), all_of: Sequence[str] = ()) -> bool:
    """Any-of `answers` (when given) and every one of `all_of` (when given) found in the answer."""
    if not answers and not all_of:
        return False
    any_ok = not answers or any(matches_expected(answer, a) for a in answers)
    return any_ok and all(matches_expected(answer, a) for a in all_of)


def case_passed(
    *, expect_status: str, status: str, answer: str, answers: Sequence[str] = (), all_of: Sequence[str] = ()
) -> bool:
    """A case passes when the status is right and, for answered cases, the answer is correct.

    Any refusal (not_found or undisclosed) passes a case that expects one; whether an undisclosed
    value was recognised as such is reported separately (`RefusalScores.undisclosed_rate`).
    """
    if expect_status == "answered":
        return status == "answered" and answer_correct(answer, answers, all_of)
    return status in REFUSED


# ---- CMRC 2018 EM and character F1 -----------------------------------------------------------


def _cmrc_text(value: object) -> str:
    """The official scorer runs `str()` over answers and predictions, so a gold answer of 1949 (a number) is "1949"."""
    return "" if value is None else str(value)


def cmrc_segments(text: object, *, remove_punct: bool = True) -> list[str]:
    """CMRC 2018 `mixed_segmentation`: each Chinese character alone, other runs split into words.

    The official script runs nltk.word_tokenize on the non-Chinese runs; a word/punctuation regex gives
    the same split for the digits and Latin words in answers without needing nltk's data download.
    """
    out: list[str] = []
    run = ""
    for ch in _cmrc_text(text).lower().strip():
        if remove_punct and ch in CMRC_PUNCT:
            continue
        if _HAN.match(ch) or ch in CMRC_PUNCT:
            out.extend(_LATIN_TOKEN.findall(run))
            run = ""
            out.append(ch)
        else:
            run += ch
    out.extend(_LATIN_TOKEN.findall(run))
    return out


def _lcs_len(a: Sequence[str], b: Sequence[str]) -> int:
    """Longest common *substring* length, as the CMRC script's find_lcs computes it."""
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                cur[j + 1] = prev[j] + 1
                best = max(best, cur[j + 1])
        prev = cur
    return best


def cmrc_f1(prediction: object, answers: Iterable[object]) -> float:
    """Max over gold answers of the LCS-based F1 on mixed segments (0..1)."""
    pred = cmrc_segments(prediction)
    scores = [0.0]
    for ans in answers:
        gold = cmrc_segments(ans)
        common = _lcs_len(gold, pred)
        if common:
            p, r = common / len(pred), common / len(gold)
            scores.append(2 * p * r / (p + r))
    return max(scores)


def _cmrc_strip(text: object) -> str:
    return "".join(ch for ch in _cmrc_text(text).lower().strip() if ch not in CMRC_PUNCT)


def cmrc_em(prediction: object, answers: Iterable[object]) -> float:
    """1.0 when the prediction equals a gold answer after CMRC's punctuation removal."""
    pred = _cmrc_strip(prediction)
    return 1.0 if any(pred == _cmrc_strip(a) for a in answers) else 0.0


# ---- refusals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefusalScores:
    precision: float | None  # of the cases the service refused, the share that should be refused
    recall: float | None  # of the cases that should be refused, the share it refused
    refused: int
    should_refuse: int
    correctly_refused: int
    undisclosed_expected: int
    undisclosed_hit: int  # expected `undisclosed` and answered `undisclosed`

    @property
    def undisclosed_rate(self) -> float | None:
        return self.undisclosed_hit / self.undisclosed_expected if self.undisclosed_expected else None


def refusal_scores(rows: Iterable[tuple[bool, str, str]]) -> RefusalScores:
    """rows: (answerable, expected status, actual status). Refused = status in not_found|undisclosed."""
    refused = should = correct = und_exp = und_hit = 0
    for answerable, expected, status in rows:
        did_refuse = status in REFUSED
        refused += did_refuse
        should += not answerable
        correct += did_refuse and not answerable
        if expected == "undisclosed":
            und_exp += 1
            und_hit += status == "undisclosed"
    return RefusalScores(
        precision=correct / refused if refused else None,
        recall=correct / should if should else None,
        refused=refused,
        should_refuse=should,
        correctly_refused=correct,
        undisclosed_expected=und_exp,
        undisclosed_hit=und_hit,
    )


# ---- citations ---------------------------------------------------------------------------------


def citation_valid(quote: str, doc_text: str | None, start: int, end: int) -> bool:
    """The quote is exactly the cleaned document's text at [start, end) and not empty."""
    return doc_text is not None and 0 <= start < end <= len(doc_text) and doc_text[start:end] == quote


def citation_validity(citations: Sequence[CitationLike], get_text: Callable[[str], str | None]) -> tuple[int, int]:
    """(valid, total) over a response's citations."""
    valid = sum(citation_valid(c.quote, get_text(c.doc_id), c.start, c.end) for c in citations)
    return valid, len(citations)


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    spans, pos = [], text.find(needle)
    while needle and pos >= 0:
        spans.append((pos, pos + len(needle)))
        pos = text.find(needle, pos + 1)
    return spans


def citation_supported(
    evidence: Sequence[str], citations: Sequence[CitationLike], get_text: Callable[[str], str | None]
) -> bool:
    """Some gold evidence string overlaps some citation span in the cited document."""
    for c in citations:
        text = get_text(c.doc_id)
        for ev in evidence:
            if text is not None and any(s < c.end and c.start < e for s, e in _occurrences(text, ev)):
                return True
            if ev and (ev in c.quote or (c.quote and c.quote in ev)):
                return True
    return False


def evidence_coverage(
    evidence: Sequence[str], citations: Sequence[CitationLike], get_text: Callable[[str], str | None]
) -> float:
    """Share of gold evidence strings overlapped by some citation (multi-part answers need each part)."""
    if not evidence:
        return 1.0
    return sum(citation_supported([ev], citations, get_text) for ev in evidence) / len(evidence)


def ungrounded_numbers(answer: str, quotes: Sequence[str]) -> list[str]:
    """Numbers the answer states that no cited quote contains (value + unit).

    Placeholders are never stated values on either side; dates are left to the date check (an
    inferred year is not an invented figure).
    """
    have = [v for q in quotes for v in stated_values(q)]
    return [
        m.text
        for m in extract_numbers(answer)
        if m.value is not None and not m.is_date and not any(same_number(m.value, h) for h in have)
    ]


# ---- retrieval ---------------------------------------------------------------------------------


def hit_has_evidence(hit_text: str, evidence: str) -> bool:
    needle = normalize_text(evidence)
    return bool(needle) and needle in normalize_text(hit_text)


def retrieval_scores(evidence: Sequence[str], hit_texts: Sequence[str], k: int) -> tuple[float, float]:
    """(recall@k, reciprocal rank): share of evidence strings found in the top-k hits; 1/rank of the first hit holding any."""
    if not evidence:
        return 1.0, 1.0
    top = list(hit_texts[:k])
    found = sum(any(hit_has_evidence(h, ev) for h in top) for ev in evidence)
    rr = next((1.0 / i for i, h in enumerate(hit_texts, 1) if any(hit_has_evidence(h, ev) for ev in evidence)), 0.0)
    return found / len(evidence), rr


# ---- summaries ---------------------------------------------------------------------------------


def field_score(expected: Any, actual: Any) -> float:
    """Generic summary-field accuracy in [0, 1].

    Lists: recall of expected items (each matched by any actual item). Dicts: mean over expected keys.
    Numbers written as text: value+unit match. Other strings and scalars: exact after normalisation.
    """
    if isinstance(expected, dict):
        if not expected:
            return 1.0
        got = actual if isinstance(actual, dict) else {}
        return sum(field_score(v, got.get(k)) for k, v in expected.items()) / len(expected)
    if isinstance(expected, (list, tuple)):
        if not expected:
            return 1.0
        items = list(actual) if isinstance(actual, (list, tuple)) else ([] if actual is None else [actual])
        return sum(any(field_score(e, a) == 1.0 for a in items) for e in expected) / len(expected)
    if expected is None:
        return 1.0 if actual in (None, "", []) else 0.0
    if isinstance(expected, bool) or isinstance(expected, (int, float)):
        return 1.0 if actual == expected else 0.0
    exp, act = str(expected), "" if actual is None else str(actual)
    if stated_values(exp) and len(normalize_text(exp)) <= 16:
        return 1.0 if same_number(exp, act) else 0.0
    return 1.0 if normalize_text(exp) == normalize_text(act) else 0.0


# ---- meeting summaries against gold/summaries.json ------------------------------------------------

_SCALARS = ("name", "meeting_type", "place", "region", "host")
_ITEM_LISTS = ("decisions", "honours", "slogans")


def _item_text(item: Any) -> str:
    return str(getattr(item, "text", None) or getattr(item, "value", None) or item)


def _recall(gold: Sequence[str], found: Sequence[str]) -> float:
    """Share of gold items some output item contains (punctuation-insensitive)."""
    if not gold:
        return 1.0 if not found else 0.0  # an empty gold list means the report gives none: output is invented
    return sum(any(contains_text(f, g) for f in found) for g in gold) / len(gold)


def _scalar(gold: Sequence[str] | None, field: Any) -> float:
    actual = getattr(field, "value", None) if field is not None else None
    if not gold:
        return 1.0 if actual is None else 0.0
    return 1.0 if actual is not None and any(normalize_text(actual) == normalize_text(g) for g in gold) else 0.0


def _date(gold: dict[str, Any] | None, field: Any) -> float:
    if not gold:
        return 1.0 if field is None else 0.0
    if field is None:
        return 0.0
    text_ok = any(matches_expected(field.text, g) for g in gold.get("text", []))
    iso = gold.get("iso")
    iso_ok = iso is None or str(getattr(field, "iso", None)) == iso
    return (text_ok + iso_ok) / 2


def _indicators(gold: Sequence[dict[str, Any]], found: Sequence[Any]) -> float:
    def hit(g: dict[str, Any], ind: Any) -> bool:
        name_ok = contains_text(ind.name, g["name"]) or contains_text(g["name"], ind.name)
        blob = " ".join([ind.value or "", ind.change or "", *ind.comparison])
        return name_ok and all(matches_expected(blob, g[key]) for key in ("value", "change", "rank") if g.get(key))

    if not gold:
        return 1.0
    return sum(any(hit(g, ind) for ind in found) for g in gold) / len(gold)


def score_summary(gold: dict[str, Any], summary: Any) -> dict[str, float]:
    """Per-field accuracy of a `MeetingSummary` against one gold entry (fields the gold omits are skipped)."""
    scores: dict[str, float] = {}
    for name in _SCALARS:
        if name in gold:
            scores[name] = _scalar(gold[name], getattr(summary, name, None))
    if "date" in gold:
        scores["date"] = _date(gold["date"], getattr(summary, "date", None))
    if "speakers" in gold:
        names = [s.name for s in summary.speakers if s.name]
        scores["speakers"] = _recall([s["name"] for s in gold["speakers"] if s.get("name")], names)
    if "attendance" in gold:
        counts = {k: v for k, v in gold["attendance"].items() if not isinstance(v, list) and k != "quorum_statement"}
        actual = summary.attendance.model_dump() if hasattr(summary.attendance, "model_dump") else {}
        scores["attendance"] = field_score(counts, actual)
        scores["attendance_leaders"] = _recall(gold["attendance"].get("leaders_present", []), actual.get("leaders_present", []))
    if "indicators" in gold:
        scores["indicators"] = _indicators(gold["indicators"], summary.indicators)
    if "undisclosed_indicators" in gold:
        hidden = [i.name for i in summary.indicators if i.undisclosed]
        wanted = gold["undisclosed_indicators"]
        scores["undisclosed_indicators"] = _recall(wanted, hidden) if wanted else 1.0
    for name in _ITEM_LISTS:
        if name in gold:
            scores[name] = _recall(gold[name], [_item_text(i) for i in getattr(summary, name, [])])
    if "tasks" in gold:
        items = [t.text for group in summary.tasks for t in group.items] + [g.heading or "" for g in summary.tasks]
        scores["tasks"] = _recall([i for g in gold["tasks"] for i in g["items"]], items)
    bounds = gold.get("placeholders")
    if bounds:
        low, high = bounds.get("min_count") or 0, bounds.get("max_count")
        count = getattr(summary, "placeholder_count", 0)
        scores["placeholders"] = 1.0 if low <= count and (high is None or count <= high) else 0.0
    return {k: round(v, 4) for k, v in scores.items()}
