"""Turn an upload request (multipart `file` or JSON `{text, title?}`) into a queued ingest job, and run jobs.

Only cheap checks run here, on the event loop's time: size, format, emptiness, binary content under a
text name, zip-bomb ratios. Everything else (parsing, embedding) is the job's.
"""

from __future__ import annotations

import json

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from huiyi import hygiene
from huiyi.config import Settings
from huiyi.errors import BadInput, EmptyDocument, TooLarge
from huiyi.index import load as load_stage
from huiyi.jobs import JobSpec, spool

MAX_PARTS = 8  # a report upload has one file and maybe a title


class TextUpload(BaseModel):
    text: str = Field(description="The report's text (UTF-8).")
    title: str | None = Field(None, description="Optional title. The document id is derived from the content, never from the title.")
    kb: str | None = Field(None, max_length=100, description="Knowledge base to put it in, e.g. 衡东县 (created on first use); default: none.")


async def read_upload(request: Request, settings: Settings, replace: str | None = None) -> JobSpec:
    limit = settings.max_upload_bytes
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=MAX_PARTS, max_part_size=64 * 1024)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadInput("请用表单字段 file 上传文件。/ Send the file in a multipart field named `file`.", code="missing_file")
        name = hygiene.clean(upload.filename or "upload.txt", "filename", settings.max_title_chars)
        name = name.replace("\\", "/").rsplit("/", 1)[-1] or "upload.txt"  # a label only: never a path, never an id
        if upload.size is not None and upload.size > limit:
            raise TooLarge(f"文件超过上限 {limit} 字节:请拆分文件或调大 HUIYI_MAX_UPLOAD_BYTES。")
        data = await upload.read(limit + 1)
        load_stage.precheck(data, name, max_bytes=limit, limits=_limits(settings))
        kb = form.get("kb")
        kb = hygiene.clean(kb, "kb", 100) if isinstance(kb, str) and kb.strip() else None
        return JobSpec(name=name, body=spool(data), replace=replace, kb=kb)
    if ctype.startswith("application/json"):
        try:  # Python's parser keeps lone surrogates, so hygiene can name them instead of "invalid JSON"
            body = TextUpload.model_validate(json.loads(await request.body()))
        except (ValueError, ValidationError) as exc:
            why = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else "not valid JSON"
            raise BadInput(f"请求体应为 JSON {{text, title?}}:{why}", code="bad_json") from None
        text = hygiene.clean(body.text, "text")
        if len(text.encode("utf-8")) > limit:
            raise TooLarge(f"文本超过上限 {limit} 字节:请拆分或调大 HUIYI_MAX_UPLOAD_BYTES。")
        if not text.strip():
            raise EmptyDocument("文本为空 / the text is empty — paste a report with text in it.")
        title = hygiene.clean(body.title, "title", settings.max_title_chars) if body.title else None
        kb = hygiene.clean(body.kb, "kb", 100) if body.kb else None
        return JobSpec(name=title or "text", text=text, title=title, replace=replace, kb=kb)
    raise BadInput("请用 multipart/form-data(字段 file)或 application/json({text, title})上传。", code="bad_content_type")


def _limits(settings: Settings) -> load_stage.LoadLimits:
    return load_stage.LoadLimits(max_pages=settings.max_pages, max_unzipped_bytes=settings.max_unzipped_bytes,
                                 max_zip_ratio=settings.max_zip_ratio, max_chars=settings.max_text_chars)


def run_job(service, spec: JobSpec, progress) -> object:
    """The worker's side: ingest the spec through the service (parsing in the sandbox)."""
    if spec.paths is not None:  # a folder job (the seeds on first start): batched, progress by file and chunk
        def on_progress(p) -> None:
            share = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
            progress(p.stage, p.chunks_done, 0, files_done=p.files_done, files_total=p.files_total,
                     percent=round(100 * share))
            if spec.on_progress is not None:
                spec.on_progress(p)

        return service.ingest_paths(spec.paths, on_progress=on_progress, kb=spec.kb)
    if spec.text is not None:
        return service.ingest_text(spec.text, title=spec.title, kb=spec.kb, replace=spec.replace, progress=progress)
    return service.ingest_bytes(spec.read(), spec.name, kb=spec.kb, replace=spec.replace, progress=progress)
