"""Whether a sentence is about what a question asks, beyond sharing its place and time.

A retrieval system always returns *something*; the best sentence for "今天天气怎么样?" is still some sentence
with 今天 in it. Two general checks keep such questions refused:

- the sentence (with its document's title and the section headings above it) must hold at least one of the
  question's topic words — its content words other than places, years, periods and bare time words;
- a question that names none of the report world's anchors (a place, year, period, indicator, role, meeting)
  and is not asked within chosen documents needs most of its content words in the sentence: without an
  anchor, only a close match is evidence that the reports speak to it at all.
"""

from __future__ import annotations

import re

from huiyi.qa.analysis import QuestionAnalysis
from huiyi.qa.evidence import Sentence

UNANCHORED_MIN_LEX = 0.5  # share of content words an unanchored question needs in its sentence
_TIME_WORD = re.compile(r"^(?:今|明|昨|前|后|去|本|当|上|下|每)?(?:天|日|年|月|季|周|期)(?:度|末|初|底|中)?$|^\d{2,4}年?$")


def topic_words(a: QuestionAnalysis) -> tuple[str, ...]:
    """The question's content words that are neither where nor when: what it asks about."""
    framing = [*a.regions, *(p.text for p in a.periods), *(str(y) for y in a.years)]
    return tuple(w for w in a.keywords
                 if not _TIME_WORD.match(w) and not any(w in f or f in w for f in framing))


def anchored(a: QuestionAnalysis) -> bool:
    """The question names something the reports are organised by: a place, a time, an indicator, a role, a
    meeting, or a quoted term."""
    return bool(a.regions or a.years or a.periods or a.indicators or a.titles or a.meetings
                or re.search(r"[“\"「『][^”\"」』]{2,}[”\"」』]", a.text))


def about(a: QuestionAnalysis, sent: Sentence, features: dict[str, float], scoped: bool) -> bool:
    """The candidate sentence speaks to the question's topic (see the module's docstring)."""
    words = topic_words(a)
    if words and not (a.indicators and features.get("indicator", 0.0) >= 1.0):  # GDP named as 地区生产总值
        doc = sent.doc
        where = "\n".join([doc.title, *doc.section_titles(sent.start), sent.context])
        if not any(w in where for w in words):
            return False
    if not scoped and not anchored(a) and features.get("lex", 0.0) < UNANCHORED_MIN_LEX:
        return False
    return True
