"""Dify external knowledge API: `POST /retrieval` over the same hybrid search as GET /search.

In Dify: 知识库 → 外部知识库 API → endpoint `http://host:8000` (Dify appends /retrieval), API key = a huiyi
read key; then connect an external knowledge base whose 外部知识库 ID is a huiyi knowledge base name
(`huiyi` for every report). Errors use Dify's shape {"error_code", "error_msg"}: 1001 malformed
Authorization header, 1002 authorization failed, 2001 unknown knowledge base.

`score` is huiyi's fused hybrid score (BM25 and cosine, each normalised by the query's best candidate):
0–1, the best match of a query near 1, so Dify's score threshold keeps the matches close to the best one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from huiyi.errors import HuiyiError
from huiyi.index.records import DocumentRecord, SearchFilters, record_kbs
from huiyi.kb import ALL_REPORTS_MODEL
from huiyi.server.api.deps import AllowedKbs, Service

BAD_HEADER, AUTH_FAILED, NO_KNOWLEDGE = 1001, 1002, 2001
_AUTH_CODES = {"unauthorized", "forbidden", "insufficient_scope", "loopback_only", "kb_forbidden"}


def dify_error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"error_code": code, "error_msg": message}, status_code=status)


class DifyErrorRoute(APIRoute):
    """Errors in Dify's shape; a request whose Authorization header is not `Bearer <key>` gets 1001."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            keys = getattr(request.app.state, "keys", None)
            auth = request.headers.get("authorization", "")
            if keys is not None and keys.enabled and not (auth[:7].lower() == "bearer " and auth[7:].strip()):
                return dify_error(403, BAD_HEADER, "Invalid Authorization header format. Expected 'Bearer <api-key>' format.")
            try:
                return await handler(request)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ())[1:])
                return dify_error(400, 400, f"请求参数有误 / invalid request: {where}: {first.get('msg', 'invalid')}")
            except HuiyiError as exc:
                if exc.code in _AUTH_CODES:
                    return dify_error(403, AUTH_FAILED, f"Authorization failed: {exc.message}")
                if exc.code == "unknown_kb":
                    return dify_error(404, NO_KNOWLEDGE, f"The knowledge does not exist: {exc.message}")
                return dify_error(exc.http_status, exc.http_status, exc.message)
            except StarletteHTTPException as exc:
                return dify_error(exc.status_code, exc.status_code, str(exc.detail))

        return route


router = APIRouter(tags=["Dify external knowledge"], route_class=DifyErrorRoute)


class RetrievalSetting(BaseModel):
    top_k: int = Field(ge=1, le=100, description="Most records to return.")
    score_threshold: float = Field(0.0, ge=0.0, le=1.0, description="Lowest score returned (0 when Dify's threshold is off).")


Operator = Literal["contains", "not contains", "start with", "end with", "is", "is not", "in", "not in", "empty",
                   "not empty", "=", "≠", ">", "<", "≥", "≤", "before", "after"]


class Condition(BaseModel):
    name: str = Field(description="doc_id, title, source, region, meeting_type, date or kb")
    comparison_operator: Operator
    value: str | float | list[str] | None = None


class MetadataCondition(BaseModel):
    logical_operator: Literal["and", "or"] = "and"
    conditions: list[Condition] = Field(min_length=1)


class RetrievalRequest(BaseModel):
    knowledge_id: str = Field(description="A huiyi knowledge base name, or `huiyi` for every report.")
    query: str
    retrieval_setting: RetrievalSetting
    metadata_condition: MetadataCondition | None = None


class Record(BaseModel):
    content: str
    score: float
    title: str
    metadata: dict[str, Any]


class RetrievalResponse(BaseModel):
    records: list[Record]


@router.post("/retrieval", response_model=RetrievalResponse)
def retrieval(body: RetrievalRequest, service: Service, allowed: AllowedKbs) -> RetrievalResponse:
    """Chunks of the knowledge base `knowledge_id` matching `query`, best first, at or above the threshold."""
    kb = None if body.knowledge_id == ALL_REPORTS_MODEL else body.knowledge_id
    kbs = service.resolve_kbs([kb] if kb else None, allowed)
    filters = SearchFilters(kbs=kbs) if kbs else None
    if body.metadata_condition:
        doc_ids = _matching_documents(service.documents(kbs), body.metadata_condition)
        if not doc_ids:
            return RetrievalResponse(records=[])
        filters = SearchFilters(kbs=kbs, doc_ids=doc_ids)
    hits = service.search(body.query, k=body.retrieval_setting.top_k, filters=filters)
    records = {r.id: r for r in service.documents(kbs)}
    out = []
    for hit in hits:
        if hit.score < body.retrieval_setting.score_threshold:
            continue
        record = records.get(hit.doc_id)
        out.append(Record(content=hit.text, score=round(min(hit.score, 1.0), 4), title=hit.title,
                          metadata=_metadata(hit.chunk_id, hit.start, hit.end, hit.section, record)))
    return RetrievalResponse(records=out)


def _metadata(chunk_id: str, start: int, end: int, section: str, record: DocumentRecord | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"chunk_id": chunk_id, "start": start, "end": end, "section": section}
    if record is not None:
        meta |= {"doc_id": record.id, "source": record.source, "region": record.region or "",
                 "date": record.date.isoformat() if record.date else "", "meeting_type": record.meeting_type or "",
                 "kbs": record_kbs(record), "path": f"/documents/{record.id}/text"}
    return meta


def _matching_documents(records: list[DocumentRecord], condition: MetadataCondition) -> list[str]:
    combine = all if condition.logical_operator == "and" else any
    return [r.id for r in records if combine(_holds(c, _fields(r).get(c.name)) for c in condition.conditions)]


def _fields(record: DocumentRecord) -> dict[str, Any]:
    return {"doc_id": record.id, "title": record.title, "source": record.source, "region": record.region or "",
            "meeting_type": record.meeting_type or "", "date": record.date, "kb": record_kbs(record)}


def _holds(c: Condition, field: Any) -> bool:
    """One Dify comparison on one document field (a list field, kb, holds when any of its values does)."""
    if isinstance(field, list):
        if c.comparison_operator in ("is not", "not in", "not contains"):
            return all(_holds(c, f) for f in field)
        return any(_holds(c, f) for f in field) if field else c.comparison_operator == "empty"
    op, value = c.comparison_operator, c.value
    if op in ("empty", "not empty"):
        return (field in (None, "")) == (op == "empty")
    if field in (None, ""):
        return op in ("is not", "not in", "not contains", "≠")
    if isinstance(field, dt.date):
        try:
            other = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return False
        return {"before": field < other, "<": field < other, "after": field > other, ">": field > other,
                "≤": field <= other, "≥": field >= other, "is": field == other, "=": field == other,
                "is not": field != other, "≠": field != other}.get(op, False)
    text, values = str(field), [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    checks = {
        "contains": values[0] in text, "not contains": values[0] not in text, "start with": text.startswith(values[0]),
        "end with": text.endswith(values[0]), "is": text == values[0], "=": text == values[0], "is not": text != values[0],
        "≠": text != values[0], "in": text in values, "not in": text not in values,
    }
    return checks.get(op, False)


__all__ = ["router"]
