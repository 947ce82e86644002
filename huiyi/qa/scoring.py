"""How likely a candidate answer is right: a logistic model over its evidence features, fitted on data.

The weights live in `weights.json` beside this module, written by `benchmarks/fit_answerer.py` from the
development parts of the gold sets only (never their test parts); that file records what it was fitted
on. The refusal threshold is calibrated on the same development data and stored with the weights.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

WEIGHTS = Path(__file__).with_name("weights.json")

# Every feature a candidate carries, each in [0, 1]. Order matters only for the fitting script's matrix.
FEATURES: tuple[str, ...] = (
    "lex",  # share of the question's content words in the sentence (with the document title)
    "bigram",  # share of the question's character bigrams in the sentence
    "local",  # the same, in the clause around the answer span
    "indicator",  # the asked indicator named (1), a narrower one (0.6), none asked (1)
    "period",  # the asked period governs the figure (1), none written (0.3), none asked (1)
    "typed",  # a span of the asked type, not just a matching sentence
    "rank",  # 1 / (1 + rank of the best retrieved chunk holding the sentence)
    "retrieved",  # the sentence is in a retrieved chunk (not found by expansion)
    "year_written",  # the asked year is written in the sentence
    "place_written",  # the asked place is written in the sentence's paragraph
    "goal",  # the figure is stated as a goal (目标, 左右, 以上 …)
    "asked_goal",  # the question asks for a goal
    "short",  # 1 / (1 + characters of the answer / 40): the span, not the sentence
    "kind_number", "kind_person", "kind_place", "kind_date", "kind_list", "kind_clause",
)

# Until weights are fitted the score is this hand-set mixture (the previous release's).
HAND_WEIGHTS = {"lex": 0.3, "bigram": 0.2, "local": 0.2, "indicator": 0.1, "period": 0.1, "typed": 0.05, "rank": 0.05}
HAND_THRESHOLD = 0.2


@lru_cache(maxsize=1)
def model() -> tuple[dict[str, float], float, float, bool]:
    """(weights, bias, threshold, fitted) — the fitted model when weights.json exists."""
    if not WEIGHTS.exists():
        return HAND_WEIGHTS, 0.0, HAND_THRESHOLD, False
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return dict(data["weights"]), float(data["bias"]), float(data["threshold"]), True


def score(features: dict[str, float]) -> float:
    """P(the candidate answers the question), or the hand mixture before fitting."""
    weights, bias, _, fitted = model()
    z = bias + sum(w * features.get(name, 0.0) for name, w in weights.items())
    if not fitted:
        return z
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def threshold() -> float:
    return model()[2]
