"""The LLM interface, its OpenAI-compatible implementation, a scripted fake, and `make_llm`.

`deadline` arguments are absolute `time.monotonic()` instants, because one answer spends a
single budget across several calls (rewrite, answer, repair); `deadline_after(s)` makes one.
No call ever runs past its deadline: request timeouts are cut to the time left, retry waits
that would overrun fail at once, and streams are closed by a timer when time is up.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from huiyi.config import Settings
from huiyi.errors import HuiyiError, UpstreamError, UpstreamTimeout
from huiyi.llm.prompts import Message, json_only_instruction

log = logging.getLogger(__name__)

ResponseFormat = Literal["json_schema", "json_object", "text"]
# The structured-output ladder, best first. "json_object+schema" is llama.cpp's grammar-constrained
# JSON (response_format {"type": "json_object", "schema": …}); servers that refuse it fall further.
_Rung = Literal["json_schema", "json_object+schema", "json_object", "text"]
_LADDER: list[_Rung] = ["json_schema", "json_object+schema", "json_object", "text"]
_SLACK = 0.05  # seconds kept in hand so error handling itself stays inside the deadline


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(prompt_tokens=self.prompt_tokens + other.prompt_tokens,
                     completion_tokens=self.completion_tokens + other.completion_tokens)


class LLMResult(BaseModel):
    text: str
    usage: Usage = Usage()
    model: str | None = None
    finish_reason: str | None = None
    response_format: ResponseFormat = "text"  # how structured output was obtained


def deadline_after(seconds: float) -> float:
    return time.monotonic() + seconds


class ChatStream:
    """Iterator of text deltas; `usage`, `model`, `finish_reason` and `text` are filled as it runs."""

    def __init__(self, produce: Callable[[ChatStream], Iterator[str]]):
        self.usage = Usage()
        self.model: str | None = None
        self.finish_reason: str | None = None
        self._parts: list[str] = []
        self._it = produce(self)

    def __iter__(self) -> ChatStream:
        return self

    def __next__(self) -> str:
        delta = next(self._it)
        self._parts.append(delta)
        return delta

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def close(self) -> None:
        close = getattr(self._it, "close", None)  # a generator; a plain iterator has nothing to close
        if close is not None:
            close()


@runtime_checkable
class LLM(Protocol):
    model: str

    def complete(self, messages: Sequence[Message], *, json_schema: dict[str, Any] | None = None,
                 max_tokens: int | None = None, deadline: float | None = None) -> LLMResult: ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int | None = None,
               deadline: float | None = None) -> ChatStream: ...


def make_llm(settings: Settings) -> LLM | None:
    """The one place that decides: None means offline mode, and then nothing touches the network."""
    if not settings.llm_enabled:
        return None
    return OpenAILLM(settings)


# -- OpenAI-compatible endpoint ---------------------------------------------------------


class _Rejected(Exception):
    """The endpoint answered 400/422: the request itself was refused (maybe only its response_format)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class OpenAILLM:
    """Any OpenAI-compatible /v1/chat/completions endpoint through the `openai` package."""

    def __init__(self, settings: Settings, *, client: Any = None):
        import openai  # lazy: offline mode never imports it

        self.settings = settings
        self.model = settings.llm_model or ""
        self.endpoint = settings.openai_base_url or "https://api.openai.com/v1"
        self._where = f"LLM endpoint {self.endpoint} (model {self.model!r})"
        # Our own retry loop replaces the client's (600 s x 3 by default would blow any deadline).
        self._client = client or openai.OpenAI(api_key=settings.openai_api_key or "not-needed",
                                               base_url=settings.openai_base_url,
                                               timeout=settings.llm_timeout, max_retries=0)
        # Formats this endpoint refused are dropped for the life of the client: one wasted call, not one per answer.
        self._formats = list(_LADDER) if settings.llm_json_schema else _LADDER[1:]
        self._stream_usage = True
        self._lock = threading.Lock()

    # public API
    def complete(self, messages: Sequence[Message], *, json_schema: dict[str, Any] | None = None,
                 max_tokens: int | None = None, deadline: float | None = None) -> LLMResult:
        deadline = self._deadline(deadline)
        if json_schema is None:
            try:
                return self._complete_once(list(messages), max_tokens, deadline, None, "text")
            except _Rejected as exc:
                raise self._rejected_error(exc) from None
        while True:
            fmt = self._formats[0]
            try:
                return self._complete_once(_with_format(messages, fmt, json_schema), max_tokens, deadline,
                                           _response_format(fmt, json_schema), _reported(fmt))
            except _Rejected as exc:
                if fmt == "text":
                    raise self._rejected_error(exc) from None
                log.warning("%s refused response_format %s (%s); falling back", self._where, fmt, exc)
                with self._lock:
                    if self._formats[0] == fmt:
                        self._formats = self._formats[1:]

    def stream(self, messages: Sequence[Message], *, max_tokens: int | None = None,
               deadline: float | None = None) -> ChatStream:
        deadline = self._deadline(deadline)
        return ChatStream(lambda out: self._produce(out, list(messages), max_tokens, deadline))

    def _create(self, timeout: float, **kwargs: Any) -> Any:
        """chat.completions.create; messages are plain role/content dicts, which the SDK's typed overloads do not name."""
        create: Callable[..., Any] = self._client.chat.completions.create
        return create(model=self.model, timeout=timeout, **kwargs)

    # one request with retries
    def _complete_once(self, messages: list[Message], max_tokens: int | None, deadline: float,
                       response_format: dict[str, Any] | None, fmt: ResponseFormat) -> LLMResult:
        extra = {"response_format": response_format} if response_format else {}
        resp = self._call(lambda timeout: self._create(
            timeout, messages=messages, max_tokens=max_tokens or self.settings.llm_max_tokens, **extra),
            deadline, refusable=("response_format",) if extra else ())
        choices = getattr(resp, "choices", None)
        if not choices:
            raise UpstreamError(f"{self._where} returned a reply with no choices; check the model name "
                                "and the server's logs.", code="upstream_bad_response")
        choice = choices[0]
        usage = getattr(resp, "usage", None)
        return LLMResult(text=(choice.message.content or "") if choice.message else "",
                         usage=_usage(usage), model=getattr(resp, "model", None) or self.model,
                         finish_reason=choice.finish_reason, response_format=fmt)

    def _call(self, send: Callable[[float], Any], deadline: float, refusable: tuple[str, ...] = ()) -> Any:
        """Send with our retry policy: 429 (Retry-After), 5xx, timeouts and refused connections retry.

        `refusable` names optional request fields: an error that names one of them is a refusal of
        that field (llama-cpp-python reports such validation errors as 500), not a server fault.
        """
        import openai

        attempts = self.settings.llm_retries + 1
        problem, timed_out = "", False
        for attempt in range(attempts):
            remaining = deadline - time.monotonic()
            if remaining <= _SLACK:
                raise self._timeout_error(problem)
            try:
                return send(min(self.settings.llm_timeout, remaining - _SLACK))
            except openai.APITimeoutError:
                problem, timed_out, wait = "the request timed out", True, 0.0
            except openai.RateLimitError as exc:
                problem, timed_out = "rate limited (429)", False
                wait = _retry_after(exc.response) or _backoff(attempt)
            except openai.APIStatusError as exc:
                message = _error_message(exc)
                if exc.status_code in (400, 422) or any(f in message for f in refusable):
                    raise _Rejected(exc.status_code, message) from None
                if exc.status_code < 500:
                    raise self._status_error(exc) from None
                problem, timed_out, wait = f"server error {exc.status_code}", False, _backoff(attempt)
            except openai.APIConnectionError as exc:
                problem, timed_out, wait = f"connection failed ({exc})", False, _backoff(attempt)
            except ValueError as exc:  # JSONDecodeError / pydantic: the body is not a chat completion
                raise UpstreamError(f"{self._where} sent a reply that is not valid JSON ({exc}); check that "
                                    "OPENAI_BASE_URL points at an OpenAI-compatible /v1 API.",
                                    code="upstream_bad_response") from None
            if attempt + 1 < attempts:
                if time.monotonic() + wait > deadline - _SLACK:
                    raise self._timeout_error(f"{problem}; waiting {wait:.1f} s to retry would pass the deadline")
                log.info("%s: %s; retry %d/%d in %.1f s", self._where, problem, attempt + 1, attempts - 1, wait)
                time.sleep(wait)
        if timed_out:
            raise self._timeout_error(f"{problem} on all {attempts} attempts")
        raise UpstreamError(f"{self._where} failed after {attempts} attempt(s): {problem}. Check that the "
                            "server is up and not overloaded, or raise HUIYI_LLM_RETRIES.")

    # streaming
    def _produce(self, out: ChatStream, messages: list[Message], max_tokens: int | None,
                 deadline: float) -> Iterator[str]:
        raw = self._open_stream(messages, max_tokens, deadline)
        # A read can block for a whole request timeout; the timer makes the deadline absolute.
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), raw.close)
        timer.daemon = True
        timer.start()
        chars = 0
        try:
            for chunk in raw:
                out.model = getattr(chunk, "model", None) or out.model
                if getattr(chunk, "usage", None):
                    out.usage = _usage(chunk.usage)
                for choice in chunk.choices or []:
                    if choice.finish_reason:
                        out.finish_reason = choice.finish_reason
                    delta = choice.delta.content if choice.delta else None
                    if delta:
                        chars += len(delta)
                        yield delta
        except HuiyiError:
            raise
        except Exception as exc:  # any transport failure mid-stream (the client wraps some, not all)
            if time.monotonic() >= deadline - _SLACK:
                raise self._timeout_error(f"the stream passed the deadline after {chars} characters") from None
            raise UpstreamError(f"{self._where} cut the stream after {chars} characters ({exc}); check the "
                                "server's logs or proxy timeouts.", code="upstream_stream_cut") from None
        finally:
            timer.cancel()
            raw.close()
        if out.finish_reason is None:
            if time.monotonic() >= deadline - _SLACK:
                raise self._timeout_error(f"the stream passed the deadline after {chars} characters")
            raise UpstreamError(f"{self._where} ended the stream after {chars} characters without finishing; "
                                "check the server's logs or proxy timeouts.", code="upstream_stream_cut")

    def _open_stream(self, messages: list[Message], max_tokens: int | None, deadline: float) -> Any:
        while True:
            extra: dict[str, Any] = {"stream_options": {"include_usage": True}} if self._stream_usage else {}
            try:
                def open_once(timeout: float, extra: dict[str, Any] = extra) -> Any:
                    return self._create(timeout, messages=messages, stream=True,
                                        max_tokens=max_tokens or self.settings.llm_max_tokens, **extra)

                return self._call(open_once, deadline, refusable=("stream_options",) if extra else ())
            except _Rejected as exc:
                if not self._stream_usage:
                    raise self._rejected_error(exc) from None
                self._stream_usage = False  # some servers refuse stream_options; usage is optional

    # errors
    def _deadline(self, deadline: float | None) -> float:
        return deadline if deadline is not None else deadline_after(self.settings.llm_deadline)

    def _timeout_error(self, problem: str) -> UpstreamTimeout:
        detail = f": {problem}" if problem else ""
        return UpstreamTimeout(f"{self._where} did not answer within the deadline{detail}. Check that the server "
                               "is running and reachable, or raise HUIYI_LLM_TIMEOUT / HUIYI_LLM_DEADLINE.")

    def _rejected_error(self, exc: _Rejected) -> UpstreamError:
        return UpstreamError(f"{self._where} refused the request ({exc.status}: {exc}). Check HUIYI_LLM_MODEL "
                             "and HUIYI_LLM_MAX_TOKENS against what the server supports.", code="upstream_rejected")

    def _status_error(self, exc: Any) -> UpstreamError:
        status = exc.status_code
        if status in (401, 403):
            hint = "check OPENAI_API_KEY (or HUIYI_OPENAI_API_KEY) for this endpoint"
        elif status == 404:
            hint = "check that OPENAI_BASE_URL ends with /v1 and that HUIYI_LLM_MODEL exists on the server"
        else:
            hint = "check the server's logs"
        return UpstreamError(f"{self._where} answered {status}: {_error_message(exc)}; {hint}.",
                             code="upstream_auth" if status in (401, 403) else "upstream_error")


