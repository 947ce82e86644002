"""Typed dependencies shared by the routers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from huiyi.core import Huiyi
from huiyi.index.records import SearchFilters
from huiyi.jobs import JobQueue


def get_service(request: Request) -> Huiyi:
    return request.app.state.service


Service = Annotated[Huiyi, Depends(get_service)]


def get_jobs(request: Request) -> JobQueue:
    return request.app.state.jobs


Jobs = Annotated[JobQueue, Depends(get_jobs)]


class ErrorBody(BaseModel):
    code: str
    message: str


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | int | None = None


class OpenAIErrorBody(BaseModel):
    error: OpenAIErrorDetail


class DifyErrorBody(BaseModel):
    error_code: int
    error_msg: str


ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)


def surface_errors(model: type[BaseModel]) -> dict:
    """OpenAPI entries for a router whose errors have another protocol's shape (OpenAI's, Dify's)."""
    return {s: {"model": model} for s in ERROR_STATUSES}


def errors(*statuses: int) -> dict:
    """OpenAPI entries for the JSON errors a route can answer with (every route: 400, 401, 403, 413, 422, 429)."""
    codes = sorted({400, 401, 403, 413, 422, 429, *statuses})
    return {s: {"model": ErrorBody} for s in codes}


def allowed_kbs(request: Request) -> list[str] | None:
    """The knowledge bases the request's API key is limited to (None: no limit)."""
    key = getattr(request.state, "api_key", None)
    kbs = getattr(key, "kbs", None)
    return list(kbs) if kbs else None


AllowedKbs = Annotated[list[str] | None, Depends(allowed_kbs)]


def scoped_kbs(
    service: Service,
    allowed: AllowedKbs,
    kb: Annotated[list[str] | None, Query(description="Knowledge base(s) to read, e.g. 衡东县; default: all the key may read", max_length=50)] = None,
) -> list[str] | None:
    return service.resolve_kbs(kb, allowed)


Kbs = Annotated[list[str] | None, Depends(scoped_kbs)]


def scope_filters(service: Huiyi, filters: SearchFilters | None, allowed: list[str] | None) -> SearchFilters | None:
    """`filters` with their knowledge bases resolved against the key's limit (unknown: 404, outside: 403)."""
    kbs = service.resolve_kbs(filters.kbs if filters else None, allowed)
    if kbs is None:
        return filters
    return (filters or SearchFilters()).model_copy(update={"kbs": kbs})


def search_filters(
    service: Service,
    allowed: AllowedKbs,
    kb: Annotated[list[str] | None, Query(description="Knowledge base(s), e.g. 衡东县", max_length=50)] = None,
    doc_id: Annotated[list[str] | None, Query(description="Restrict to these document ids", max_length=50)] = None,
    region: Annotated[str | None, Query(description="Region, e.g. 衡东县", max_length=50)] = None,
    date_from: Annotated[dt.date | None, Query(description="Earliest meeting date (ISO)")] = None,
    date_to: Annotated[dt.date | None, Query(description="Latest meeting date (ISO)")] = None,
) -> SearchFilters | None:
    filters = SearchFilters(doc_ids=doc_id or None, kbs=kb or None, region=region, date_from=date_from, date_to=date_to)
    return scope_filters(service, filters if (kb or doc_id or region or date_from or date_to) else None, allowed)


Filters = Annotated[SearchFilters | None, Depends(search_filters)]
