"""Questions: JSON and server-sent events."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import AfterValidator, Field
from sse_starlette.sse import EventSourceResponse

from huiyi import hygiene
from huiyi.core import Huiyi
from huiyi.errors import BadInput, HuiyiError
from huiyi.index.records import SearchFilters
from huiyi.qa.models import AskRequest, AskResponse, ChatTurn
from huiyi.server.api.deps import AllowedKbs, Service, errors, scope_filters

router = APIRouter(tags=["questions"])
TURN_MAX_CHARS = 2000
CleanText = Annotated[str, AfterValidator(hygiene.pydantic_clean)]


class TurnBody(ChatTurn):
    role: Literal["user", "assistant", "system"]
    content: CleanText


class FiltersBody(SearchFilters):
    doc_ids: list[Annotated[str, Field(max_length=96)]] | None = Field(None, max_length=50)
    kbs: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=50)
    region: CleanText | None = Field(None, max_length=50)


class AskBody(AskRequest):
    """The /ask request; every text field is checked for invalid characters and bounded."""

    question: CleanText
    history: list[TurnBody] = Field(default_factory=list)  # type: ignore[assignment]  # a checked ChatTurn
    filters: FiltersBody | None = None


def _checked(body: AskBody, service: Huiyi, allowed: list[str] | None) -> AskRequest:
    """History bounds from the settings, and the filters' knowledge bases scoped to the key's."""
    s = service.settings
    if len(body.history) > s.max_history_turns:
        raise BadInput(f"对话历史过长(上限 {s.max_history_turns} 轮)/ history has more than {s.max_history_turns} turns; "
                       "send only the recent turns.", code="history_too_long")
    total = sum(len(t.content) for t in body.history)
    if total > s.max_history_chars or any(len(t.content) > TURN_MAX_CHARS for t in body.history):
        raise BadInput(f"对话历史过长(上限 {s.max_history_chars} 字,每轮 {TURN_MAX_CHARS} 字)/ history is over "
                       f"{s.max_history_chars} characters (or a turn over {TURN_MAX_CHARS}); send only the recent turns.",
                       code="history_too_long")
    return body.model_copy(update={"filters": scope_filters(service, body.filters, allowed)})


@router.post("/ask", response_model=AskResponse, responses=errors(404))
def ask(body: AskBody, service: Service, allowed: AllowedKbs) -> AskResponse:
    """Answer a question from the reports with verbatim citations, or say 资料中未提及. `filters.kbs` scopes it to knowledge bases."""
    return service.ask(_checked(body, service, allowed))


@router.post("/ask/stream", responses={**errors(404), 200: {"content": {"text/event-stream": {}}}})
def ask_stream(body: AskBody, service: Service, allowed: AllowedKbs) -> EventSourceResponse:
    """Same as /ask, streamed: `delta` frames of text, then `citations`, then `done` with the full response."""
    events = service.ask_stream(_checked(body, service, allowed))
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
