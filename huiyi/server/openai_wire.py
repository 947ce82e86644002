"""OpenAI chat-completions wire format for huiyi answers: request parsing, answer text, chunks, errors.

Pure functions over `AskResponse`; the router in `openai_compat.py` only composes them. The answer text a
chat app shows carries numbered marks and a readable 来源 block; the structured citations travel in the
extra field `huiyi` of the final message (`choices[0].message.huiyi`) or of the final stream chunk
(`choices[0].delta.huiyi`), which clients that do not know it ignore.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyi.errors import BadInput, HuiyiError
from huiyi.index.tokens import count_tokens
from huiyi.qa.models import AskResponse, ChatTurn

HISTORY_TURNS = 8  # chat apps resend the whole conversation; a follow-up needs only the last exchanges
SOURCES_HEADING = "来源:"
_MARK = re.compile(r"\[\d{1,2}\]")
_SOURCES_BLOCK = re.compile(r"\n*" + re.escape(SOURCES_HEADING) + r".*\Z", re.S)


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type in ("text", "input_text"))
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The fields huiyi reads; sampling parameters (temperature, top_p, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(description="`huiyi` (every report) or `huiyi/<knowledge base>`, as listed by GET /v1/models.")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, ge=1, le=1, description="Only one choice is produced.")
    kbs: list[str] | None = Field(None, description="huiyi extension: more knowledge bases to read besides the model's.")


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[ChatTurn]]:
    """The last user message is the question; earlier user/assistant turns are history.

    System and developer messages are dropped: grounding is huiyi's rule, not the client's prompt."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise BadInput("最后一条消息应为用户的问题 / the last message must be the user's question.", code="no_question")
    history = [ChatTurn(role=m.role, content=_strip_sources(m.text())) for m in turns[:-1]]
    return turns[-1].text(), [t for t in history if t.content.strip()][-HISTORY_TURNS:]


def _strip_sources(text: str) -> str:
    """An earlier answer as the history needs it: without our 来源 block and marks."""
    return _MARK.sub("", _SOURCES_BLOCK.sub("", text)).strip()


_PIECES = re.compile(r"(?<=[,,;;。!?!?、])")


def answer_pieces(answer: str) -> list[str]:
    """The checked answer in clause-sized stream deltas."""
    return [p for p in _PIECES.split(answer) if p]


def marks(response: AskResponse) -> str:
    """Numbered marks for the answer's citations, unless the answer already carries some."""
    if not response.citations or _MARK.search(response.answer):
        return ""
    return "".join(f"[{i}]" for i in range(1, len(response.citations) + 1))


def sources_block(response: AskResponse) -> str:
    """The readable 来源 block: one list item per citation (title, document id, offsets, quote); Markdown or plain."""
    if not response.citations:
        return ""
    lines = [f"- [{i}] {c.title}({c.doc_id},第{c.start}–{c.end}字):“{c.quote}”" for i, c in enumerate(response.citations, 1)]
    return "\n\n" + SOURCES_HEADING + "\n" + "\n".join(lines)


def tail_text(response: AskResponse) -> str:
    """What follows the answer in the text: marks, then the 来源 block."""
    return marks(response) + sources_block(response)


def extra_field(response: AskResponse, kbs: list[str] | None) -> dict[str, Any]:
    """The `huiyi` field: status, mode, grounding and citations (quote == text[start:end] of GET /documents/{id}/text)."""
    return {
        "status": response.status,
        "mode": response.mode,
        "citations": [{"n": i, **c.model_dump(mode="json")} for i, c in enumerate(response.citations, 1)],
        "grounding": response.grounding.model_dump(mode="json"),
        "fallback": response.fallback,
        "kbs": kbs,
    }


def usage(question: str, history: list[ChatTurn], content: str) -> dict[str, int]:
    """Tokens (cl100k) of what huiyi read from the request and wrote; huiyi's own LLM use is not billed here."""
    prompt = count_tokens(question) + sum(count_tokens(t.content) for t in history)
    completion = count_tokens(content)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


def completion(cid: str, model: str, content: str, extra: dict, usage_: dict) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": None, "huiyi": extra},
            "logprobs": None,
            "finish_reason": "stop",
        }],
        "usage": usage_,
        "system_fingerprint": None,
    }


def chunk(cid: str, model: str, created: int, delta: dict | None, finish: str | None = None,
          usage_: dict | None = None, include_usage: bool = False) -> dict[str, Any]:
    """One `chat.completion.chunk`; with include_usage every chunk carries `usage: null` except the last."""
    body: dict[str, Any] = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        "system_fingerprint": None,
    }
    if include_usage:
        body["usage"] = usage_
    return body


_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "invalid_request_error", 409: "invalid_request_error", 413: "invalid_request_error",
                415: "invalid_request_error", 422: "invalid_request_error", 429: "rate_limit_error"}


def error_body(status: int, message: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    """OpenAI's error object: {"error": {message, type, param, code}}."""
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def error_from(exc: HuiyiError) -> tuple[int, dict[str, Any]]:
    # OpenAI answers bad requests with 400; huiyi's 422 (unprocessable) maps there.
    status = 400 if exc.http_status == 422 else exc.http_status
    return status, error_body(status, exc.message, exc.code)
