"""Input hygiene for free text from outside: NFC-normalised, no code points that cannot be text.

A lone surrogate ("\\ud800", legal in JSON escapes and in Python strings) cannot be encoded, embedded or
stored and used to crash /ask with a 500; control characters and noncharacters are never part of a
question. Refused with 422 `invalid_characters` before anything is embedded; the input is not echoed.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic_core import PydanticCustomError

from huiyi.errors import BadInput

# Surrogates, C0/C1 controls other than tab/newline/carriage return, and Unicode noncharacters.
_INVALID = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
MESSAGE = "文本含有无效字符(如孤立代理项或控制字符)/ the text contains invalid characters (lone surrogates or control codes)."


def invalid_characters(text: str) -> bool:
    return bool(_INVALID.search(text))


def clean(text: str, field: str = "text", max_chars: int | None = None) -> str:
    """NFC-normalised `text`; BadInput (422) for invalid characters or more than `max_chars`."""
    if invalid_characters(text):
        raise BadInput(f"{field}: {MESSAGE}", code="invalid_characters")
    text = unicodedata.normalize("NFC", text)
    if max_chars is not None and len(text) > max_chars:
        raise BadInput(f"{field} 过长(上限 {max_chars} 字)/ {field} is over {max_chars} characters.", code="too_long")
    return text


def pydantic_clean(text: str) -> str:
    """For `AfterValidator`: the same check inside a request model (reported as `invalid_characters`)."""
    if invalid_characters(text):
        raise PydanticCustomError("invalid_characters", MESSAGE)
    return unicodedata.normalize("NFC", text)
