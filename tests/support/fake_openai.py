"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for protocol tests.

It is a real server (http.server in a thread), so the `openai` client, its timeouts and its
streaming parser are exercised exactly as against a remote endpoint. Each route takes the next
behaviour from its script; an empty script answers `ok(default_text)`.

    with FakeOpenAI() as fake:
        fake.script(status(429, retry_after=1), ok("你好"))
        llm = OpenAILLM(Settings(openai_base_url=fake.base_url, llm_model="fake"))
        ...
        fake.requests  # every request: path, headers, json body, time received
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# -- behaviours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ok:
    text: str
    finish_reason: str = "stop"
    prompt_tokens: int | None = None  # None: a rough count of the request's characters
    completion_tokens: int | None = None  # None: one per character
    delay: float = 0.0  # seconds between stream deltas (or before a non-stream reply)
    chunk_chars: int = 4  # characters per stream delta


@dataclass(frozen=True)
class Sleep:
    seconds: float  # hold the request this long, then answer `then`
    then: Any = None


@dataclass(frozen=True)
class Status:
    code: int
    retry_after: float | str | None = None
    message: str = "scripted error"


@dataclass(frozen=True)
class Malformed:
    body: str = '{"id": "x", "choices": [ {"message": '  # truncated JSON, status 200


@dataclass(frozen=True)
class EmptyChoices:
    pass


@dataclass(frozen=True)
class StreamCut:
    text: str  # sent as deltas, then the connection drops without finish_reason or [DONE]
    chunk_chars: int = 4


def ok(text: str, **kw: Any) -> Ok:
    return Ok(text, **kw)


def sleep(seconds: float, then: Any = None) -> Sleep:
    return Sleep(seconds, then)


def status(code: int, retry_after: float | str | None = None, message: str = "scripted error") -> Status:
    return Status(code, retry_after, message)


def malformed(body: str | None = None) -> Malformed:
    return Malformed(body) if body is not None else Malformed()


def empty_choices() -> EmptyChoices:
    return EmptyChoices()


def stream_cut(text: str, chunk_chars: int = 4) -> StreamCut:
    return StreamCut(text, chunk_chars)


