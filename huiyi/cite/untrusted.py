"""Mark answers that quote a sentence flagged at ingest as an instruction to the reader.

The quote stays verbatim (it is what the report says), but the citation carries `untrusted: true` and
the answer says plainly that the quoted text is an instruction found in the document, not followed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from huiyi.index.untrusted import overlaps

NOTE = "【注意:引文含有文档中疑似插入的指令性语句,仅作原文引用,未予执行】"


def mark_response(response: Any, flags_of: Callable[[str], list]) -> Any:
    """`response` (an AskResponse) with flagged citations marked and a note before the answer."""
    marked, any_flagged = [], False
    for c in response.citations:
        flagged = overlaps(flags_of(c.doc_id), c.start, c.end)
        any_flagged |= flagged
        marked.append(c.model_copy(update={"untrusted": True}) if flagged else c)
    if not any_flagged:
        return response
    answer = response.answer if response.answer.startswith(NOTE) else NOTE + response.answer
    return response.model_copy(update={"citations": marked, "answer": answer})


def mark_events(events: Iterator[tuple[str, dict]], flags_of: Callable[[str], list]) -> Iterator[tuple[str, dict]]:
    """The same for streamed frames: citation dicts get `untrusted`, the final answer gets the note."""
    for name, data in events:
        if name == "citations":
            data = {**data, "citations": [_mark_dict(c, flags_of) for c in data.get("citations", [])]}
        elif name == "done" and isinstance(data, dict):
            cites = [_mark_dict(c, flags_of) for c in data.get("citations", [])]
            answer = data.get("answer", "")
            if any(c.get("untrusted") for c in cites) and not answer.startswith(NOTE):
                answer = NOTE + answer
            data = {**data, "citations": cites, "answer": answer}
        yield name, data


def _mark_dict(c: dict, flags_of: Callable[[str], list]) -> dict:
    try:
        flagged = overlaps(flags_of(c["doc_id"]), int(c["start"]), int(c["end"]))
    except (KeyError, TypeError, ValueError):
        return c
    return {**c, "untrusted": True} if flagged else c