def _reported(fmt: _Rung) -> ResponseFormat:
    return "json_object" if fmt == "json_object+schema" else fmt


def _with_format(messages: Sequence[Message], fmt: _Rung, schema: dict[str, Any]) -> list[Message]:
    """json_object and plain text do not carry the schema, so the prompt must; appended to the last
    user turn because some chat templates (Gemma's) refuse a system message after the first."""
    out = [dict(m) for m in messages]
    if fmt == "json_schema":
        return out
    for m in reversed(out):
        if m.get("role") == "user":
            m["content"] = f"{m['content']}\n\n{json_only_instruction(schema)}"
            return out
    return [*out, {"role": "user", "content": json_only_instruction(schema)}]


def _response_format(fmt: _Rung, schema: dict[str, Any]) -> dict[str, Any] | None:
    if fmt == "json_schema":
        name = re.sub(r"[^A-Za-z0-9_-]", "_", str(schema.get("title") or "output"))[:64]
        # strict mode demands every property required and no extras, which pydantic schemas are not.
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}
    if fmt == "json_object+schema":
        return {"type": "json_object", "schema": schema}
    if fmt == "json_object":
        return {"type": "json_object"}
    return None


def _usage(usage: Any) -> Usage:
    if usage is None:
        return Usage()
    return Usage(prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                 completion_tokens=getattr(usage, "completion_tokens", 0) or 0)


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _backoff(attempt: int) -> float:
    return min(8.0, 0.5 * 2**attempt)


def _error_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
        if isinstance(err, str):
            return err[:300]
    return str(getattr(exc, "message", exc))[:300]
