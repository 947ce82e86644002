"""Answer spans by type inside one sentence: person with title, organisation, place, date, list, slogan.

Offsets are relative to the string passed in; callers add the sentence's document offset.
"""

from __future__ import annotations

import re

from huiyi.genre.spans import Span

_ORG_RE = re.compile(r"由(?P<org>[^,,。;;由]{2,16}?)(?:主持|召集|牵头|负责|组织|承办|主办)")


def organisations(text: str) -> list[Span]:
    return [Span(m.start("org"), m.end("org"), m.group("org"), "org") for m in _ORG_RE.finditer(text)]


_PLACE_RE = re.compile(r"在(?P<place>[^,,。;;在]{2,24}?)(?:隆重)?(?:召开|举行|举办|开幕|开展|进行|召集)")


def places(text: str) -> list[Span]:
    return [Span(m.start("place"), m.end("place"), m.group("place"), "place") for m in _PLACE_RE.finditer(text)]


_DATE_RE = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日(?:上午|下午|晚上|晚|早上)?"
    r"|(?<!\d)(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}(?!\d)"
    r"|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?!\s*\d{1,2}\s*日)"
)


def dates(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(0), "date") for m in _DATE_RE.finditer(text)]


_QUOTE_RE = re.compile(r"“[^“”]{2,40}”|《[^《》]{2,60}》")


def slogans(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(0), "slogan") for m in _QUOTE_RE.finditer(text)]


_ENUM_ITEM = r"[^,,。;;、::]{1,24}"
_ENUM_RE = re.compile(rf"{_ENUM_ITEM}(?:、{_ENUM_ITEM})+")


def enumerations(text: str) -> list[Span]:
    """Runs of items separated by 、 (夏某、颜某、钱某…) — the usual shape of a list answer."""
    return [Span(m.start(), m.end(), m.group(0), "list") for m in _ENUM_RE.finditer(text)]
