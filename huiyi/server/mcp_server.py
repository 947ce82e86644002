"""An MCP server (official `mcp` SDK) over the same `Huiyi` calls the page uses.

`huiyi mcp` serves it over stdio; `create_app` mounts the streamable-HTTP transport at `/mcp`. Tools:
search_reports, ask_reports, get_meeting_summary, get_indicator_series, list_documents and
list_knowledge_bases, each with typed input and output schemas; the resource template
`huiyi://documents/{doc_id}/text` is a document's cleaned text (every citation's offsets point into it).
Every tool takes `kbs` (knowledge bases); over HTTP an API key limited to some knowledge bases limits them.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import BaseModel, Field

from huiyi import __version__
from huiyi.cite.models import Citation, Grounding
from huiyi.core import Huiyi
from huiyi.errors import HuiyiError
from huiyi.index.records import DocumentRecord, SearchFilters
from huiyi.kb import KnowledgeBase
from huiyi.qa.models import AskRequest, ChatTurn, Status
from huiyi.summary.indicators import IndicatorRow
from huiyi.summary.models import MeetingSummary

INSTRUCTIONS = (
    "huiyi answers questions over Chinese local-government meeting reports with verbatim citations. "
    "Prefer ask_reports for questions: it answers only from the reports, quotes its sources, says "
    "资料中未提及 when they do not say, and reports placeholder values (X) as undisclosed. Do not restate a "
    "number that is not in a returned quote. Use search_reports to browse passages, get_meeting_summary for "
    "会议纪要, get_indicator_series for one indicator across reports; pass kbs to stay inside knowledge bases."
)
KBS_FIELD = Field(None, description="Knowledge bases to read, e.g. [\"衡东县\"]; omitted: every report the caller may read.")


class Passage(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    text: str = Field(description="Verbatim: the document's cleaned text at [start, end).")
    start: int
    end: int
    section: str = ""
    score: float


class SearchResults(BaseModel):
    results: list[Passage]


class Answer(BaseModel):
    answer: str
    status: Status = Field(description="answered, not_found (资料中未提及) or undisclosed (the report withholds the value)")
    citations: list[Citation] = Field(description="quote == cleaned text of doc_id at [start, end)")
    mode: Literal["extractive", "llm"]
    grounding: Grounding
    fallback: str | None = None


class IndicatorSeries(BaseModel):
    indicator: str
    rows: list[IndicatorRow]


class DocumentList(BaseModel):
    documents: list[DocumentRecord]


class KnowledgeBaseList(BaseModel):
    kbs: list[KnowledgeBase]


def build_mcp(get_service: Callable[[], Huiyi], host: str = "127.0.0.1") -> Any:
    """The MCP server; `get_service` is called per request (the app's service, or one opened for stdio)."""
    # WARNING: the SDK would otherwise log every request at INFO through its own handler.
    mcp = MCPServer("huiyi", title="huiyi 会议报告问答", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")

    def scope(ctx: Context | None, kbs: list[str] | None) -> list[str] | None:
        try:
            return get_service().resolve_kbs(kbs, _allowed_kbs(ctx))
        except HuiyiError as exc:
            raise ToolError(f"{exc.code}: {exc.message}") from exc

    def call(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except HuiyiError as exc:
            raise ToolError(f"{exc.code}: {exc.message}") from exc

    @mcp.tool(title="Search the reports")
    def search_reports(ctx: Context, query: str, k: int = Field(8, ge=1, le=50), kbs: list[str] | None = KBS_FIELD) -> SearchResults:
        """Hybrid (keyword + vector) search over report passages; each passage is verbatim with its offsets."""
        scoped = scope(ctx, kbs)
        hits = call(lambda: get_service().search(query, k=k, filters=SearchFilters(kbs=scoped) if scoped else None))
        return SearchResults(results=[Passage(**h.model_dump(include=set(Passage.model_fields))) for h in hits])

    @mcp.tool(title="Ask the reports")
    def ask_reports(ctx: Context, question: str, history: list[ChatTurn] | None = None,
                    kbs: list[str] | None = KBS_FIELD) -> Answer:
        """Answer from the reports with verbatim citations; status not_found means 资料中未提及."""
        scoped = scope(ctx, kbs)
        request = AskRequest(question=question, history=history or [], filters=SearchFilters(kbs=scoped) if scoped else None)
        response = call(lambda: get_service().ask(request))
        return Answer(**response.model_dump(include=set(Answer.model_fields)))

    @mcp.tool(title="Meeting summary (会议纪要)")
    def get_meeting_summary(ctx: Context, doc_id: str, kbs: list[str] | None = KBS_FIELD) -> MeetingSummary:
        """The structured meeting summary of one report; every field cites its source sentence with offsets."""
        scoped = scope(ctx, kbs)
        return call(lambda: (get_service().record(doc_id, scoped), get_service().summary(doc_id))[1])

    @mcp.tool(title="One indicator across reports")
    def get_indicator_series(ctx: Context, name: str, region: str | None = None,
                             kbs: list[str] | None = KBS_FIELD) -> IndicatorSeries:
        """Every report's value of one indicator (GDP, 固定资产投资, …) with period, change and a citation."""
        scoped = scope(ctx, kbs)
        return IndicatorSeries.model_validate(call(lambda: get_service().indicators(name, region, scoped)))

    @mcp.tool(title="List documents")
    def list_documents(ctx: Context, kbs: list[str] | None = KBS_FIELD) -> DocumentList:
        """Stored reports (id, title, date, region, knowledge bases); read one as huiyi://documents/{id}/text."""
        scoped = scope(ctx, kbs)
        return DocumentList(documents=call(lambda: get_service().documents(scoped)))

    @mcp.tool(title="List knowledge bases")
    def list_knowledge_bases(ctx: Context) -> KnowledgeBaseList:
        """Knowledge bases (知识库) with their document counts; pass their names as `kbs` to the other tools."""
        allowed = _allowed_kbs(ctx)
        kbs = call(lambda: get_service().knowledge_bases())
        return KnowledgeBaseList(kbs=[k for k in kbs if allowed is None or k.name in allowed])

    @mcp.resource("huiyi://documents/{doc_id}/text", name="document_text", title="A report's cleaned text",
                  mime_type="text/plain")
    def document_text(doc_id: str) -> str:
        """The cleaned text every citation's offsets point into."""
        try:
            service = get_service()
            service.record(doc_id, service.resolve_kbs(None, _allowed_kbs(None)))
            return service.document(doc_id).text
        except HuiyiError as exc:
            raise ResourceError(f"{exc.code}: {exc.message}") from exc

    return mcp


def _allowed_kbs(ctx: Any) -> list[str] | None:
    """Over HTTP, the knowledge bases the request's API key is limited to (stdio: no limit)."""
    request = None
    if ctx is not None:
        try:
            request = ctx.request_context.request
        except (ValueError, AttributeError):
            request = None
    key = getattr(getattr(request, "state", None), "api_key", None) if request is not None else _CURRENT_KEY.get()
    kbs = getattr(key, "kbs", None)
    return list(kbs) if kbs else None


# Resources get no Context; the HTTP endpoint sets the request's key here (stateless mode: one task per request).
_CURRENT_KEY: contextvars.ContextVar[Any] = contextvars.ContextVar("huiyi_mcp_key", default=None)


class MCPEndpoint:
    """The streamable-HTTP transport as an ASGI endpoint at /mcp (stateless, JSON responses)."""

    def __init__(self, mcp: Any):
        self.mcp = mcp

    async def __call__(self, scope, receive, send) -> None:
        state = scope.get("state") or {}
        token = _CURRENT_KEY.set(state.get("api_key"))
        try:
            await self.mcp.session_manager.handle_request(scope, receive, send)
        finally:
            _CURRENT_KEY.reset(token)


LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]


def mount_mcp(app: Any, get_service: Callable[[], Huiyi], host: str, allowed_hosts: list[str] | None = None) -> Any:
    """Add /mcp to `app`; its lifespan must run `mcp.session_manager.run()` (create_app does).

    Bound to loopback, the SDK refuses other Host headers (DNS rebinding) unless `allowed_hosts` names them."""
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.routing import Route

    mcp = build_mcp(get_service, host)
    security = None
    if allowed_hosts:
        hosts = LOOPBACK_HOSTS + list(allowed_hosts)
        origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
        security = TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)
    # creates the session manager that MCPEndpoint serves through
    mcp.streamable_http_app(stateless_http=True, json_response=True, host=host, transport_security=security)
    app.router.routes.append(Route("/mcp", endpoint=MCPEndpoint(mcp), methods=["GET", "POST", "DELETE"]))
    return mcp


def run_stdio(service: Huiyi) -> None:
    build_mcp(lambda: service).run("stdio")
