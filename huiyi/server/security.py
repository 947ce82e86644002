"""ASGI guards in front of the routes: request-body limits (streamed, chunked included) and cross-site writes.

Body limit: a declared Content-Length over the limit is refused before reading; a chunked body is
counted as it arrives and refused with 413 the moment it passes the limit (the rest is never read).
Cross-site: a browser can send a multipart POST from any page without a preflight, so every unsafe
method must come from our own origin or one in HUIYI_CORS_ORIGINS (checked on `Origin`, and on
`Sec-Fetch-Site` when a browser sends no Origin). Non-browser clients send neither and are unaffected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

Scope = dict
Message = dict
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_UPLOAD_PATH = re.compile(r"^/documents(?:/[^/]+)?/?$")
MULTIPART_SLACK = 64 * 1024  # multipart framing and headers around the file


async def send_json(send: Send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()), (b"connection", b"close")]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": raw})


def shaped(path: str, status: int, code: str, message: str) -> dict:
    """An error body in the shape of the surface asked: OpenAI's under /v1, Dify's at /retrieval, ours elsewhere."""
    if path == "/v1" or path.startswith("/v1/"):
        from huiyi.server.openai_wire import error_body

        return error_body(status, message, code)
    if path.rstrip("/") == "/retrieval":
        return {"error_code": status, "error_msg": message}
    return {"code": code, "message": message}


async def send_error(send: Send, path: str, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    await send_json(send, status, shaped(path, status, code, message), headers)


def _too_large(limit: int) -> tuple[str, str]:
    return "too_large", f"请求体超过上限 {limit} 字节 / the request body is over {limit} bytes; split the file or raise the limit."


class BodyLimit:
    def __init__(self, app: ASGIApp, *, upload_bytes: int, other_bytes: int):
        self.app = app
        self.upload_bytes = upload_bytes + MULTIPART_SLACK
        self.other_bytes = other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes if _UPLOAD_PATH.match(scope["path"]) else self.other_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await send_error(send, scope["path"], 413, *_too_large(limit - (MULTIPART_SLACK if limit == self.upload_bytes else 0)))
            return
        state = {"received": 0, "tripped": False, "started": False}

        async def limited_receive() -> Message:
            if state["tripped"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["tripped"] = True
                    if not state["started"]:
                        state["started"] = True
                        await send_error(send, scope["path"], 413,
                                         *_too_large(limit - (MULTIPART_SLACK if limit == self.upload_bytes else 0)))
                    return {"type": "http.disconnect"}  # the app stops reading; its own reply is dropped below
            return message

        async def guarded_send(message: Message) -> None:
            if state["tripped"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


def same_origin(origin: str, host: str | None) -> bool:
    parts = urlsplit(origin)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc.lower() == (host or "").lower()


class CrossSiteGuard:
    def __init__(self, app: ASGIApp, *, allowed_origins: list[str]):
        self.app = app
        self.allowed = {o.rstrip("/").lower() for o in allowed_origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE and not self._allowed(scope):
            await send_error(send, scope["path"], 403, "cross_site_forbidden",
                             "拒绝跨站写请求 / cross-site requests may not change data; call the API from this site's own "
                             "page, or add the calling site to HUIYI_CORS_ORIGINS.")
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        if origin is not None:
            origin = origin.strip().rstrip("/").lower()
            return origin in self.allowed or same_origin(origin, headers.get("host"))
        site = headers.get("sec-fetch-site", "").lower()
        return site not in ("cross-site", "same-site")
