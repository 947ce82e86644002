"""A question prepared once per request: validated, rewritten standalone, analysed, turned into retrieval queries.

Everything downstream (retrieval, the offline answerer, the LLM answerer, streaming) reads this record
instead of analysing the question again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from huiyi.index.records import SearchFilters
from huiyi.index.search import Mode
from huiyi.qa import analysis, history
from huiyi.qa.analysis import QuestionAnalysis, retrieval_query, validate_question
from huiyi.qa.asks import comparison_parts
from huiyi.qa.models import AskRequest, ChatTurn


@dataclass(frozen=True)
class PreparedQuestion:
    question: str  # as asked, validated
    history: tuple[ChatTurn, ...]
    standalone: str  # the follow-up rewritten to stand alone (the question itself when there is no history)
    analysis: QuestionAnalysis  # of `standalone`
    queries: tuple[str, ...]  # retrieval queries: as asked (hybrid), then lexical expansions (keyword-only)
    filters: SearchFilters | None = None
    asked: int = 1  # how many leading queries are questions as asked (the question, a comparison's per place)

    @property
    def modes(self) -> list[Mode]:
        first: list[Mode] = ["hybrid"] * self.asked
        rest: list[Mode] = ["keyword"] * (len(self.queries) - self.asked)
        return first + rest


def prepare(question: str, turns: Sequence[ChatTurn] = (), filters: SearchFilters | None = None,
            max_chars: int = 500) -> PreparedQuestion:
    """Validate, resolve the follow-up, analyse and build retrieval queries — once."""
    text = validate_question(question, max_chars)
    standalone = history.rewrite_question(text, turns)
    a = analysis.analyze(standalone)
    # As asked (a comparison also as asked of each place: "甘肃、重庆和广西哪个最高" reads three reports), then
    # with indicator and period synonyms, then one query per part of a multi-part question.
    places = comparison_parts(a)
    asked = list(dict.fromkeys([standalone, *(p.text for p in places)]))
    expanded = [retrieval_query(a), *(retrieval_query(p) for p in a.parts or places)]
    queries = asked + [q for q in dict.fromkeys(expanded) if q not in asked]
    return PreparedQuestion(text, tuple(turns), standalone, a, tuple(queries), filters, asked=len(asked))


def prepare_request(request: AskRequest, max_chars: int) -> PreparedQuestion:
    return prepare(request.question, request.history, request.filters, max_chars)
