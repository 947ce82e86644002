"""LLM-polished 纪要 prose, checked in code like answers are; the extractive prose stays when any check fails.

The model rewrites the extractive sections (huiyi.summary.prose) into smoother 纪要 language and names, for every
sentence, the report sentence it rests on. Each polished sentence must: belong to a section the extractive draft
has; quote a sentence that is located verbatim (or nearly, then widened to the report's own sentence) in the
cleaned text; state no number that its located quote does not state, and no placeholder as a value. One failing
sentence rejects the whole polish: a 纪要 is sent as one document, so it is either all checked or all extractive.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict, Field

from huiyi.cite.grounding import check_grounding
from huiyi.cite.locate import locate_quote
from huiyi.cite.models import Citation
from huiyi.errors import UpstreamError
from huiyi.index.records import Document
from huiyi.llm.prompts import load_prompt, schema_text
from huiyi.llm.structured import complete_json
from huiyi.summary.models import MinutesSection, ProsePart, ProseSentence

log = logging.getLogger(__name__)
MAX_SENTENCE = 400


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PolishedSentence(_Loose):
    text: str
    quote: str


class PolishedSection(_Loose):
    key: str
    sentences: list[PolishedSentence] = Field(default_factory=list)


class PolishedMinutes(_Loose):
    sections: list[PolishedSection] = Field(default_factory=list)


class PolishRejected(Exception):
    pass


def polish_messages(title: str, sections: list[MinutesSection]) -> list[dict[str, str]]:
    draft = "\n".join(f"[{sec.key}] {sec.heading}\n" + "\n".join(
        f"- {s.text}\n  原文:{s.citations[0].quote if s.citations else ''}" for s in sec.sentences) for sec in sections)
    content = load_prompt("minutes_polish").render(title=title, draft=draft, schema=schema_text(PolishedMinutes.model_json_schema()))
    return [{"role": "user", "content": content}]


def polish_minutes(doc: Document, sections: list[MinutesSection], llm, deadline: float) -> tuple[list[MinutesSection], str | None]:
    """(sections, note): the polished sections when every sentence checks out, else the extractive ones and why."""
    if not sections:
        return sections, None
    try:
        out = complete_json(llm, polish_messages(doc.meta.title, sections), PolishedMinutes, deadline=deadline)
        return verify_polish(doc, sections, out.value), None
    except UpstreamError as exc:
        note = f"纪要正文润色未完成({exc.code}),使用逐句摘自原文的离线版本。"
    except PolishRejected as exc:
        log.info("polished minutes of %s rejected: %s", doc.id, exc)
        note = f"大模型润色的纪要正文未通过原文核验({exc}),使用逐句摘自原文的离线版本。"
    return sections, note


def verify_polish(doc: Document, draft: list[MinutesSection], polished: PolishedMinutes) -> list[MinutesSection]:
    known = {sec.key: sec for sec in draft}
    out: list[MinutesSection] = []
    for sec in polished.sections:
        if sec.key not in known:
            raise PolishRejected(f"unknown section {sec.key!r}")
        sentences = [_verified(doc, s) for s in sec.sentences]
        if sentences:
            out.append(MinutesSection(key=known[sec.key].key, heading=known[sec.key].heading, sentences=sentences))
    if not out:
        raise PolishRejected("no sentence")
    return out


def _verified(doc: Document, s: PolishedSentence) -> ProseSentence:
    text = s.text.strip()
    if not text or len(text) > MAX_SENTENCE:
        raise PolishRejected("empty or over-long sentence")
    span = locate_quote(doc.text, s.quote, [], anywhere=True)
    if span is None:
        raise PolishRejected(f"quote not in the report: {s.quote[:30]!r}")
    start, end = span
    citation = Citation(doc_id=doc.id, title=doc.meta.title, quote=doc.text[start:end], start=start, end=end, chunk_id="")
    verdict = check_grounding(text, [citation], lambda _id: doc.text, lambda _id: doc.meta)
    if not verdict.ok:
        raise PolishRejected(f"ungrounded {', '.join(verdict.failed)}")
    return ProseSentence(parts=[ProsePart(text=text)], citations=[citation], source="llm")
