"""Typed dependencies shared by the routers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Request

from huiyi.core import Huiyi
from huiyi.index.records import SearchFilters


def get_service(request: Request) -> Huiyi:
    return request.app.state.service


Service = Annotated[Huiyi, Depends(get_service)]


def search_filters(
    doc_id: Annotated[list[str] | None, Query(description="Restrict to these document ids")] = None,
    region: Annotated[str | None, Query(description="Region, e.g. 衡东县")] = None,
    date_from: Annotated[dt.date | None, Query(description="Earliest meeting date (ISO)")] = None,
    date_to: Annotated[dt.date | None, Query(description="Latest meeting date (ISO)")] = None,
) -> SearchFilters | None:
    if not (doc_id or region or date_from or date_to):
        return None
    return SearchFilters(doc_ids=doc_id or None, region=region, date_from=date_from, date_to=date_to)


Filters = Annotated[SearchFilters | None, Depends(search_filters)]
