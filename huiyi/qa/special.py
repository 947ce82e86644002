"""Question kinds answered by their own reading rather than by one best sentence.

Each handler takes the `Reading` of a question and returns a response, or None when the question is not
of its kind. They run in order before the general reading.
"""

from __future__ import annotations

from collections.abc import Callable

from huiyi.qa.compare import answer_compare
from huiyi.qa.doclevel import answer_doclevel
from huiyi.qa.lists import answer_list
from huiyi.qa.models import AskResponse
from huiyi.qa.reading import Reading

Handler = Callable[[Reading], AskResponse | None]

SPECIAL_KINDS: tuple[Handler, ...] = (answer_compare, answer_doclevel, answer_list)


def answer_special(reading: Reading) -> AskResponse | None:
    """The first special kind's response to the question, or None (then the general reading answers)."""
    for handler in SPECIAL_KINDS:
        response = handler(reading)
        if response is not None:
            return response
    return None
