"""The CLI's way to a running `huiyi serve`: answers in milliseconds instead of loading the models per call.

`find_server(settings)` decides: `HUIYI_URL` when set (`local` turns the lookup off), else the default
server on HUIYI_HOST:HUIYI_PORT — but only when it serves the same store (its /healthz `store_id`
matches this configuration's), so a server over other reports never answers by accident.
`RemoteHuiyi` offers the methods the CLI calls on `Huiyi`, over HTTP, with the same return types.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from huiyi.config import Settings
from huiyi.errors import BadInput, HuiyiError, NotFound, StoreMismatch, StoreUnavailable, UpstreamError

if TYPE_CHECKING:
    import httpx

    from huiyi.index.records import SearchFilters, SearchHit
    from huiyi.qa.models import AskRequest, AskResponse

PROBE_SECONDS = 0.5  # autodetect: how long a server on the default port may take to say who it is
LOCAL = "local"  # HUIYI_URL=local: never use a server


def store_id(settings: Settings) -> str:
    """Names a store without revealing its path: the same for the CLI and a server reading the same store."""
    where = settings.chroma_url or str(settings.data_dir.expanduser().resolve())
    return hashlib.sha256(f"{where}|{settings.collection}".encode()).hexdigest()[:16]


def find_server(settings: Settings) -> str | None:
    """Base URL of the server the CLI should use, or None to work on the store directly."""
    if settings.url:
        return None if settings.url.strip().lower() == LOCAL else settings.url.rstrip("/")
    import httpx

    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    base = f"http://{host}:{settings.port}"
    try:
        got = httpx.get(f"{base}/healthz", timeout=PROBE_SECONDS, headers=_auth(settings))
        body = got.json() if got.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        return None
    return base if isinstance(body, dict) and body.get("store_id") == store_id(settings) else None


def _auth(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}


class RemoteHuiyi:
    """ask / search / summary_export / documents against a running server."""

    def __init__(self, base_url: str, settings: Settings, timeout: float = 120.0):
        import httpx

        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=timeout, headers=_auth(settings))

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreUnavailable(
                f"无法连接服务 / cannot reach the huiyi server at {self.base_url} ({exc.__class__.__name__}). "
                "Start it with `huiyi serve`, fix HUIYI_URL, or set HUIYI_URL=local to read the store directly."
            ) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response

    def resolve_kbs(self, kbs: list[str] | None, allowed: list[str] | None = None) -> list[str] | None:
        return kbs or None  # the server resolves and checks them

    def ask(self, request: AskRequest) -> AskResponse:
        from huiyi.qa.models import AskResponse

        body = request.model_dump(mode="json", exclude_none=True)
        return AskResponse.model_validate(self._call("POST", "/ask", json=body).json())

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[SearchHit]:
        from huiyi.index.records import SearchHit

        params: list[tuple[str, Any]] = [("q", query), ("k", k or 8)]
        if filters is not None:
            params += [("kb", kb) for kb in filters.kbs or []] + [("doc_id", d) for d in filters.doc_ids or []]
        results = self._call("GET", "/search", params=params).json()["results"]
        return [SearchHit.model_validate({"score": 0.0, **r}) for r in results]

    def summary_export(self, doc_id: str, fmt: str, variant: str = "clean") -> tuple[bytes, str, str]:
        got = self._call("GET", f"/documents/{quote(doc_id, safe='')}/summary", params={"format": fmt, "variant": variant})
        disposition = got.headers.get("content-disposition", "")
        name = unquote(disposition.split("filename*=UTF-8''", 1)[1]) if "filename*=UTF-8''" in disposition else f"{doc_id}.{fmt}"
        return got.content, got.headers.get("content-type", ""), name

    def documents(self, kbs: list[str] | None = None) -> list:
        from huiyi.index.records import DocumentRecord

        got = self._call("GET", "/documents", params=[("kb", kb) for kb in kbs or []]).json()
        return [DocumentRecord.model_validate(d) for d in got["documents"]]


def _error(response: httpx.Response) -> HuiyiError:
    """The server's {code, message} as the project exception with the matching exit code."""
    try:
        body = response.json()
        code, message = str(body.get("code", "error")), str(body.get("message", response.text))
    except ValueError:
        code, message = "http_error", response.text[:300]
    status = response.status_code
    kind: type[HuiyiError] = HuiyiError
    if status == 404:
        kind = NotFound
    elif status in (400, 401, 403, 413, 422):
        kind = BadInput
    elif code == "embedding_mismatch":
        kind = StoreMismatch
    elif status in (502, 504):
        kind = UpstreamError
    elif status in (429, 503):
        kind = StoreUnavailable
    return kind(message, code=code)
