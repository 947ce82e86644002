"""API keys with scopes: read (ask, search, summaries), write (upload, replace, delete), admin (keys).

Keys come from `HUIYI_API_KEYS` and/or `HUIYI_API_KEY_FILE`; only their SHA-256 hashes are kept (the file
holds nothing else), compared in constant time against every stored hash. A missing and a wrong key get
the same 401 with `WWW-Authenticate`; a key without the needed scope gets 403. With no keys configured,
huiyi serves loopback clients only (unless HUIYI_ALLOW_OPEN_BIND), which `huiyi serve` says at start.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fastapi import Request

from huiyi.config import Settings
from huiyi.errors import BadInput, HuiyiError, NotFound

Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "write", "admin")
_RANK = {s: i for i, s in enumerate(SCOPES)}
REALM = 'Bearer realm="huiyi"'


class Unauthorized(HuiyiError):
    code = "unauthorized"
    http_status = 401

    def __init__(self) -> None:  # one body for a missing and a wrong key
        super().__init__("需要有效的 API 密钥 / a valid API key is required: send `Authorization: Bearer <key>` or `X-API-Key`.")
        self.headers = {"WWW-Authenticate": REALM}


class Forbidden(HuiyiError):
    code = "forbidden"
    http_status = 403

    def __init__(self, message: str, *, code: str = "forbidden", headers: dict[str, str] | None = None):
        super().__init__(message, code=code)
        self.headers = headers or {}


@dataclass(frozen=True)
class ApiKey:
    id: str  # first 12 hex of the hash: safe to show and log
    scope: Scope
    digest: str
    name: str = ""
    source: Literal["settings", "file"] = "settings"
    kbs: tuple[str, ...] = ()  # knowledge bases the key is limited to (empty: all)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    return "hy_" + secrets.token_urlsafe(32)


class KeyRing:
    """The configured keys; the key file is re-read when it changes (so `huiyi keys add` needs no restart)."""

    def __init__(self, settings: Settings):
        self.file = settings.api_key_file
        self._static = _parse_setting(settings.api_keys or "")
        self._file_keys: list[ApiKey] = []
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._reload()

    @property
    def enabled(self) -> bool:
        self._reload()
        return bool(self._static or self._file_keys)

    def keys(self) -> list[ApiKey]:
        self._reload()
        return self._static + self._file_keys

    def verify(self, presented: str | None) -> ApiKey | None:
        """The matching key, comparing against every hash in constant time (no early exit)."""
        if not presented:
            return None
        digest = hash_key(presented)
        found = None
        for key in self.keys():
            if hmac.compare_digest(digest, key.digest):
                found = key
        return found

    # ---- the key file

    def add(self, scope: str, name: str = "", kbs: list[str] | tuple[str, ...] = ()) -> tuple[str, ApiKey]:
        if scope not in SCOPES:
            raise BadInput(f"scope 应为 read、write 或 admin / scope must be one of {', '.join(SCOPES)}.", code="bad_scope")
        if self.file is None:
            raise HuiyiError("未配置密钥文件 / no key file: set HUIYI_API_KEY_FILE to manage keys.", code="no_key_file",
                             http_status=409)
        from huiyi.kb import validate_kb_name

        name = " ".join(name.split())[:60]
        limited = tuple(sorted({validate_kb_name(k) for k in kbs}))
        key = new_key()
        digest = hash_key(key)
        extra = f" kbs={','.join(limited)}" if limited else ""
        with self._lock:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(f"{scope} sha256:{digest}{extra} {name}".rstrip() + "\n")
        self._stamp = None
        return key, ApiKey(digest[:12], scope, digest, name, "file", limited)

    def remove(self, key_id: str) -> None:
        if self.file is None or not any(k.id == key_id for k in self.keys() if k.source == "file"):
            raise NotFound(f"没有这个密钥 / no key {key_id[:20]!r} in the key file.", code="unknown_key")
        with self._lock:
            lines = self.file.read_text(encoding="utf-8").splitlines()
            kept = [ln for ln in lines if not (len(ln.split()) >= 2 and ln.split()[1].removeprefix("sha256:")[:12] == key_id)]
            tmp = self.file.with_name(self.file.name + f".{secrets.token_hex(4)}")
            tmp.write_text("".join(ln + "\n" for ln in kept), encoding="utf-8")
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.file)
        self._stamp = None

    def _reload(self) -> None:
        if self.file is None:
            return
        try:
            st = self.file.stat()
        except FileNotFoundError:
            self._file_keys, self._stamp = [], None
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        with self._lock:
            self._file_keys = _parse_file(self.file)
            self._stamp = stamp


def _parse_setting(raw: str) -> list[ApiKey]:
    keys = []
    for item in (p.strip() for p in raw.split(",")):
        if not item:
            continue
        scope, _, secret = item.partition(":")
        if scope not in SCOPES or not secret:
            raise BadInput("HUIYI_API_KEYS: each entry is `scope:key` with scope read, write or admin.", code="bad_api_keys")
        digest = secret[7:].lower() if secret.startswith("sha256:") else hash_key(secret)
        keys.append(ApiKey(digest[:12], scope, digest, "", "settings"))
    return keys


def _parse_file(path: Path) -> list[ApiKey]:
    """Lines `scope sha256:<hex> [kbs=a,b] [name…]`; anything else (comments, junk) is skipped."""
    keys = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2 or line.lstrip().startswith("#") or parts[0] not in SCOPES:
            continue
        digest = parts[1].removeprefix("sha256:").lower()
        rest = parts[2:]
        kbs: tuple[str, ...] = ()
        if rest and rest[0].startswith("kbs="):
            kbs = tuple(k for k in rest.pop(0)[4:].split(",") if k)
        if len(digest) == 64:
            keys.append(ApiKey(digest[:12], parts[0], digest, " ".join(rest), "file", kbs))
    return keys


# ---- which scope a request needs ------------------------------------------------------------------

PUBLIC = {"/healthz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
API_PREFIXES = ("/documents", "/search", "/ask", "/indicators", "/jobs", "/keys", "/kbs", "/v1", "/retrieval", "/mcp")
READ_POSTS = ("/ask", "/ask/stream", "/v1/chat/completions", "/retrieval")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def required_scope(method: str, path: str) -> Scope | None:
    """The scope a request needs; None for public ones. Unknown API paths are denied by default."""
    method = method.upper()
    if method == "OPTIONS" or (path in PUBLIC and method in ("GET", "HEAD")):
        return None
    if not any(_under(path, p) for p in API_PREFIXES):
        return None if method in ("GET", "HEAD") else "write"  # the page's files are public; nothing else writes
    if _under(path, "/keys"):
        return "admin"
    if method in ("GET", "HEAD") or path.rstrip("/") in READ_POSTS or _under(path, "/mcp"):
        return "read"  # /mcp's tools only read
    return "write"


class ApiKeyAuth:
    """ASGI middleware: checks the key for every request against `required_scope`, before any route runs.

    A valid key lands in `scope["state"]["api_key"]` (`request.state.api_key`), which limits knowledge bases.
    Errors come in the shape of the surface asked: OpenAI's under /v1, Dify's at /retrieval, ours elsewhere."""

    def __init__(self, app, *, keys: KeyRing, allow_open: bool):
        self.app = app
        self.keys = keys
        self.allow_open = allow_open

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        needed = required_scope(scope["method"], scope["path"])
        if needed is not None:
            try:
                key = self._check(scope, needed)
            except HuiyiError as exc:
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
                await _reject(send, scope["path"], exc, presented=_presented(headers) is not None)
                return
            if key is not None:
                scope.setdefault("state", {})["api_key"] = key
        await self.app(scope, receive, send)

    def _check(self, scope, needed: Scope) -> ApiKey | None:
        if not self.keys.enabled:
            client = scope.get("client")
            if not self.allow_open and not is_loopback(client[0] if client else None):
                raise Forbidden("未配置 API 密钥时只接受本机请求 / with no API keys configured huiyi answers loopback "
                                "clients only; configure HUIYI_API_KEYS.", code="loopback_only")
            return None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = self.keys.verify(_presented(headers))
        if key is None:
            raise Unauthorized()
        if _RANK[key.scope] < _RANK[needed]:
            raise Forbidden(f"此密钥无 {needed} 权限 / this key's scope ({key.scope}) does not allow this; a {needed} key is needed.",
                            code="insufficient_scope",
                            headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{needed}"'})
        return key


def _presented(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return headers.get("x-api-key") or None


async def _reject(send, path: str, exc: HuiyiError, presented: bool) -> None:
    from huiyi.server.security import send_json

    headers = dict(getattr(exc, "headers", None) or {})
    status = exc.http_status
    if _under(path, "/v1"):
        from huiyi.server.openai_wire import error_body

        code = "invalid_api_key" if status == 401 else exc.code  # what OpenAI's SDKs expect
        await send_json(send, status, error_body(status, exc.message, code), headers)
    elif _under(path, "/retrieval"):  # Dify's codes: 1001 no usable Bearer header, 1002 authorization failed
        if isinstance(exc, Unauthorized) and not presented:
            body = {"error_code": 1001, "error_msg": "Invalid Authorization header format. Expected 'Bearer <api-key>' format."}
        else:
            body = {"error_code": 1002, "error_msg": f"Authorization failed: {exc.message}"}
        await send_json(send, 403, body, headers)
    else:
        await send_json(send, status, exc.to_dict(), headers)


def presented_key(request: Request) -> str | None:
    return _presented({k.lower(): v for k, v in request.headers.items()})


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
