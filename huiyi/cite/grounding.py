"""Grounding in code, for both answer modes: every number stated must be in a cited quote, every quote verbatim."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from huiyi.cite.models import Citation, Grounding
from huiyi.index.records import DocumentMeta


def _quoted_symbol(text: str, start: int, end: int) -> bool:
    """“X” names the placeholder symbol (原文以“X”代替); it states no value."""
    return start > 0 and end < len(text) and text[start - 1] in "“\"'‘「" and text[end] in "”\"'’」"


def verify_citations(citations: Iterable[Citation], get_text: Callable[[str], str]) -> list[str]:
    """Descriptions of citations whose quote is not the document's text at its offsets."""
    bad = []
    for c in citations:
        try:
            text = get_text(c.doc_id)
        except Exception:  # an unknown document is a failed citation, not a crash
            bad.append(f"quote {c.doc_id}[{c.start}:{c.end}] (document not found)")
            continue
        if not (0 <= c.start < c.end <= len(text)) or text[c.start:c.end] != c.quote:
            bad.append(f"quote {c.doc_id}[{c.start}:{c.end}]")
    return bad


def _quote_values(citations: Iterable[Citation], get_meta: Callable[[str], DocumentMeta] | None) -> list:
    from huiyi.genre.numbers import extract_numbers

    values = []
    for c in citations:
        held = []
        if get_meta is not None:
            try:
                held = [(p.start, p.end) for p in get_meta(c.doc_id).placeholders]
            except Exception:
                held = []
        for m in extract_numbers(c.quote):
            s, e = c.start + m.start, c.start + m.end
            if m.placeholder or m.value is None or any(ps < e and s < pe for ps, pe in held):
                continue  # a placeholder in the quote supports no value
            values.append(m.value)
    return values


def check_grounding(
    answer: str,
    citations: list[Citation],
    get_text: Callable[[str], str],
    get_meta: Callable[[str], DocumentMeta] | None = None,
) -> Grounding:
    """Numbers in `answer` (normalised) must each equal a non-placeholder number in some cited quote."""
    from huiyi.genre.numbers import extract_numbers

    failed = verify_citations(citations, get_text)
    supported = _quote_values(citations, get_meta)
    checked: list[str] = []
    for m in extract_numbers(answer):
        if m.placeholder and _quoted_symbol(answer, m.start, m.end):
            continue
        checked.append(m.text)
        if m.placeholder or m.value is None:
            failed.append(m.text)  # a placeholder stated as a value
        elif not any(_same(m.value, v) for v in supported):
            failed.append(m.text)
    note = None
    if failed:
        note = "未通过核验: " + ", ".join(failed)
    return Grounding(checked=checked, failed=failed, ok=not failed, note=note)


def _same(a, b) -> bool:
    try:
        from huiyi.genre.numbers import same_number

        return bool(same_number(a, b))
    except (ImportError, TypeError):
        return a == b
