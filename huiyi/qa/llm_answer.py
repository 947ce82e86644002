"""LLM answers, verified in code: numbered sources → model JSON → verbatim citations → grounding → repair or fallback.

One deadline (settings.llm_deadline, absolute) covers every call of one answer: the follow-up
rewrite, the answer, and at most one repair. Whatever goes wrong — the endpoint down or slow,
output that is not JSON, a quote not in the report, a number no quote carries, a placeholder
stated as a value, the prompt leaking — the user gets the offline answer and `fallback` says why.
The checks themselves live in huiyi.qa.llm_verify; the streamed "answer" field in huiyi.qa.llm_stream.

Refusals: the model's not_found is trusted only when the offline answerer also refuses. When offline
found an answer with verified, grounded citations, that answer is kept (mode "extractive", `fallback`
says the LLM refused): the offline refusal threshold is measured on gold data, a small model's are not.

Stream frames of `stream_llm` (what the web page must handle):
    delta {"text"}            repeated: the model's answer text as it streams (markers removed)
    replace {"text","reason"} only when verification changed the streamed text (repair, fallback,
                              refusal normalised, endpoint failed mid-stream): the whole answer to show
    citations {"citations"}   the verified citations
    done {AskResponse}        the full verified response, identical to what POST /ask returns
When nothing was streamed before the final answer was known, its text is sent as delta frames
instead of a replace frame. `done` always carries the answer that passed verification.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from huiyi.config import Settings
from huiyi.errors import UpstreamError
from huiyi.index.corpus import Corpus
from huiyi.index.records import DocumentMeta, SearchHit
from huiyi.index.tokens import count_tokens
from huiyi.llm.client import LLM, Usage, deadline_after
from huiyi.llm.prompts import (
    Message,
    PromptSource,
    answer_messages,
    load_prompt,
    repair_messages,
    rewrite_messages,
)
from huiyi.llm.schemas import LLMAnswer
from huiyi.llm.structured import InvalidOutput, complete_json, fallback_note, parse_json
from huiyi.qa.extractive import answer_offline, retrieve
from huiyi.qa.llm_stream import AnswerField
from huiyi.qa.llm_verify import Source, offline_grounded, verify
from huiyi.qa.models import AskResponse
from huiyi.qa.prepare import PreparedQuestion

MAX_SOURCES = 8
REWRITE_MAX_TOKENS = 96


@dataclass
class _Run:
    """One LLM answer: its dependencies, deadline and running cost."""

    corpus: Corpus
    settings: Settings
    llm: LLM
    deadline: float
    usage: Usage = field(default_factory=Usage)
    calls: int = 0
    repaired: bool = False
    model: str | None = None  # as the endpoint reports it

    @classmethod
    def start(cls, corpus: Corpus, settings: Settings, llm: LLM) -> _Run:
        return cls(corpus, settings, llm, deadline_after(settings.llm_deadline))

    def get_text(self, doc_id: str) -> str:
        return self.corpus.document(doc_id).text

    def get_meta(self, doc_id: str) -> DocumentMeta:
        return self.corpus.document(doc_id).meta

    def spend(self, usage: Usage, calls: int = 1) -> None:
        self.usage = self.usage + usage
        self.calls += calls

    def usage_dict(self) -> dict:
        return {"prompt_tokens": self.usage.prompt_tokens, "completion_tokens": self.usage.completion_tokens,
                "calls": self.calls}


# ---- public API ---------------------------------------------------------------------------------


def answer_llm(prepared: PreparedQuestion, hits: list[SearchHit], offline: AskResponse, corpus: Corpus,
               settings: Settings, llm: LLM) -> AskResponse:
    """The LLM's answer when it verifies (after at most one repair), else `offline` with `fallback` set."""
    run = _Run.start(corpus, settings, llm)
    try:
        question, hits = _rewrite(run, prepared, hits)
        sources = select_sources(hits, settings.llm_source_tokens)
        if not sources:
            return offline.model_copy(update={"fallback": "检索未找到相关资料,未调用 LLM,使用离线答案。"})
        messages = answer_messages(question, [s.prompt for s in sources])
        return _settle(run, messages, _complete(run, messages), sources, offline)
    except UpstreamError as exc:
        return _fallback(run, offline, _upstream_reason(exc, settings.llm_deadline))


