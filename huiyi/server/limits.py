"""Bounded question answering: a few at a time, a short bounded wait, a per-client rate; the rest get 429.

Answering costs CPU (embedding, extraction) or LLM calls; an unbounded queue of them turns overload into
timeouts for everyone (and starves /healthz). `AskLimiter` is ASGI middleware on /ask, /ask/stream and, in
LLM mode, summaries (and /v1/chat/completions, /mcp): it holds a slot for the whole response, streamed ones included, and refuses with
429 + Retry-After when the waiting room is full, the wait runs out, or a client exceeds its rate.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import time
from collections import OrderedDict

from huiyi.server.security import ASGIApp, Receive, Scope, Send, send_error

# Everything that runs an answer: /ask and its stream, the OpenAI-compatible chat, MCP tool calls.
_ASK_PATHS = re.compile(r"^(?:/ask(?:/stream)?|/v1/chat/completions|/mcp)/?$")
_SUMMARY_PATH = re.compile(r"^/documents/[^/]+/summary/?$")


class TokenBuckets:
    """Per-client token buckets (rate per minute, burst of a tenth of a minute), bounded in number."""

    def __init__(self, per_minute: int, max_clients: int = 10_000):
        self.rate = per_minute / 60.0
        self.burst = max(1.0, per_minute / 10.0)
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str, now: float | None = None) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


class AskLimiter:
    def __init__(self, app: ASGIApp, *, concurrency: int, queue: int, timeout: float, per_minute: int, llm_summaries: bool):
        self.app = app
        self.concurrency = concurrency
        self.queue = queue
        self.timeout = timeout
        self.buckets = TokenBuckets(per_minute) if per_minute > 0 else None
        self.llm_summaries = llm_summaries
        self._sem: asyncio.Semaphore | None = None
        self._waiting = 0
        self._busy_seconds = 0.5  # running estimate of one answer, for Retry-After

    def _limited(self, scope: Scope) -> bool:
        if scope["type"] != "http":
            return False
        path = scope["path"]
        return bool(_ASK_PATHS.match(path)) or (self.llm_summaries and bool(_SUMMARY_PATH.match(path)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._limited(scope):
            await self.app(scope, receive, send)
            return
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.concurrency)
        if self.buckets is not None:
            wait = self.buckets.take(_client_key(scope))
            if wait > 0:
                await _busy(send, scope, "rate_limited", "请求过于频繁 / too many questions from this client", wait)
                return
        if self._sem.locked() and self._waiting >= self.queue:
            await _busy(send, scope, "too_busy", "服务繁忙 / the server is answering as many questions as it can",
                        self._busy_seconds * (1 + self._waiting / self.concurrency))
            return
        self._waiting += 1
        try:
            await asyncio.wait_for(self._sem.acquire(), self.timeout)
        except TimeoutError:
            await _busy(send, scope, "too_busy", "服务繁忙 / no answer slot became free in time", self._busy_seconds)
            return
        finally:
            self._waiting -= 1
        started = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self._sem.release()
            self._busy_seconds = 0.9 * self._busy_seconds + 0.1 * (time.monotonic() - started)


def _client_key(scope: Scope) -> str:
    headers = dict(scope["headers"])
    credential = headers.get(b"authorization") or headers.get(b"x-api-key")
    if credential:  # per key, without keeping the key itself
        return "k:" + hashlib.sha256(credential).hexdigest()[:16]
    client = scope.get("client")
    return "a:" + (client[0] if client else "?")


async def _busy(send: Send, scope: Scope, code: str, what: str, seconds: float) -> None:
    retry = max(1, math.ceil(seconds))
    await send_error(send, scope["path"], 429, code, f"{what}; retry in {retry} s.", {"Retry-After": str(retry)})
