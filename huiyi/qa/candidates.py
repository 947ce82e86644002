"""Candidate sentences for a question, each checked and scored, with the answer it would give.

A candidate is rejected outright (not merely scored low) when it contradicts the question: another
place, another period or year, a missing indicator, a missing role, or no span of the asked type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from huiyi.genre import vocabulary as lexicon
from huiyi.genre.numbers import extract_numbers
from huiyi.genre.periods import find_years
from huiyi.genre.places import region_stem
from huiyi.index.records import SearchHit
from huiyi.qa import scoring
from huiyi.qa.analysis import QuestionAnalysis
from huiyi.qa.checks import (
    bigram_fit,
    clause_fit,
    indicator_fit,
    lexical_fit,
    meeting_fit,
    period_fit,
    predicate_near,
    question_grams,
    region_fit,
    romanised_fit,
    year_fit,
)
from huiyi.qa.evidence import QUOTE_MAX_CHARS, DocInfo, Sentence, context_start, paragraph_of
from huiyi.qa.figures import (
    in_plan_section,
    is_average,
    is_placeholder,
    is_target,
    number_answer,
    number_answer_local,
    number_span,
    wants_target,
)
from huiyi.qa.typed import typed_span


@dataclass
class Candidate:
    sentence: Sentence
    score: float
    answer: str
    kind: str  # number | person | org | place | date | list | slogan | clause | placeholder
    quote_start: int
    quote_end: int
    placeholder: bool = False
    features: dict[str, float] = field(default_factory=dict)
    extra_quotes: list[tuple[int, int]] = field(default_factory=list)  # further sentences an answer lists


EXPAND_SENTENCES = 40
PREFILTER_SENTENCES = 120  # per document, by shared question bigrams, before the full fit  # sentences taken from outside the retrieved chunks, best keyword match first


def candidate_sentences(hits: list[SearchHit], docs: dict[str, DocInfo],
                        analysis: QuestionAnalysis | None = None) -> list[Sentence]:
    """Sentences of the retrieved chunks, plus (given the question) the best-matching other sentences of the
    same documents: a chunk boundary or a missed chunk should not hide the sentence right next to a hit."""
    seen: dict[tuple[str, int], Sentence] = {}
    for rank, hit in enumerate(hits):
        doc = docs[hit.doc_id]
        for s, e in doc.sentences:
            if e <= hit.start or s >= hit.end or (hit.doc_id, s) in seen:
                continue
            seen[(hit.doc_id, s)] = Sentence(doc, hit.chunk_id, s, e, rank, context_start(doc.text, s))
    if analysis is None:
        return list(seen.values())
    chunk_of = {h.doc_id: h.chunk_id for h in reversed(hits)}
    grams = question_grams(analysis.text)
    extra = []
    for doc_id, doc in docs.items():
        shared = doc.sentences_sharing(grams)
        # only sentences sharing the most question bigrams are worth the full fit (long reports: hundreds)
        for i in sorted(shared, key=lambda i: -shared[i])[:PREFILTER_SENTENCES]:
            s, e = doc.sentences[i]
            if (doc_id, s) not in seen:
                sent = Sentence(doc, chunk_of[doc_id], s, e, len(hits), context_start(doc.text, s), retrieved=False)
                fit = lexical_fit(analysis, sent.context) + bigram_fit(analysis, sent.context)
                if analysis.indicators:  # a paraphrased question still names the indicator through a synonym
                    fit += 0.5 * indicator_fit(analysis, sent.context)[0]
                extra.append((fit, sent))
    extra.sort(key=lambda x: -x[0])
    return list(seen.values()) + [sent for fit, sent in extra[:EXPAND_SENTENCES] if fit > 0.3]


UNDISCLOSED = "报告未披露具体数值(原文以“X”代替)。"


UNDISCLOSED_TEMPLATE = "报告未披露具体数值(原文此处为模板占位数字,不是实际数值)。"


def evaluate(a: QuestionAnalysis, sent: Sentence) -> Candidate | None:
    """Check one sentence against the question; a Candidate with its answer, or None when it contradicts it."""
    if not romanised_fit(a, sent):
        return None
    if not region_fit(a, sent) or not year_fit(a, sent) or not meeting_fit(a, sent):
        return None
    ctx, off = sent.context, sent.ctx_start
    ind, _ = indicator_fit(a, ctx)
    if ind == 0:
        return None
    placeholder, extra_quotes, goal = False, [], False
    if a.qtype == "how_much" or (a.unit and a.qtype in ("what", "compare")):
        found = number_span(a, sent)
        if found is None:
            return None
        m, term, local = found
        stated_goal = is_target(sent, m)
        asked_goal = wants_target(a, sent)
        goal = stated_goal
        if asked_goal and not (stated_goal or in_plan_section(sent)):
            return None  # a result where a goal is asked
        if stated_goal and not asked_goal and (a.years or a.periods):
            return None  # a goal where the result of a year or period is asked
        if stated_goal and a.periods and not any(p.text in ctx for p in a.periods):
            return None  # a whole year's goal does not answer for its first half
        if is_average(sent, m) and not a.average and (a.years or a.periods):
            return None  # 年均 over five years is not the figure of one year
        placeholder = is_placeholder(m, sent)
        if term is not None and a.indicators:
            ind = max(lexicon.indicator_fit(k, term[0]) for k in a.indicators)
        answer, left = number_answer(sent, m, term)
        pos, kind = m.start, "number"
        if placeholder:
            answer = UNDISCLOSED if m.placeholder else UNDISCLOSED_TEMPLATE
            kind = "placeholder"
        q_start = min(off + left, sent.start)
        if sent.end - q_start > QUOTE_MAX_CHARS:
            q_start = sent.start
            answer = answer if placeholder or off + left >= sent.start else number_answer_local(sent, m)
    else:
        found = typed_span(a, sent)
        if found is None:
            return None
        answer, kind, s, e, extra_quotes = found
        kept = _cut_placeholder(answer)
        if kept is None:
            return None
        answer = kept
        pos, q_start = sent.start - off + s, min(sent.start, sent.start + s)
        local = 2.0 if extra_quotes and kind == "list" else clause_fit(a, predicate_near(sent.text, s, e))
    pfit = period_fit(a, ctx, pos)
    if pfit is None:
        return None
    lex, big = lexical_fit(a, ctx + " " + sent.doc.title), bigram_fit(a, ctx)
    features = {
        "lex": lex, "bigram": big, "local": min(local, 2.0) / 2, "indicator": ind, "period": pfit,
        "typed": 0.0 if kind == "clause" else 1.0, "rank": 1 / (1 + sent.rank),
        "retrieved": 1.0 if sent.retrieved else 0.0,
        "year_written": 1.0 if a.years and set(find_years(ctx)) & set(a.years) else 0.0,
        "place_written": 1.0 if a.regions and all(region_stem(r) in paragraph_of(sent) for r in a.regions) else 0.0,
        "goal": 1.0 if goal else 0.0, "asked_goal": 1.0 if a.target else 0.0,
        "short": 1 / (1 + len(answer) / 40),
        **{f"kind_{k}": 1.0 if kind == k or (k == "number" and kind == "placeholder") else 0.0
           for k in ("number", "person", "place", "date", "list", "clause")},
    }
    score = scoring.score(features)
    return Candidate(sent, score, answer, kind, q_start, sent.end, placeholder, features, extra_quotes)


def _cut_placeholder(answer: str) -> str | None:
    """A list or clause answer stops before a placeholder value (彭水X个重点县 → 彭水): it is never stated."""

    held = [m for m in extract_numbers(answer) if m.placeholder]
    if not held:
        return answer
    cut = answer[:held[0].start].rstrip(",,、;;和及与等")
    return cut + "。" if len(cut) >= 2 else None


def best_candidates(a: QuestionAnalysis, sentences: list[Sentence]) -> list[Candidate]:
    cands = [c for c in (evaluate(a, s) for s in sentences) if c is not None]
    return sorted(cands, key=lambda c: -c.score)