def stream_llm(prepared: PreparedQuestion, corpus: Corpus, settings: Settings, llm: LLM) -> Iterator[tuple[str, dict]]:
    """(event, data) frames: delta…, [replace], citations, done — see the module docstring."""
    t0 = time.perf_counter()
    hits = retrieve(prepared, corpus)
    search_ms = round((time.perf_counter() - t0) * 1000, 2)
    offline = answer_offline(prepared, hits, corpus.document)
    run = _Run.start(corpus, settings, llm)
    shown: list[str] = []
    try:
        q, hits = _rewrite(run, prepared, hits)
        sources = select_sources(hits, settings.llm_source_tokens)
        if not sources:
            response = offline.model_copy(update={"fallback": "检索未找到相关资料,未调用 LLM,使用离线答案。"})
        else:
            messages = answer_messages(q, [s.prompt for s in sources])
            stream = llm.stream(messages, deadline=run.deadline)
            field_reader = AnswerField()
            try:
                for delta in stream:
                    piece = field_reader.feed(delta)
                    if piece:
                        shown.append(piece)
                        yield "delta", {"text": piece}
            finally:
                run.spend(stream.usage)
                run.model = stream.model or run.model
            tail = field_reader.flush()
            if tail:
                shown.append(tail)
                yield "delta", {"text": tail}
            value = _parse_or_repair(run, messages, stream.text)
            response = _settle(run, messages, value, sources, offline)
    except UpstreamError as exc:
        response = _fallback(run, offline, _upstream_reason(exc, settings.llm_deadline))
    response = response.model_copy(update={"timing": {"search_ms": search_ms,
                                                      "total_ms": round((time.perf_counter() - t0) * 1000, 2)}})
    yield from _closing_frames("".join(shown), response)


def select_sources(hits: Sequence[SearchHit], budget: int, max_sources: int = MAX_SOURCES) -> list[Source]:
    """Hits as numbered sources, best first, each chunk once, within `budget` cl100k tokens (the first always)."""
    out: list[Source] = []
    seen: set[str] = set()
    used = 0
    for hit in hits:
        if hit.chunk_id in seen or len(out) >= max_sources:
            continue
        cost = count_tokens(hit.title) + count_tokens(hit.text) + 8  # "[n] 《title》" framing
        if out and used + cost > budget:
            break
        seen.add(hit.chunk_id)
        used += cost
        out.append(Source(hit, PromptSource(hit.title, hit.text)))
    return out


# ---- follow-up rewrite ---------------------------------------------------------------------------


def _rewrite(run: _Run, prepared: PreparedQuestion, hits: list[SearchHit]) -> tuple[str, list[SearchHit]]:
    """With history, the model rewrites the follow-up; new retrieval results go first, the offline ones after."""
    if not prepared.history:
        return prepared.standalone, hits
    result = run.llm.complete(rewrite_messages(prepared.question, list(prepared.history)), max_tokens=REWRITE_MAX_TOKENS,
                              deadline=run.deadline)
    run.spend(result.usage)
    rewritten = _clean_rewrite(result.text, run.settings.max_question_chars)
    if not rewritten or rewritten == prepared.standalone:
        return prepared.standalone, hits
    fresh = run.corpus.search(rewritten, k=len(hits) or 10, filters=prepared.filters)
    merged = {h.chunk_id: h for h in [*fresh, *hits]}
    return rewritten, list(merged.values())


