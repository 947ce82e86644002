"""Documents: upload (as jobs), replace, list, read, delete; search; summaries; indicators."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from huiyi import hygiene
from huiyi.core import Huiyi
from huiyi.index.records import DocumentRecord
from huiyi.jobs import JobQueue, JobView
from huiyi.server.api.deps import AllowedKbs, Filters, Jobs, Kbs, Service, errors
from huiyi.server.uploads import TextUpload, read_upload

router = APIRouter(tags=["documents"])
__all__ = ["router", "TextUpload"]


class DocumentList(BaseModel):
    documents: list[DocumentRecord]


class DocumentText(BaseModel):
    id: str
    title: str
    text: str


class SearchResult(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    text: str
    score: float
    start: int
    end: int
    section: str = ""


class SearchResponse(BaseModel):
    results: list[SearchResult]


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary", "description": ".txt .md .html .docx .pdf"},
                    "kb": {"type": "string", "description": "Knowledge base to put it in"}}},
            },
            "application/json": {"schema": TextUpload.model_json_schema()},
        },
    }
}
WaitSeconds = Annotated[float, Query(ge=0, le=60, description="Wait up to this many seconds for the job to finish; "
                                     "a finished job answers 201/200 (or its error status) instead of 202.")]
KbParam = Annotated[str | None, Query(max_length=100, description="Knowledge base to put it in (multipart field `kb` works too)")]


def _job_response(job: JobView) -> JSONResponse:
    headers = {"Location": f"/jobs/{job.id}"}
    if job.state == "failed" and job.error is not None:
        body = {"code": job.error.code, "message": job.error.message, "job": job.model_dump(mode="json")}
        return JSONResponse(body, status_code=job.error.status, headers=headers)
    status = 202
    if job.state == "succeeded" and job.result is not None:
        status = 200 if job.result.status == "unchanged" else 201
        headers["X-Huiyi-Ingest"] = job.result.status or "done"
    return JSONResponse(job.model_dump(mode="json"), status_code=status, headers=headers)


async def _submit(request: Request, service: Huiyi, jobs: JobQueue, wait: float, replace: str | None,
                  kb: str | None, allowed: list[str] | None) -> JSONResponse:
    spec = await read_upload(request, service.settings, replace=replace)
    spec.kb = _upload_kb(kb or spec.kb, allowed)
    job = jobs.submit(spec)
    if wait > 0:
        job = await _wait(jobs, job.id, wait)
    return _job_response(job)


async def _wait(jobs: JobQueue, job_id: str, seconds: float) -> JobView:
    """Poll without holding a thread: the event loop keeps serving while the job runs."""
    deadline = time.monotonic() + seconds
    delay = 0.02
    while True:
        job = jobs.get(job_id)
        if job.state in ("succeeded", "failed") or time.monotonic() >= deadline:
            return job
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.25)


def _upload_kb(kb: str | None, allowed: list[str] | None) -> str | None:
    """A key limited to knowledge bases uploads into one of them (its only one when it names none).

    The name is checked now (400/422 at once), not when the job runs."""
    from huiyi.kb import KbForbidden, validate_kb_name

    if kb is not None:
        kb = validate_kb_name(kb)
    if allowed is None:
        return kb
    if kb is None and len(allowed) == 1:
        return allowed[0]
    if kb is None or kb not in allowed:
        raise KbForbidden(f"此密钥只能上传到知识库 {', '.join(allowed)} / this API key may upload into {', '.join(allowed)} only.")
    return kb


@router.post("/documents", status_code=202, response_model=JobView, openapi_extra=_UPLOAD_BODY,
             responses={201: {"model": JobView}, 200: {"model": JobView}, **errors(404, 409, 415)})
async def upload_document(request: Request, service: Service, jobs: Jobs, allowed: AllowedKbs,
                          kb: KbParam = None, wait: WaitSeconds = 0) -> JSONResponse:
    """Upload a report as multipart `file` (+ `kb`), or JSON `{text, title?, kb?}`: 202 + a job (`GET /jobs/{id}`).

    The document id is derived from the content; the file name is only a label. Uploading content that is
    already stored changes nothing (the finished job says `unchanged`; into another knowledge base, it joins it)."""
    return await _submit(request, service, jobs, wait, None, kb, allowed)


@router.put("/documents/{doc_id}", status_code=202, response_model=JobView, openapi_extra=_UPLOAD_BODY,
            responses={201: {"model": JobView}, 200: {"model": JobView}, **errors(404, 409, 415)})
async def replace_document(doc_id: str, request: Request, service: Service, jobs: Jobs, allowed: AllowedKbs,
                           kb: KbParam = None, wait: WaitSeconds = 0) -> JSONResponse:
    """Replace a stored document with a new version, keeping its id (writers only): 202 + a job."""
    await asyncio.to_thread(service.record, doc_id, allowed)  # 404 now (also outside the key's KBs), not a failed job
    return await _submit(request, service, jobs, wait, doc_id, kb, allowed)


@router.get("/documents", response_model=DocumentList, responses=errors(404))
def list_documents(service: Service, kbs: Kbs) -> DocumentList:
    """Stored documents; `?kb=` lists those of one or several knowledge bases."""
    return DocumentList(documents=service.documents(kbs))


@router.get("/documents/{doc_id}", response_model=DocumentRecord, responses=errors(404))
def get_document(doc_id: str, service: Service, kbs: Kbs) -> DocumentRecord:
    return service.record(doc_id, kbs)


@router.get("/documents/{doc_id}/text", response_model=DocumentText, responses=errors(404))
def get_document_text(doc_id: str, service: Service, kbs: Kbs) -> DocumentText:
    service.record(doc_id, kbs)
    doc = service.document(doc_id)
    return DocumentText(id=doc.id, title=doc.meta.title, text=doc.text)


@router.delete("/documents/{doc_id}", status_code=204, responses=errors(404))
def delete_document(doc_id: str, service: Service, allowed: AllowedKbs) -> Response:
    service.record(doc_id, allowed)  # a key limited to knowledge bases deletes only inside them
    service.delete(doc_id)
    return Response(status_code=204)


@router.get("/search", response_model=SearchResponse, responses=errors(404))
def search(
    service: Service,
    filters: Filters,
    q: Annotated[str, Query(description="What to look for", max_length=10_000)] = "",
    k: Annotated[int, Query(ge=1, le=100)] = 8,
) -> SearchResponse:
    hits = service.search(hygiene.clean(q, "q"), k=k, filters=filters)
    return SearchResponse(results=[SearchResult(**h.model_dump(include=set(SearchResult.model_fields))) for h in hits])


@router.get("/documents/{doc_id}/summary", responses={**errors(404), 200: {"content": {"application/json": {}, "text/markdown": {}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}}})
def get_summary(
    doc_id: str,
    service: Service,
    kbs: Kbs,
    format: Annotated[str, Query(pattern="^(json|md|docx)$")] = "json",
    variant: Annotated[str, Query(pattern="^(clean|audit)$", description="clean: the 纪要 to send; audit: every line with its source")] = "clean",
) -> Response:
    """The meeting summary (会议纪要要素) as JSON, or the 会议纪要 as Markdown or .docx (clean or audit); cached by content hash."""
    service.record(doc_id, kbs)
    body, media, filename = service.summary_export(doc_id, format, variant)
    headers = {}
    if format != "json":
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media, headers=headers)


@router.get("/indicators", responses=errors(404))
def indicators(
    service: Service,
    kbs: Kbs,
    name: Annotated[str, Query(description="Indicator, e.g. GDP, 固定资产投资", max_length=200)] = "",
    region: Annotated[str | None, Query(max_length=50)] = None,
) -> dict:
    return service.indicators(hygiene.clean(name, "name"), hygiene.clean(region, "region") if region else None, kbs)
