"""OpenAI-compatible `/v1/models` and `/v1/chat/completions` over the same `Huiyi.ask` the page uses.

Point any OpenAI client or chat app at `http://host:8000/v1`. Models: `huiyi` reads every report,
`huiyi/<knowledge base>` one knowledge base. Answers keep every guarantee of /ask (verbatim citations,
grounding, 资料中未提及, undisclosed placeholders); the wire format lives in `openai_wire.py`.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sse_starlette.sse import EventSourceResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from huiyi.core import Huiyi
from huiyi.errors import HuiyiError, NotFound
from huiyi.index.records import SearchFilters
from huiyi.kb import kb_of_model, model_id
from huiyi.qa.models import AskRequest, AskResponse
from huiyi.server.api.deps import AllowedKbs, Service
from huiyi.server.openai_wire import (
    ChatCompletionRequest,
    answer_pieces,
    chunk,
    completion,
    completion_id,
    error_body,
    error_from,
    extra_field,
    question_and_history,
    tail_text,
    usage,
)

STARTED = int(time.time())


class OpenAIErrorRoute(APIRoute):
    """Every error under /v1 in OpenAI's shape {"error": {message, type, param, code}}, auth errors included."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                param = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
                return JSONResponse(error_body(400, f"请求参数有误 / invalid request: {param}: {first.get('msg', 'invalid')}",
                                               "invalid_request", param), status_code=400)
            except HuiyiError as exc:
                status, body = error_from(exc)
                return JSONResponse(body, status_code=status, headers=getattr(exc, "headers", None))
            except StarletteHTTPException as exc:
                return JSONResponse(error_body(exc.status_code, str(exc.detail), None), status_code=exc.status_code,
                                    headers=getattr(exc, "headers", None))

        return route


router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], route_class=OpenAIErrorRoute)


def _model_object(mid: str) -> dict:
    return {"id": mid, "object": "model", "created": STARTED, "owned_by": "huiyi"}


def _models(service: Huiyi, allowed: list[str] | None) -> list[str]:
    kbs = [k.name for k in service.knowledge_bases() if allowed is None or k.name in allowed]
    return ([model_id(None)] if allowed is None else []) + [model_id(k) for k in kbs]


@router.get("/models")
def list_models(service: Service, allowed: AllowedKbs) -> dict:
    """`huiyi` (every report) and `huiyi/<knowledge base>` for each knowledge base the key may read."""
    return {"object": "list", "data": [_model_object(m) for m in _models(service, allowed)]}


@router.get("/models/{model:path}")
def get_model(model: str, service: Service, allowed: AllowedKbs) -> dict:
    _resolve_model(service, model, None, allowed)
    return _model_object(model)


def _resolve_model(service: Huiyi, model: str, extra: list[str] | None, allowed: list[str] | None) -> list[str] | None:
    """The knowledge bases a model id (plus the request's `kbs`) reads; None: every report."""
    kb = kb_of_model(model)
    try:
        requested = [kb] if kb else []
        return service.resolve_kbs([*requested, *(extra or [])] or None, allowed)
    except NotFound as exc:
        raise NotFound(f"没有模型 {model!r}:可用的模型见 GET /v1/models / the model {model!r} does not exist; "
                       "see GET /v1/models.", code="model_not_found") from exc


def _ask_request(service: Huiyi, body: ChatCompletionRequest, allowed: list[str] | None) -> tuple[AskRequest, list[str] | None]:
    kbs = _resolve_model(service, body.model, body.kbs, allowed)
    question, history = question_and_history(body.messages)
    return AskRequest(question=question, history=history, filters=SearchFilters(kbs=kbs) if kbs else None), kbs


@router.post("/chat/completions", response_model=None)
def chat_completions(body: ChatCompletionRequest, service: Service, allowed: AllowedKbs) -> dict | EventSourceResponse:
    """Chat completions answered from the reports; `stream: true` sends `chat.completion.chunk` events.

    The final message (or the final chunk's delta) carries `huiyi`: status, citations with offsets, grounding."""
    request, kbs = _ask_request(service, body, allowed)
    if body.stream:
        return _stream(service, request, body, kbs)
    response: AskResponse = service.ask(request)
    content = response.answer + tail_text(response)
    return completion(completion_id(), body.model, content, extra_field(response, kbs),
                      usage(request.question, request.history, content))


def _stream(service: Huiyi, request: AskRequest, body: ChatCompletionRequest, kbs: list[str] | None) -> EventSourceResponse:
    events = service.ask_stream(request)
    first = next(events, None)  # a bad question becomes a JSON 400 before the stream starts
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    cid, created, model = completion_id(), int(time.time()), body.model

    def frames() -> Iterator[dict]:
        def data(delta: dict | None, finish: str | None = None, usage_: dict | None = None) -> dict:
            payload = chunk(cid, model, created, delta, finish, usage_, include_usage)
            return {"data": json.dumps(payload, ensure_ascii=False)}

        yield data({"role": "assistant", "content": ""})
        written = []
        try:
            for name, event in itertools.chain([first] if first else [], events):
                # Only the checked answer is sent: an OpenAI stream cannot take back text, and an LLM's streamed
                # draft may still fail grounding and be replaced (/ask/stream's `replace` frame).
                if name != "done":
                    continue
                response = AskResponse.model_validate(event)
                for piece in [*answer_pieces(response.answer), tail_text(response)]:
                    if piece:
                        written.append(piece)
                        yield data({"content": piece})
                yield data({"huiyi": extra_field(response, kbs)}, "stop")
                if include_usage:
                    yield data(None, usage_=usage(request.question, request.history, "".join(written)))
        except HuiyiError as exc:
            yield {"data": json.dumps(error_from(exc)[1], ensure_ascii=False)}
        yield {"data": "[DONE]"}

    return EventSourceResponse(frames(), ping=15)
