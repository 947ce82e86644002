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
from huiyi.qa.models import AskRequest, ChatTurn


@dataclass(frozen=True)
class PreparedQuestion:
    question: str  # as asked, validated
    history: tuple[ChatTurn, ...]
    standalone: str  # the follow-up rewritten to stand alone (the question itself when there is no history)
    analysis: QuestionAnalysis  # of `standalone`
    queries: tuple[str, ...]  # retrieval queries: as asked (hybrid), then lexical expansions (keyword-only)
    filters: SearchFilters | None = None

    @property
    def modes(self) -> list[Mode]:
        first: list[Mode] = ["hybrid"]
        rest: list[Mode] = ["keyword"] * (len(self.queries) - 1)
        return first + rest


def prepare(question: str, turns: Sequence[ChatTurn] = (), filters: SearchFilters | None = None,
            max_chars: int = 500) -> PreparedQuestion:
    """Validate, resolve the follow-up, analyse and build retrieval queries — once."""
    text = validate_question(question, max_chars)
    standalone = history.rewrite_question(text, turns)
    a = analysis.analyze(standalone)
    # As asked, then with indicator and period synonyms, then one query per part of a multi-part question.
    queries = [standalone, retrieval_query(a), *(retrieval_query(p) for p in a.parts)]
    return PreparedQuestion(text, tuple(turns), standalone, a, tuple(dict.fromkeys(queries)), filters)


def prepare_request(request: AskRequest, max_chars: int) -> PreparedQuestion:
    return prepare(request.question, request.history, request.filters, max_chars)
