"""Questions: JSON and server-sent events."""

from __future__ import annotations

import json

from fastapi import APIRouter
from sse_starlette.sse import EventSourceResponse

from huiyi.errors import HuiyiError
from huiyi.qa.models import AskRequest, AskResponse
from huiyi.server.api.deps import AllowedKbs, Service, scope_filters

router = APIRouter(tags=["questions"])


@router.post("/ask", response_model=AskResponse)
def ask(body: AskRequest, service: Service, allowed: AllowedKbs) -> AskResponse:
    """Answer a question from the reports with verbatim citations, or say 资料中未提及. `filters.kbs` scopes it to knowledge bases."""
    return service.ask(body.model_copy(update={"filters": scope_filters(service, body.filters, allowed)}))


@router.post("/ask/stream")
def ask_stream(body: AskRequest, service: Service, allowed: AllowedKbs) -> EventSourceResponse:
    """Same as /ask, streamed: `delta` frames of text, then `citations`, then `done` with the full response."""
    events = service.ask_stream(body.model_copy(update={"filters": scope_filters(service, body.filters, allowed)}))
    first = _first_event(events)  # validation errors become a JSON 4xx, not a broken stream

    def frames():
        try:
            if first is not None:
                yield _frame(*first)
            for name, data in events:
                yield _frame(name, data)
        except HuiyiError as exc:
            yield _frame("error", exc.to_dict())

    return EventSourceResponse(frames(), ping=15)


def _first_event(events):
    try:
        return next(events)
    except StopIteration:
        return None


def _frame(name: str, data: dict) -> dict:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}
