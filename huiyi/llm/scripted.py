"""The deterministic LLM for tests: queued replies, recorded calls (the real one is huiyi.llm.client.OpenAILLM)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from huiyi.llm.client import ChatStream, LLMResult, Usage
from huiyi.llm.prompts import Message


@dataclass
class LLMCall:
    kind: Literal["complete", "stream"]
    messages: list[Message]
    json_schema: dict[str, Any] | None = None
    max_tokens: int | None = None
    deadline: float | None = None


class ScriptedLLM:
    """Deterministic LLM for tests: queue replies (text, LLMResult or an exception), inspect `calls`."""

    def __init__(self, *replies: str | LLMResult | Exception, model: str = "scripted", chunk_chars: int = 4):
        self.replies: deque[str | LLMResult | Exception] = deque(replies)
        self.model = model
        self.chunk_chars = chunk_chars
        self.calls: list[LLMCall] = []

    def push(self, *replies: str | LLMResult | Exception) -> ScriptedLLM:
        self.replies.extend(replies)
        return self

    def _next(self, call: LLMCall) -> LLMResult:
        self.calls.append(call)
        if not self.replies:
            raise AssertionError(f"ScriptedLLM has no reply queued for call #{len(self.calls)}")
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, LLMResult):
            return reply
        prompt = sum(len(m.get("content") or "") for m in call.messages)
        return LLMResult(text=reply, usage=Usage(prompt_tokens=prompt, completion_tokens=len(reply)),
                         model=self.model, finish_reason="stop",
                         response_format="json_schema" if call.json_schema else "text")

    def complete(self, messages: Sequence[Message], *, json_schema: dict[str, Any] | None = None,
                 max_tokens: int | None = None, deadline: float | None = None) -> LLMResult:
        return self._next(LLMCall("complete", [dict(m) for m in messages], json_schema, max_tokens, deadline))

    def stream(self, messages: Sequence[Message], *, max_tokens: int | None = None,
               deadline: float | None = None) -> ChatStream:
        call = LLMCall("stream", [dict(m) for m in messages], None, max_tokens, deadline)

        def produce(out: ChatStream) -> Iterator[str]:
            result = self._next(call)
            out.model, out.usage = result.model, result.usage
            for i in range(0, len(result.text), self.chunk_chars):
                yield result.text[i:i + self.chunk_chars]
            out.finish_reason = result.finish_reason

        return ChatStream(produce)