# -- recorded requests --------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any] | None
    at: float = field(default_factory=time.monotonic)

    @property
    def response_format(self) -> str | None:
        fmt = (self.body or {}).get("response_format")
        return fmt.get("type") if isinstance(fmt, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages") or [])


# -- server -------------------------------------------------------------------------------


class FakeOpenAI:
    """Scripted OpenAI-compatible server; use as a context manager."""

    def __init__(self, *, default_text: str = "好的。", model: str = "fake-model",
                 reject_json_schema: bool = False, embedding_dim: int = 8):
        self.default_text = default_text
        self.model = model
        # A server that does not know response_format json_schema answers 400 without
        # consuming the script, like older vLLM/llama.cpp builds.
        self.reject_json_schema = reject_json_schema
        self.embedding_dim = embedding_dim
        self.requests: list[RecordedRequest] = []
        self._scripts: dict[str, deque[Any]] = {"chat": deque(), "embeddings": deque()}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # scripting
    def script(self, *behaviours: Any, route: str = "chat") -> FakeOpenAI:
        with self._lock:
            self._scripts[route].extend(behaviours)
        return self

    def pending(self, route: str = "chat") -> int:
        with self._lock:
            return len(self._scripts[route])

    def _next(self, route: str) -> Any:
        with self._lock:
            queue = self._scripts[route]
            return queue.popleft() if queue else None

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # lifecycle
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    # routing
    def do_GET(self) -> None:
        self.fake._record(RecordedRequest("GET", self.path, _headers(self), None))
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": self.fake.model, "object": "model"}]})
        else:
            self._json(404, {"error": {"message": "not found", "type": "not_found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = None
        self.fake._record(RecordedRequest("POST", self.path, _headers(self), body))
        try:
            if self.path.endswith("/chat/completions"):
                self._chat(body or {})
            elif self.path.endswith("/embeddings"):
                self._embeddings(body or {})
            else:
                self._json(404, {"error": {"message": "not found", "type": "not_found"}})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test); nothing to answer

    # chat
    def _chat(self, body: dict[str, Any]) -> None:
        fmt = body.get("response_format") or {}
        if self.fake.reject_json_schema and fmt.get("type") == "json_schema":
            self._json(400, {"error": {"message": "response_format json_schema is not supported",
                                       "type": "invalid_request_error", "param": "response_format"}})
            return
        behaviour = self.fake._next("chat") or Ok(self.fake.default_text)
        self._serve(behaviour, body)

    def _serve(self, behaviour: Any, body: dict[str, Any]) -> None:
        if isinstance(behaviour, Sleep):
            time.sleep(behaviour.seconds)
            behaviour = behaviour.then or Ok(self.fake.default_text)
        if isinstance(behaviour, Status):
            self._status(behaviour)
        elif isinstance(behaviour, Malformed):
            self._raw(200, behaviour.body.encode(), "application/json")
        elif isinstance(behaviour, EmptyChoices):
            self._json(200, {**_envelope(self.fake.model), "choices": []})
        elif isinstance(behaviour, StreamCut):
            self._stream(body, behaviour.text, behaviour.chunk_chars, cut=True)
        elif isinstance(behaviour, Ok):
            if body.get("stream"):
                self._stream(body, behaviour.text, behaviour.chunk_chars, behaviour=behaviour)
            else:
                time.sleep(behaviour.delay)
                self._json(200, _completion(self.fake.model, body, behaviour))
        else:
            raise TypeError(f"unknown behaviour {behaviour!r}")

    def _status(self, b: Status) -> None:
        headers = {}
        if b.retry_after is not None:
            headers["Retry-After"] = str(b.retry_after)
        kind = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error"}.get(b.code, "server_error")
        self._json(b.code, {"error": {"message": b.message, "type": kind}}, headers)

    def _stream(self, body: dict[str, Any], text: str, chunk_chars: int, *,
                behaviour: Ok | None = None, cut: bool = False) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        env = _envelope(self.fake.model, obj="chat.completion.chunk")
        first = {"role": "assistant", "content": ""}
        self._event({**env, "choices": [{"index": 0, "delta": first, "finish_reason": None}]})
        for i in range(0, len(text), max(1, chunk_chars)):
            if behaviour is not None and behaviour.delay:
                time.sleep(behaviour.delay)
            delta = {"content": text[i:i + chunk_chars]}
            self._event({**env, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        if cut:
            # Drop the connection mid-body: no terminating chunk, no finish_reason, no [DONE].
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        assert behaviour is not None
        self._event({**env, "choices": [{"index": 0, "delta": {}, "finish_reason": behaviour.finish_reason}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event({**env, "choices": [], "usage": _usage(body, behaviour)})
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")

    def _event(self, payload: dict[str, Any]) -> None:
        self._chunk(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    # embeddings
    def _embeddings(self, body: dict[str, Any]) -> None:
        behaviour = self.fake._next("embeddings")
        if isinstance(behaviour, Sleep):
            time.sleep(behaviour.seconds)
            behaviour = behaviour.then
        if isinstance(behaviour, Status):
            return self._status(behaviour)
        if isinstance(behaviour, Malformed):
            return self._raw(200, behaviour.body.encode(), "application/json")
        inputs = body.get("input") or []
        inputs = [inputs] if isinstance(inputs, str) else list(inputs)
        data = [{"object": "embedding", "index": i, "embedding": _vector(str(t), self.fake.embedding_dim)}
                for i, t in enumerate(inputs)]
        tokens = sum(len(str(t)) for t in inputs)
        self._json(200, {"object": "list", "data": data, "model": body.get("model") or self.fake.model,
                         "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    # plumbing
    def _json(self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._raw(code, json.dumps(payload, ensure_ascii=False).encode(), "application/json", headers)

    def _raw(self, code: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()


def _envelope(model: str, obj: str = "chat.completion") -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": obj, "created": int(time.time()), "model": model}


def _usage(body: dict[str, Any], b: Ok) -> dict[str, int]:
    prompt = b.prompt_tokens
    if prompt is None:
        prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages") or [])
    completion = b.completion_tokens if b.completion_tokens is not None else len(b.text)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(model: str, body: dict[str, Any], b: Ok) -> dict[str, Any]:
    message = {"role": "assistant", "content": b.text}
    return {**_envelope(model), "choices": [{"index": 0, "message": message, "finish_reason": b.finish_reason}],
            "usage": _usage(body, b)}


def _vector(text: str, dim: int) -> list[float]:
    """Deterministic unit-ish vector from the text's hash, so equal inputs embed equally."""
    digest = hashlib.sha256(text.encode()).digest()
    raw = [(digest[i % len(digest)] - 127.5) / 127.5 for i in range(dim)]
    norm = sum(x * x for x in raw) ** 0.5 or 1.0
    return [x / norm for x in raw]


def _headers(handler: BaseHTTPRequestHandler) -> dict[str, str]:
    return {k.lower(): v for k, v in handler.headers.items()}  # HTTP header names are case-insensitive
