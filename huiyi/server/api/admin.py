"""Jobs (read) and API keys (admin)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from huiyi import hygiene
from huiyi.jobs import JobView
from huiyi.server.api.deps import Jobs, errors

router = APIRouter()


@router.get("/jobs/{job_id}", response_model=JobView, responses=errors(404), tags=["documents"])
def get_job(job_id: str, jobs: Jobs) -> JobView:
    """An ingest job: state, progress by chunk, then the stored document or the error code."""
    return jobs.get(job_id[:64])


class KeyInfo(BaseModel):
    id: str
    scope: Literal["read", "write", "admin"]
    name: str = ""
    source: Literal["settings", "file"]
    kbs: list[str] = Field(default_factory=list, description="Knowledge bases the key is limited to (empty: all).")


class KeyList(BaseModel):
    keys: list[KeyInfo]


class NewKey(BaseModel):
    scope: Literal["read", "write", "admin"]
    name: str = Field("", max_length=60)
    kbs: list[str] = Field(default_factory=list, max_length=50, description="Limit the key to these knowledge bases.")


class CreatedKey(KeyInfo):
    key: str = Field(description="The secret, shown once; only its hash is stored.")


@router.get("/keys", response_model=KeyList, responses=errors(), tags=["keys"])
def list_keys(request: Request) -> KeyList:
    ring = request.app.state.keys
    return KeyList(keys=[KeyInfo(id=k.id, scope=k.scope, name=k.name, source=k.source, kbs=list(k.kbs)) for k in ring.keys()])


@router.post("/keys", status_code=201, response_model=CreatedKey, responses=errors(409), tags=["keys"])
def create_key(body: NewKey, request: Request) -> CreatedKey:
    secret, key = request.app.state.keys.add(body.scope, hygiene.clean(body.name, "name", 60),
                                             [hygiene.clean(k, "kbs", 100) for k in body.kbs])
    return CreatedKey(id=key.id, scope=key.scope, name=key.name, source=key.source, kbs=list(key.kbs), key=secret)


@router.delete("/keys/{key_id}", status_code=204, responses=errors(404), tags=["keys"])
def delete_key(key_id: str, request: Request) -> Response:
    request.app.state.keys.remove(key_id[:64])
    return Response(status_code=204)