def _clean_rewrite(text: str, limit: int) -> str:
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    line = re.sub(r"^(?:改写后的问题|改写|问题|追问)\s*[::]\s*", "", line).strip("“”\"'「」 ")
    return line if 0 < len(line) <= limit else ""


# ---- verification ----------------------------------------------------------------------------------


def _settle(run: _Run, messages: list[Message], value: LLMAnswer, sources: list[Source],
            offline: AskResponse) -> AskResponse:
    """Verify; repair once with the problems named; then the LLM answer, or the offline one with the reason."""
    verdict = verify(value, sources, run.get_text, run.get_meta)
    if not verdict.ok:
        problems = "\n".join(f"- {p}" for p in verdict.problems)
        fix = [*messages, {"role": "assistant", "content": value.model_dump_json()},
               {"role": "user", "content": load_prompt("repair_grounding").render(problems=problems)}]
        run.repaired = True
        verdict = verify(_complete(run, fix), sources, run.get_text, run.get_meta)
        if not verdict.ok:
            return _fallback(run, offline, verdict.reason or "LLM 答案未通过核验,已改用离线抽取答案。")
    if verdict.status == "not_found" and offline_grounded(offline):
        return _fallback(run, offline, "LLM 认为资料中未提及,但离线抽取找到了有原文引用支持的答案,保留离线答案。")
    grounding = verdict.grounding
    if run.repaired:
        grounding = grounding.model_copy(update={"note": "LLM 答案经一次修复后通过核验。"})
    return AskResponse(answer=verdict.answer, status=verdict.status, citations=verdict.citations, mode="llm",
                       grounding=grounding, usage=run.usage_dict(), model=run.model or getattr(run.llm, "model", None))


def _complete(run: _Run, messages: list[Message]) -> LLMAnswer:
    """complete_json with its cost booked, also when it fails."""
    try:
        out = complete_json(run.llm, messages, LLMAnswer, deadline=run.deadline)
    except InvalidOutput as exc:
        run.spend(exc.usage, 2)
        raise
    run.spend(out.usage, 2 if out.repaired else 1)
    run.model = out.model or run.model
    return out.value


# ---- fallback --------------------------------------------------------------------------------------


def _fallback(run: _Run, offline: AskResponse, reason: str) -> AskResponse:
    """The offline answer, saying why and what the attempt cost."""
    usage = run.usage_dict() if run.calls else None
    return offline.model_copy(update={"fallback": reason, "usage": usage, "mode": "extractive"})


def _upstream_reason(exc: UpstreamError, deadline: float) -> str:
    return fallback_note(exc, deadline, "回答", "已改用离线抽取答案")


def _parse_or_repair(run: _Run, messages: list[Message], text: str) -> LLMAnswer:
    """A streamed reply parsed as LLMAnswer; one non-streamed repair call when it is not valid JSON."""
    try:
        return parse_json(text, LLMAnswer)
    except (ValueError, json.JSONDecodeError) as exc:
        error = str(exc)[:300]
    schema = LLMAnswer.model_json_schema()
    result = run.llm.complete(repair_messages(messages, text, error, schema), json_schema=schema, deadline=run.deadline)
    run.spend(result.usage)
    try:
        return parse_json(result.text, LLMAnswer)
    except (ValueError, json.JSONDecodeError):
        raise InvalidOutput("streamed answer was not valid JSON, even after one repair",
                            usage=Usage(), last_text=result.text) from None


def _closing_frames(streamed: str, response: AskResponse) -> Iterator[tuple[str, dict]]:
    if not streamed.strip():
        if response.answer:
            yield "delta", {"text": response.answer}
    elif streamed.strip() != response.answer.strip():
        reason = response.fallback or response.grounding.note or "答案已按原文核验结果更新。"
        yield "replace", {"text": response.answer, "reason": reason}
    yield "citations", {"citations": [c.model_dump(mode="json") for c in response.citations]}
    yield "done", response.model_dump(mode="json")


# ---- streaming JSON: the "answer" string as it arrives -----------------------------------------
