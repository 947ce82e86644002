"""The "answer" string of a JSON reply while it streams, for the SSE `delta` frames.

The reply is parsed as it grows with pydantic_core's partial JSON parser (escapes and \\u sequences split
across deltas are handled there); `[n]` source markers split across deltas are held back until whole.
"""

from __future__ import annotations

from pydantic_core import from_json

from huiyi.qa.llm_verify import MARKERS


class AnswerField:
    """Pulls the value of the top-level "answer" key out of a JSON reply while it streams."""

    def __init__(self) -> None:
        self._buf = ""
        self._sent = 0  # characters of the decoded answer already handed out (held ones included)
        self._done = False
        self._hold = ""

    def feed(self, delta: str) -> str:
        self._buf += delta
        if self._done:
            return ""
        value, done = self._answer()
        if value is None:
            return ""
        new, self._sent = value[self._sent:], len(value)
        self._done = done
        return self._emit(new)

    def flush(self) -> str:
        held, self._hold = self._hold, ""
        return MARKERS.sub("", held)

    def _answer(self) -> tuple[str | None, bool]:
        """(the answer so far, whether its string is closed), or (None, False) before it starts."""
        start = self._buf.find("{")
        if start < 0:
            return None, False
        body = self._buf[start:]
        try:
            partial = from_json(body, allow_partial="trailing-strings")
            closed = from_json(body, allow_partial=True)  # drops a string still open
        except ValueError:
            return None, False
        if not isinstance(partial, dict) or not isinstance(partial.get("answer"), str):
            return None, False
        return partial["answer"], isinstance(closed, dict) and isinstance(closed.get("answer"), str)

    def _emit(self, text: str) -> str:
        text = self._hold + text
        self._hold = ""
        if not self._done:
            at = text.rfind("[")
            if at >= 0 and "]" not in text[at:] and len(text) - at <= 8:
                text, self._hold = text[:at], text[at:]
        else:
            text = text.rstrip()
        return MARKERS.sub("", text)
