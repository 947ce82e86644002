"""Structured output: ask for JSON matching a pydantic model, validate it, repair once, else raise."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from huiyi.errors import InvalidLLMOutput, UpstreamError, UpstreamTimeout
from huiyi.llm.client import LLM, ResponseFormat, Usage
from huiyi.llm.prompts import Message, repair_messages

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?\s*```\s*$", re.S)


@dataclass(frozen=True)
class Structured(Generic[T]):
    value: T
    usage: Usage  # summed over the first call and the repair, if any
    model: str | None
    repaired: bool
    response_format: ResponseFormat


def parse_json(text: str, model_cls: type[T]) -> T:
    """Validate a reply as `model_cls`, tolerating a Markdown fence or chatter around one JSON object."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    if not body.startswith("{"):
        start, end = body.find("{"), body.rfind("}")
        if start < 0 or end <= start:
            raise ValueError("the reply contains no JSON object")
        body = body[start:end + 1]
    return model_cls.model_validate_json(body)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:8]]
        return "; ".join(parts)
    return str(exc)[:500]


class InvalidOutput(InvalidLLMOutput):
    """InvalidLLMOutput carrying what the failed attempts cost, so the fallback can still report it."""

    def __init__(self, message: str, *, usage: Usage, last_text: str):
        super().__init__(message)
        self.usage = usage
        self.last_text = last_text


def fallback_note(exc: UpstreamError, deadline: float, task: str, fallback: str) -> str:
    """Why the offline result stands in for the LLM's, as the page says it (`task`: 回答, 纪要; `fallback`: what is used)."""
    if isinstance(exc, InvalidOutput):
        return f"LLM 未能给出有效的{task} JSON(修复一次后仍无效),{fallback}。"
    if isinstance(exc, UpstreamTimeout):
        return f"LLM 未在时限({deadline:g} 秒)内完成{task},{fallback}。"
    return f"LLM 服务不可用({exc.code}),{fallback}。"


def complete_json(llm: LLM, messages: Sequence[Message], model_cls: type[T], *,
                  max_tokens: int | None = None, deadline: float | None = None) -> Structured[T]:
    """One call, one repair attempt with the validation error, then `InvalidOutput` for the caller's fallback."""
    schema = model_cls.model_json_schema()
    first = llm.complete(messages, json_schema=schema, max_tokens=max_tokens, deadline=deadline)
    try:
        value = parse_json(first.text, model_cls)
        return Structured(value, first.usage, first.model, False, first.response_format)
    except (ValueError, json.JSONDecodeError) as exc:
        error = _describe(exc)
    fix = repair_messages(messages, first.text, error, schema)
    second = llm.complete(fix, json_schema=schema, max_tokens=max_tokens, deadline=deadline)
    usage = first.usage + second.usage
    try:
        value = parse_json(second.text, model_cls)
        return Structured(value, usage, second.model, True, second.response_format)
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidOutput(f"The LLM ({second.model or llm.model}) did not return valid {model_cls.__name__} JSON "
                            f"even after one repair: {_describe(exc)}. The offline result is used instead; a "
                            "larger model or HUIYI_LLM_JSON_SCHEMA=true usually fixes this.",
                            usage=usage, last_text=second.text) from None
