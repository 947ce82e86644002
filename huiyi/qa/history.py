"""Follow-up resolution: "那前三季度呢?" / "固定资产投资呢?" / "他还强调了什么?" become standalone questions.

Slots carried from the previous standalone question: place, period, indicator, role title. An elliptical
follow-up replaces the slots it names and keeps the rest; a full follow-up only inherits the place and has
its pronouns resolved to the person last named (in the previous answer, else the previous question).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from huiyi.genre import vocabulary as lexicon
from huiyi.genre.meetings import MEETING_NOUN, find_plenums
from huiyi.genre.people import find_titles, person_name, persons
from huiyi.genre.periods import find_periods
from huiyi.genre.places import named_places
from huiyi.qa.analysis import normalize
from huiyi.qa.models import ChatTurn

_PRONOUN_RE = re.compile(r"他们|她们|他|她|该同志|这位领导|这位同志|此人")
_PLACE_PRONOUN_RE = re.compile(r"该县|该区|该市|这个县|这个区|这个市|当地|那里")
_MEETING_WORD = re.compile(MEETING_NOUN + r"|讲话|报告|通知|公报")
_LEAD_RE = re.compile(r"^(?:那么|那|还有|另外|再问一下|再问|然后)[,,]?")
_TAIL_RE = re.compile(r"(?:的情况|情况|的)?(?:怎么样|如何|呢|吗)?[??。.!!\s]*$")


def rewrite_question(question: str, history: Sequence[ChatTurn] = ()) -> str:
    """The standalone form of `question` given the earlier turns (unchanged when there are none)."""
    previous, answer = None, ""
    for turn in history:
        if turn.role == "user" and turn.content.strip():
            previous = _resolve(normalize(turn.content), previous, answer)
        elif turn.role == "assistant":
            answer = turn.content
    return _resolve(normalize(question), previous, answer) if previous or answer else question


def _slots(text: str) -> dict[str, list[tuple[str, int, int]]]:
    return {
        "period": [(p.text, s, e) for p, s, e in find_periods(text)],
        "region": named_places(text),
        "indicator": [(t, s, e) for _k, t, s, e in lexicon.find_indicators(text)],
        "title": [(t, text.find(t), text.find(t) + len(t)) for t in find_titles(text)],
    }


def _is_elliptical(q: str, slots) -> bool:
    rest = _TAIL_RE.sub("", _LEAD_RE.sub("", q))
    for items in slots.values():
        for text, _s, _e in items:
            rest = rest.replace(text, "")
    return len(rest.strip(" ,,、和与")) <= 2 and any(slots.values())


def _resolve(q: str, previous: str | None, answer: str) -> str:
    q = _resolve_pronouns(q, previous, answer)
    if previous is None:
        return q
    slots, prev_slots = _slots(q), _slots(previous)
    if _is_elliptical(q, slots):
        return _merge(previous, prev_slots, slots)
    if not slots["region"] and prev_slots["region"]:
        region = prev_slots["region"][0][0]
        if _PLACE_PRONOUN_RE.search(q):
            return _PLACE_PRONOUN_RE.sub(region, q)
        if not _anchored(q):  # history fills gaps only: a question that names its meeting stands alone
            return region + q
    return q


def _anchored(q: str) -> bool:
    """The question names what it is about: a meeting, a plenum, a speech or report, a role."""
    return bool(_MEETING_WORD.search(q) or find_plenums(q) or find_titles(q))


def _merge(previous: str, prev_slots, slots) -> str:
    """The previous question with each slot the follow-up names swapped in (or added)."""
    out = previous
    for name in ("period", "region", "indicator", "title"):
        new = slots[name]
        if not new:
            continue
        value = "和".join(t for t, _s, _e in new)
        old = prev_slots[name]
        if old:
            out = out.replace(old[0][0], value, 1)
        elif name == "region":
            out = value + out
        elif name == "period":
            regions = _slots(out)["region"]
            at = regions[0][2] if regions else 0
            out = out[:at] + value + out[at:]
        else:
            out = value + out
    return out


def _resolve_pronouns(q: str, previous: str | None, answer: str) -> str:
    if not _PRONOUN_RE.search(q):
        return q
    for source in (answer, previous or ""):
        people = persons(source)
        if people:
            return _PRONOUN_RE.sub(person_name(people[-1]), q, count=1)
    return q
