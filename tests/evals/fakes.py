"""Fake services for the eval harness: answer each gold question from its gold facts, over the real cleaned corpora.

Documents are stored under ids that are NOT their file stems (as a content-derived id scheme would make
them), so every gold-name → stored-id lookup in the harness is exercised.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache

from huiyi.cite.models import Citation
from huiyi.evals.harness import GoldCase, load_cases
from huiyi.evals.sets import EvalPart, all_parts
from huiyi.index.clean import clean_text
from huiyi.index.records import DocumentRecord
from huiyi.qa.models import AskRequest, AskResponse

PARTS = {p.key: p for p in all_parts() if p.qa is not None}


@cache
def corpus_texts(store: str) -> dict[str, str]:
    """Gold document name → cleaned text, for one store's corpus."""
    part = next(p for p in PARTS.values() if p.store == store)
    return {f.stem: clean_text(f.read_text(encoding="utf-8")).text for f in part.corpus_files()}


@cache
def part_cases(key: str) -> tuple[GoldCase, ...]:
    return tuple(load_cases(PARTS[key].qa))


def stored_id(name: str) -> str:
    return "d_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


@dataclass
class Doc:
    id: str
    text: str


@dataclass
class Hit:
    text: str


@dataclass
class FakeService:
    """Answers the gold questions of one store's parts; `degrade` bends the answers the way a bad change would."""

    store: str = "seeds"
    degrade: str = "none"
    asked: list[AskRequest] = field(default_factory=list)
    searched: list[tuple[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.texts = {stored_id(n): t for n, t in corpus_texts(self.store).items()}
        self.names = {stored_id(n): n for n in corpus_texts(self.store)}
        cases = [c for p in PARTS.values() if p.store == self.store for c in part_cases(p.key)]
        # the same question may be asked within different documents ("会议在哪里召开?")
        self.by_question = {self._key(c.question, c.history, [stored_id(d) for d in c.scope_docs]): c for c in cases}
        self.cases = cases

    @staticmethod
    def _key(question: str, history: list[dict], scope: list[str]) -> tuple[str, str, tuple[str, ...]]:
        return question, json.dumps(history, ensure_ascii=False), tuple(sorted(scope))

    @classmethod
    def for_part(cls, part: EvalPart, degrade: str = "none") -> FakeService:
        return cls(part.store, degrade)

    def ask(self, request: AskRequest) -> AskResponse:
        self.asked.append(request)
        history = [t.model_dump() for t in request.history]
        scope = (request.filters.doc_ids if request.filters else None) or []
        case = self.by_question.get(self._key(request.question, history, scope))
        if case is None:  # asked within the wrong documents (gold names instead of stored ids, say): nothing found
            return AskResponse(answer="资料中未提及。", status="not_found")
        if case.expect_status != "answered" and self.degrade != "never_refuse":
            return AskResponse(answer="资料中未提及。", status=case.expect_status)
        answer = "、".join(case.answers[:1] + case.all_of) or "GDP增长5.9%"
        cites = self._citations(case)
        if self.degrade == "drop_citations":
            cites = []
        elif self.degrade == "perturb_numbers":
            answer = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), answer)
        elif self.degrade == "tidy_quotes":
            cites = [c.model_copy(update={"quote": c.quote + "。"}) for c in cites]
        elif self.degrade == "wrong_answers" and not case.critical:
            answer = "无关的回答"
        return AskResponse(answer=answer, status="answered", citations=cites, usage={"prompt_tokens": 0})

    def _citations(self, case: GoldCase) -> list[Citation]:
        out = []
        for ev in case.evidence:
            doc = next((stored_id(d) for d in case.docs if ev in self.texts[stored_id(d)]), None)
            if doc is not None:
                out.append(self._cite(doc, ev))
        if case.evidence and not out:  # gold evidence cleaning removed: quote where the answer itself stands
            found = [(stored_id(d), a) for a in case.answers + case.all_of for d in case.docs if a in self.texts[stored_id(d)]]
            out = [self._cite(*found[0])] if found else []
        return out

    def _cite(self, doc: str, quote: str) -> Citation:
        start = self.texts[doc].index(quote)
        return Citation(doc_id=doc, title=self.names[doc], quote=quote, start=start, end=start + len(quote), chunk_id=f"{doc}:0000")

    def search(self, query: str, k: int = 8, filters: object = None) -> list[Hit]:
        self.searched.append((query, filters))
        # follow-ups share a question; the one whose earlier user turns are all in the query is meant
        scope = sorted(getattr(filters, "doc_ids", None) or [])
        fits = [c for c in self.cases if query.endswith(c.question) and sorted(map(stored_id, c.scope_docs)) == scope
                and all(t["content"] in query for t in c.history if t["role"] == "user")]
        case = max(fits, key=lambda c: len(c.history), default=None)
        hits = [Hit(ev) for ev in (case.evidence if case else [])] + [Hit("无关")]
        return hits[:k]

    def summary(self, doc_id: str):
        from huiyi.summary.models import MeetingSummary, TextField

        if doc_id not in self.texts:
            raise KeyError(doc_id)  # the harness must ask for stored ids, never gold names
        # a summariser that only finds a place, and invents a host
        return MeetingSummary(doc_id=doc_id, title=doc_id, place=TextField(value="武家山政府会务中心"),
                              host=TextField(value="编造的主持人"))

    def document(self, doc_id: str) -> Doc:
        return Doc(doc_id, self.texts[doc_id])

    def documents(self) -> list[DocumentRecord]:
        return [DocumentRecord(id=d, title=self.names[d], source=f"{self.names[d]}.txt", chunks=1, chars=len(t), placeholders=0,
                               content_hash=d, ingested_at="2024-01-01T00:00:00") for d, t in self.texts.items()]


def opener(degrade: str = "none", only: str | None = None):
    """An `opener` for `runner.main`: a fake per store; `degrade` applies to parts whose key is `only` (or every part)."""
    made: dict[tuple[str, str], FakeService] = {}

    def open_part(part: EvalPart):
        bent = degrade if only in (None, part.key) else "none"
        key = (part.store, bent)
        if key not in made:
            made[key] = FakeService(part.store, bent)
        return made[key], None

    return open_part
