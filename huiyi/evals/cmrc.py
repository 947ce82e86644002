"""CMRC 2018 trial as a general-domain control: each question answered over its own passage, scored the official way.

The passage is the only search hit, so this measures answer extraction, not retrieval. A fixed split by
passage (the parity of sha256(context_id)) gives a development half and a test half. Scores follow the
CMRC 2018 official script (huiyi/evals/metrics.py): EM after punctuation removal, F1 over mixed segments
via the longest common substring, max over the human answers; a refusal scores as the empty prediction,
as a skipped question does in the official script.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huiyi.config import REPO_DIR
from huiyi.evals import metrics as m

CMRC_TRIAL = REPO_DIR / "benchmarks" / "data" / "cmrc2018" / "cmrc2018_trial.json"

# (type, interrogative pattern), first match wins: 为什么 before 什么, 哪一年 before 哪, 哪几种 before 几.
QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("why", r"(?<![称作成视名改认之以现誉聘编算因选封])为什么|为何|什么原因|原因是"),  # not 称之为什么 ("is called what")
        ("year", r"哪一?年|何年|什么年份?|哪个年份"),
        ("when", r"何时|什么时候|什么时间|什么时期|哪个时期|哪一?天|几月|几号|几点|(?:时间|日期|时候)是?[?？]?$"),
        ("who", r"谁|哪一?位|何人|什么人"),
        ("where", r"哪里|哪儿|在哪(?![个部些种家所位一本首项场座条次])|哪[些个]?(?:地区|地方|城市|省份|位置)|(?<!如)何处|何地|什么地方|什么位置|位于何"),
        ("which", r"哪几|哪些"),
        ("number", r"多少|多大|多高|多长|多远|多重|多深|多宽|多快|多久|几"),
        ("how", r"如何|怎么|怎样|怎能"),
        ("which", r"哪"),
        ("whether", r"是否|吗[?？]?$|有没有|是不是|能否"),
        ("what", r"什么|何"),
    )
)


def question_type(question: str) -> str:
    """The interrogative class of a CMRC question: who, where, when, year, number, what, which, why, how, whether or other."""
    for name, pattern in QUESTION_TYPES:
        if pattern.search(question):
            return name
    return "other"


def split_of(context_id: str) -> str:
    """dev or test, fixed by the passage id so a passage's questions never straddle the split."""
    return "dev" if int(hashlib.sha256(context_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


@dataclass(frozen=True)
class CmrcQuestion:
    query_id: str
    question: str
    answers: tuple[Any, ...]  # as in the file: strings, though the official scorer accepts anything str() can print
    context_id: str
    title: str
    passage: str

    @property
    def qtype(self) -> str:
        return question_type(self.question)


def load_questions(path: Path = CMRC_TRIAL, split: str | None = None) -> list[CmrcQuestion]:
    """The questions of one split (dev, test) or of every passage (None), in file order."""
    passages = json.loads(path.read_text(encoding="utf-8"))
    return [
        CmrcQuestion(qa["query_id"], qa["query_text"], tuple(qa["answers"]), p["context_id"], p.get("title", ""), p["context_text"])
        for p in passages
        if split is None or split_of(p["context_id"]) == split
        for qa in p["qas"]
    ]


@dataclass(frozen=True)
class Prediction:
    text: str  # "" for a refusal
    status: str


# A reader answers one question from one passage: (question, passage) → prediction.
Reader = Callable[[CmrcQuestion], Prediction]


def offline_reader(q: CmrcQuestion) -> Prediction:
    """The offline answerer with the passage as its only source (the path benchmarks/cmrc_answer.py has always measured)."""
    from huiyi.errors import HuiyiError
    from huiyi.qa.extractive import answer_text

    try:
        resp = answer_text(q.question, q.passage, q.context_id, q.title)
    except HuiyiError as exc:  # the trial has empty questions; a user sending one gets an error, so does this
        return Prediction("", f"error: {exc.code}")
    return Prediction(resp.answer if resp.status == "answered" else "", resp.status)


@dataclass(frozen=True)
class CmrcResult:
    query_id: str
    question: str
    qtype: str
    answers: tuple[str, ...]
    prediction: str
    status: str
    em: float
    f1: float
    latency_ms: float


def score_question(q: CmrcQuestion, reader: Reader) -> CmrcResult:
    t0 = time.perf_counter()
    pred = reader(q)
    latency = round((time.perf_counter() - t0) * 1000, 2)
    return CmrcResult(q.query_id, q.question, q.qtype, tuple(str(a) for a in q.answers), pred.text, pred.status,
                      m.cmrc_em(pred.text, q.answers), m.cmrc_f1(pred.text, q.answers), latency)


def aggregate(results: Sequence[CmrcResult]) -> dict[str, float | int | None]:
    """EM and F1 in percent, as the CMRC authors report them; refusals count as empty predictions."""
    latencies = sorted(r.latency_ms for r in results)
    return {
        "questions": len(results),
        "em": _pct(r.em for r in results),
        "f1": _pct(r.f1 for r in results),
        "answered_f1": _pct(r.f1 for r in results if r.prediction),
        "refused": sum(not r.prediction for r in results),
        "latency_p50_ms": latencies[len(latencies) // 2] if latencies else None,
        "latency_p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else None,
    }


def by_type(results: Sequence[CmrcResult]) -> dict[str, dict[str, float | int | None]]:
    table = {}
    for qtype in sorted({r.qtype for r in results}, key=lambda t: (-sum(r.qtype == t for r in results), t)):
        rows = [r for r in results if r.qtype == qtype]
        table[qtype] = {"n": len(rows), "em": _pct(r.em for r in rows), "f1": _pct(r.f1 for r in rows),
                        "refused": sum(not r.prediction for r in rows)}
    return table


def _pct(values: Iterable[float]) -> float | None:
    vals = list(values)
    return round(100 * statistics.fmean(vals), 2) if vals else None
