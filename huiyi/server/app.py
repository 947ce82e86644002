"""The FastAPI app factory: `create_app(settings)` builds a fresh app (tests build many)."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from huiyi import __version__
from huiyi.config import Settings
from huiyi.core import Huiyi
from huiyi.errors import HuiyiError
from huiyi.jobs import Busy, JobQueue
from huiyi.server.auth import ApiKeyAuth, KeyRing
from huiyi.server.limits import AskLimiter
from huiyi.server.security import BodyLimit, CrossSiteGuard
from huiyi.server.uploads import run_job

log = logging.getLogger("huiyi")
STATIC_DIR = Path(__file__).parent / "web" / "static"
HEALTH_DEADLINE = 0.5  # seconds: /healthz answers from its last reading rather than wait longer
# Validation error types reported under their own code instead of the generic `invalid_request`.
_OWN_CODES = {"invalid_characters"}


def create_app(settings: Settings | None = None, service: Huiyi | None = None, *, background_start: bool = False) -> FastAPI:
    """`background_start` (huiyi serve): once listening, index the seeds into an empty store and warm the models
    in the background (huiyi.server.startup); /healthz reports both."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.startup is not None:
            app.state.startup.start()
        try:
            async with app.state.mcp.session_manager.run():  # the /mcp transport's task group
                yield
        finally:
            startup = app.state.startup
            if startup is not None:
                startup.stop()  # no warming from now on
            await asyncio.to_thread(app.state.jobs.close)  # a running upload finishes its write; seeding stops
            if startup is not None:
                await asyncio.to_thread(startup.join, 10.0)

    app = FastAPI(
        title="huiyi 会议报告问答",
        version=__version__,
        description="Questions with verbatim citations and one-click meeting summaries over Chinese meeting reports.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = service = service or Huiyi.open(settings)
    app.state.keys = KeyRing(settings)
    app.state.jobs = JobQueue(lambda spec, progress: run_job(service, spec, progress), maxsize=settings.job_queue)
    app.state.startup = None
    if background_start:
        from huiyi.server.startup import Startup

        app.state.startup = Startup(service, settings, app.state.jobs)
    _install_error_handlers(app)

    from huiyi.server.api import admin, documents, kbs, qa
    from huiyi.server.api.deps import DifyErrorBody, OpenAIErrorBody, errors, surface_errors

    # Every route documents the errors the guards in front of it can answer with (the fuzz test holds us to it).
    app.include_router(documents.router)
    app.include_router(qa.router)
    app.include_router(kbs.router, responses=errors(404, 409))
    app.include_router(admin.router)
    from huiyi.server import dify, openai_compat

    app.include_router(openai_compat.router, responses=surface_errors(OpenAIErrorBody))
    app.include_router(dify.router, responses=surface_errors(DifyErrorBody))
    from huiyi.server.mcp_server import mount_mcp

    app.state.mcp = mount_mcp(app, lambda: app.state.service, settings.host, settings.mcp_allowed_hosts)
    _install_health(app)

    # add_middleware wraps: the last added runs first. Order of a request: CORS → cross-site → body limit →
    # API key (sets request.state.api_key, which scopes knowledge bases) → question limiter → the routes.
    app.add_middleware(
        AskLimiter, concurrency=settings.ask_concurrency, queue=settings.ask_queue, timeout=settings.ask_queue_timeout,
        per_minute=settings.rate_per_minute, llm_summaries=service.llm is not None,
    )
    app.add_middleware(ApiKeyAuth, keys=app.state.keys, allow_open=settings.allow_open_bind)
    app.add_middleware(BodyLimit, upload_bytes=settings.max_upload_bytes, other_bytes=settings.max_request_bytes)
    app.add_middleware(CrossSiteGuard, allowed_origins=settings.cors_origins)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"], expose_headers=["Location", "Retry-After"],
        )
    if STATIC_DIR.is_dir():
        app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="web")
    return app


def _install_health(app: FastAPI) -> None:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="huiyi-health")
    state: dict = {"last": None, "pending": None}

    @app.get("/healthz", tags=["health"], response_model=dict)
    async def healthz(request: Request) -> dict | JSONResponse:
        """Liveness and a summary; always answers within a second (from the last reading when the store is busy)."""
        startup = request.app.state.startup
        extra = {"auth": "api_key" if request.app.state.keys.enabled else "none",
                 "jobs_queued": request.app.state.jobs.pending(), **(startup.status() if startup else {})}
        pending = state["pending"]
        if pending is None or pending.done():
            pending = state["pending"] = asyncio.wrap_future(pool.submit(request.app.state.service.health))
        try:
            state["last"] = (await asyncio.wait_for(asyncio.shield(pending), HEALTH_DEADLINE), time.monotonic())
        except TimeoutError:
            if state["last"] is None:
                return {"status": "ok", "busy": True, **extra}
        except HuiyiError as exc:
            return JSONResponse({"status": "error", "code": exc.code, "message": exc.message}, status_code=503)
        body, at = state["last"]
        return {**body, **extra, "age_s": round(time.monotonic() - at, 2)}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HuiyiError)
    async def huiyi_error(_: Request, exc: HuiyiError) -> JSONResponse:
        headers = dict(getattr(exc, "headers", None) or {})
        if isinstance(exc, Busy):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers or None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        from huiyi.server.security import shaped

        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        message = {404: "没有这个地址或文档。/ No such path or document.", 405: "不支持这个请求方法。/ Method not allowed."}
        body = shaped(request.url.path, exc.status_code, codes.get(exc.status_code, "http_error"),
                      message.get(exc.status_code, str(exc.detail)))
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        code = first.get("type") if first.get("type") in _OWN_CODES else "invalid_request"
        message = f"请求参数有误 ({where}): {first.get('msg', 'invalid')}"
        return JSONResponse({"code": code, "message": message}, status_code=422)

    @app.exception_handler(ClientDisconnect)
    async def disconnected(_: Request, exc: ClientDisconnect) -> JSONResponse:
        return JSONResponse({"code": "client_disconnected", "message": "client went away"}, status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(
            {"code": "internal_error", "message": "服务内部错误,请查看服务日志。/ Internal error; see the server log."},
            status_code=500,
        )
