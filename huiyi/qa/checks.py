"""Evidence checks of a sentence against the question: place, period, year, plenum, indicator, wording.

A check that fails rejects the sentence outright (None/False); the fits also feed the candidate score.
"""

from __future__ import annotations

import re
from functools import lru_cache

from huiyi.genre import vocabulary as lexicon
from huiyi.genre.meetings import PLENUM_RE
from huiyi.genre.periods import Period, find_periods, find_years
from huiyi.genre.places import region_stem
from huiyi.genre.sentences import clauses
from huiyi.qa.analysis import QuestionAnalysis, content_text
from huiyi.qa.evidence import Sentence, paragraph_of


def governing_period(context: str, before: int) -> Period | None:
    """The period a clause reports on: the last topic period (上半年, / 1-5月份,) before `before`."""
    found = [(p, s, e) for p, s, e in find_periods(context) if s < before]
    topic = [p for p, s, e in found if re.match(r"\s*(?:份)?\s*[,,]", context[e:e + 3])]
    if topic:
        return topic[-1]
    return found[-1][0] if found else None


def period_fit(a: QuestionAnalysis, context: str, pos: int) -> float | None:
    """1 when the asked period governs the clause, 0.5 when none is written, None on a conflict."""
    if not a.periods:
        return 1.0
    asked = a.periods[0].months
    gov = governing_period(context, pos)
    if gov is None:
        return 0.3
    return 1.0 if gov.months == asked else None


def year_fit(a: QuestionAnalysis, sent: Sentence) -> bool:
    if not a.years:
        return True
    written = set(find_years(sent.context))
    if written:
        return bool(written & set(a.years))
    section = set(find_years(" ".join(sent.doc.section_titles(sent.start))))
    if section:  # "二、2026年工作安排": the heading's year governs its sentences
        return bool(section & set(a.years))
    if sent.doc.years:
        return bool(sent.doc.years & set(a.years))
    return any(str(y) in sent.doc.text for y in a.years)


def region_fit(a: QuestionAnalysis, sent: Sentence) -> bool:
    para = paragraph_of(sent)
    for region in a.regions:
        stem = region_stem(region)
        if stem not in para and stem not in sent.doc.regions and stem not in sent.doc.title:
            return False
    return True


def meeting_fit(a: QuestionAnalysis, sent: Sentence) -> bool:
    """A plenum or numbered meeting the question names (十四届四次全会, 第38次常务会议) must be one the document
    is about: a document about no such meeting, or about another, does not answer for it."""
    if not a.meetings:
        return True
    return bool(set(a.meetings) & sent.doc.meetings)


def indicator_fit(a: QuestionAnalysis, context: str) -> tuple[float, int]:
    """(fit, position of the best indicator term in context); fit 0 when the asked indicator is absent."""
    if not a.indicators:
        return 1.0, -1
    best, pos = 0.0, -1
    for key, _term, s, _e in lexicon.find_indicators(context):
        fit = max(lexicon.indicator_fit(asked, key) for asked in a.indicators)
        if fit > best:
            best, pos = fit, s
    return best, pos


def _content_words(a: QuestionAnalysis) -> tuple[str, ...]:
    """Keywords that must be in the evidence itself: places, periods, years and plenums are checked apart."""
    return _words(a.text, a.keywords, a.regions, tuple(p.text for p in a.periods), a.years, a.titles)


@lru_cache(maxsize=1024)
def _words(text, keywords, regions, periods, years, titles) -> tuple[str, ...]:
    skip = [region_stem(r) for r in regions] + list(periods) + [str(y) for y in years]
    skip += [m.group(0) for m in PLENUM_RE.finditer(text)]
    words = [w.lower() for w in keywords if not any(w in s or s in w for s in skip)]
    words += [t for t in titles if t not in words]
    return tuple(words)


def lexical_fit(a: QuestionAnalysis, text: str) -> float:
    """Share of the question's content (weighted by length) that the text contains."""
    words = _content_words(a)
    if not words:
        return 0.5
    lowered = text.lower()
    return sum(len(w) for w in words if w in lowered) / sum(len(w) for w in words)


@lru_cache(maxsize=1024)
def question_grams(question: str) -> frozenset[str]:
    content = re.sub(r"\s+", "", content_text(PLENUM_RE.sub(" ", question)))
    return frozenset(content[i:i + 2] for i in range(len(content) - 1))


def bigram_fit(a: QuestionAnalysis, text: str) -> float:
    """Character-bigram recall of the question content: robust to segmentation and paraphrase order."""
    grams = question_grams(a.text)
    if not grams:
        return 0.0
    return sum(g in text for g in grams) / len(grams)


def clause_fit(a: QuestionAnalysis, text: str) -> float:
    return lexical_fit(a, text) + bigram_fit(a, text)


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # without pypinyin a romanised name matches nothing: refuse rather than guess
        return ""
    return "".join(lazy_pinyin(text)).lower()


def romanised_fit(a: QuestionAnalysis, sent: Sentence) -> bool:
    """"Hengdong" in an English question must be the pinyin of a place the document is about."""
    names = [n.lower() for n in a.unknown_names]
    if not names:
        return True
    places = {_pinyin(r) for r in sent.doc.regions}
    return all(n in places for n in names)


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    for s, e in clauses(text):
        if s <= pos < e:
            return s, e
    return 0, len(text)


def _clause_around(text: str, pos: int) -> str:
    for s, e in clauses(text):
        if s <= pos < e:
            return text[s:e]
    return text


def predicate_near(text: str, start: int, end: int) -> str:
    """The predicate of a span: the rest of its clause, or the next clause when the rest is too short."""
    bounds = clauses(text)
    for i, (s, e) in enumerate(bounds):
        if s <= start < e:
            rest = text[end:e]
            if len(rest.strip()) < 4 and i + 1 < len(bounds):
                rest += text[bounds[i + 1][0]:bounds[i + 1][1]]
            return text[s:start] + rest
    return text
