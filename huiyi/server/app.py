"""The FastAPI app factory: `create_app(settings)` builds a fresh app (tests build many)."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from huiyi import __version__
from huiyi.config import Settings
from huiyi.core import Huiyi
from huiyi.errors import HuiyiError

log = logging.getLogger("huiyi")
STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None, service: Huiyi | None = None, *, background_start: bool = False) -> FastAPI:
    """`background_start` (huiyi serve): once listening, index the seeds into an empty store and warm the models
    in the background (huiyi.server.startup); /healthz reports both."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.startup is not None:
            app.state.startup.start()
        async with app.state.mcp.session_manager.run():  # the /mcp transport's task group
            yield

    app = FastAPI(
        title="huiyi 会议报告问答",
        version=__version__,
        description="Questions with verbatim citations and one-click meeting summaries over Chinese meeting reports.",
        lifespan=lifespan,
    )
    app.state.service = service or Huiyi.open(settings)
    app.state.startup = None
    if background_start:
        from huiyi.server.startup import Startup

        app.state.startup = Startup(app.state.service, settings)
    _install_error_handlers(app)

    from huiyi.server.api import documents, kbs, qa

    app.include_router(documents.router)
    app.include_router(qa.router)
    app.include_router(kbs.router)
    from huiyi.server import dify, openai_compat

    app.include_router(openai_compat.router)
    app.include_router(dify.router)
    from huiyi.server.mcp_server import mount_mcp

    app.state.mcp = mount_mcp(app, lambda: app.state.service, settings.host, settings.mcp_allowed_hosts)

    @app.get("/healthz", tags=["health"])
    def healthz(request: Request) -> dict:
        """Status, documents, mode; while the server indexes its seeds, `indexing` says how far it is."""
        startup = request.app.state.startup
        return {**request.app.state.service.health(), **(startup.status() if startup else {})}

    if STATIC_DIR.is_dir():
        app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="web")
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HuiyiError)
    async def huiyi_error(_: Request, exc: HuiyiError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.http_status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        message = {404: "没有这个地址或文档。/ No such path or document.", 405: "不支持这个请求方法。/ Method not allowed."}
        return JSONResponse(
            {"code": codes.get(exc.status_code, "http_error"), "message": message.get(exc.status_code, str(exc.detail))},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"请求参数有误 ({where}): {first.get('msg', 'invalid')}"
        return JSONResponse({"code": "invalid_request", "message": message}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(
            {"code": "internal_error", "message": "服务内部错误,请查看服务日志。/ Internal error; see the server log."},
            status_code=500,
        )
