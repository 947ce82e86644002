"""Documents: upload, list, read, delete; search; summaries; indicators."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from huiyi.errors import BadInput, TooLarge
from huiyi.index.records import DocumentRecord
from huiyi.server.api.deps import AllowedKbs, Filters, Kbs, Service

router = APIRouter(tags=["documents"])


class TextUpload(BaseModel):
    text: str = Field(description="The report's text (UTF-8).")
    title: str | None = Field(None, description="Optional title; the document id derives from it or from the text.")
    kb: str | None = Field(None, description="Knowledge base to put it in, e.g. 衡东县 (created on first use); default: none.")


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


@router.post("/documents", status_code=201, response_model=DocumentRecord)
async def upload_document(
    request: Request,
    service: Service,
    allowed: AllowedKbs,
    kb: Annotated[str | None, Query(description="Knowledge base to put it in (multipart field `kb` works too)")] = None,
) -> JSONResponse:
    """Upload a report as multipart `file` (+ `kb`), or JSON `{text, title?, kb?}`. 200 when it was already stored unchanged."""
    limit = service.settings.max_upload_bytes
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 64 * 1024:  # multipart framing adds a little
        raise TooLarge(f"文件超过上限 {limit} 字节:请拆分文件或调大 HUIYI_MAX_UPLOAD_BYTES。")
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_part_size=limit + 1)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise BadInput("请用表单字段 file 上传文件。/ Send the file in a multipart field named `file`.", code="missing_file")
        data = await upload.read(limit + 1)
        kb = _upload_kb(service, kb or _form_text(form.get("kb")), allowed)
        result = service.ingest_bytes(data, upload.filename or "upload.txt", kb=kb)
    elif ctype.startswith("application/json"):
        try:
            body = TextUpload.model_validate_json(await request.body())
        except ValueError as exc:
            raise BadInput(f"请求体应为 JSON {{text, title?}}:{exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}", code="bad_json") from exc
        if len(body.text.encode("utf-8")) > limit:
            raise TooLarge(f"文本超过上限 {limit} 字节:请拆分或调大 HUIYI_MAX_UPLOAD_BYTES。")
        result = service.ingest_text(body.text, title=body.title, kb=_upload_kb(service, kb or body.kb, allowed))
    else:
        raise BadInput("请用 multipart/form-data(字段 file)或 application/json({text, title})上传。", code="bad_content_type")
    status = 200 if result.status == "unchanged" else 201
    return JSONResponse(result.record.model_dump(mode="json"), status_code=status, headers={"X-Huiyi-Ingest": result.status})


def _form_text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _upload_kb(service, kb: str | None, allowed: list[str] | None) -> str | None:
    """A key limited to knowledge bases uploads into one of them (its only one when it names none)."""
    if allowed is None:
        return kb
    if kb is None and len(allowed) == 1:
        return allowed[0]
    from huiyi.kb import KbForbidden, validate_kb_name

    if kb is None or validate_kb_name(kb) not in allowed:
        raise KbForbidden(f"此密钥只能上传到知识库 {', '.join(allowed)} / this API key may upload into {', '.join(allowed)} only.")
    return kb


@router.get("/documents", response_model=DocumentList)
def list_documents(service: Service, kbs: Kbs) -> DocumentList:
    """Stored documents; `?kb=` lists those of one or several knowledge bases."""
    return DocumentList(documents=service.documents(kbs))


@router.get("/documents/{doc_id}", response_model=DocumentRecord)
def get_document(doc_id: str, service: Service, kbs: Kbs) -> DocumentRecord:
    return service.record(doc_id, kbs)


@router.get("/documents/{doc_id}/text", response_model=DocumentText)
def get_document_text(doc_id: str, service: Service, kbs: Kbs) -> DocumentText:
    service.record(doc_id, kbs)
    doc = service.document(doc_id)
    return DocumentText(id=doc.id, title=doc.meta.title, text=doc.text)


@router.delete("/documents/{doc_id}", status_code=204)
def delete_document(doc_id: str, service: Service) -> Response:
    service.delete(doc_id)
    return Response(status_code=204)


@router.get("/search", response_model=SearchResponse)
def search(
    service: Service,
    filters: Filters,
    q: Annotated[str, Query(description="What to look for")] = "",
    k: Annotated[int, Query(ge=1, le=100)] = 8,
) -> SearchResponse:
    hits = service.search(q, k=k, filters=filters)
    return SearchResponse(results=[SearchResult(**h.model_dump(include=set(SearchResult.model_fields))) for h in hits])


@router.get("/documents/{doc_id}/summary", responses={200: {"content": {"application/json": {}, "text/markdown": {}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}}})
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


@router.get("/indicators")
def indicators(
    service: Service,
    kbs: Kbs,
    name: Annotated[str, Query(description="Indicator, e.g. GDP, 固定资产投资")] = "",
    region: Annotated[str | None, Query()] = None,
) -> dict:
    return service.indicators(name, region, kbs)
