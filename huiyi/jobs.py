"""Ingest jobs: every ingest a server does runs on one worker thread, in order, from a bounded queue.

A request only validates and enqueues (202 + a job); the worker parses (in the sandbox), embeds and
stores, reporting progress by chunk. A full queue is refused at once (429 + Retry-After), never
buffered without bound. Finished jobs are kept for a while (the newest `keep`) so clients can poll
`GET /jobs/{id}`. Jobs live in the process that accepted them.

Besides uploads (`upload`, `replace`), `huiyi serve`'s first start indexes its seeds folder as a `folder`
job (huiyi.server.startup), so uploads made meanwhile simply queue behind it. Closing the queue lets a
running upload finish its write; a folder job stops before its next write (what it wrote stays).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import tempfile
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, Field

from huiyi.errors import HuiyiError, NotFound

log = logging.getLogger(__name__)

State = Literal["queued", "running", "succeeded", "failed"]


class Busy(HuiyiError):
    """A bounded queue or limiter is full; the client should retry after `retry_after` seconds."""

    code = "busy"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int = 1, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after))


class Cancelled(Exception):
    """Raised inside a folder job's progress callback when the queue closes (never a HuiyiError: the batch
    ingest must not record it as one file's error and carry on)."""


class JobProgress(BaseModel):
    stage: str = "queued"  # queued, parse, embed, store, done
    done: int = 0  # chunks embedded/stored so far
    total: int = 0  # chunks of the document (0 until it is chunked; a folder job's total is not known ahead)
    files_done: int | None = Field(None, description="Folder jobs: files read so far.")
    files_total: int | None = Field(None, description="Folder jobs: files to read.")
    percent: int | None = Field(None, description="Folder jobs: share of the bytes read.")


class JobError(BaseModel):
    code: str
    message: str
    status: int  # the HTTP status this error would have had on a synchronous request


class FolderReport(BaseModel):
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    skipped: int = 0
    errors: int = 0
    documents: int = 0
    chunks: int = 0


class JobResult(BaseModel):
    status: Literal["added", "unchanged", "replaced"] | None = Field(None, description="Uploads: what happened to the document.")
    document: dict[str, Any] | None = Field(None, description="Uploads: the stored DocumentRecord.")
    report: FolderReport | None = Field(None, description="Folder jobs: the counts of the run.")


class JobView(BaseModel):
    id: str
    kind: Literal["upload", "replace", "folder"]
    state: State
    name: str = Field(description="The uploaded file's name (or the text's title); it never selects a document id.")
    target: str | None = Field(None, description="The document being replaced (PUT).")
    progress: JobProgress = Field(default_factory=JobProgress)
    result: JobResult | None = None
    error: JobError | None = None
    created_at: str
    finished_at: str | None = None


@dataclass
class JobSpec:
    """What to ingest: a spooled file (bytes), pasted text or server-side folders, and whether it replaces a document."""

    name: str
    body: IO[bytes] | None = None
    text: str | None = None
    title: str | None = None
    replace: str | None = None
    kb: str | None = None  # the knowledge base the document joins
    paths: list[Path] | None = None  # a folder job: local files and folders (trusted: the server's own seeds)
    on_progress: Callable[[Any], None] | None = None  # a folder job's IngestProgress, for whoever submitted it

    @property
    def kind(self) -> Literal["upload", "replace", "folder"]:
        return "folder" if self.paths is not None else "replace" if self.replace else "upload"

    def read(self) -> bytes:
        assert self.body is not None
        self.body.seek(0)
        return self.body.read()

    def close(self) -> None:
        if self.body is not None:
            self.body.close()


@dataclass
class _Job:
    view: JobView
    spec: JobSpec
    done: threading.Event = field(default_factory=threading.Event)


# (spec, progress(stage, done, total, **JobProgress fields)) → an IngestResult, or an IngestReport for a folder job
Runner = Callable[[JobSpec, Callable[..., None]], Any]


def spool(data: bytes | None = None) -> IO[bytes]:
    """A temporary file that stays in memory up to 1 MiB: queued uploads do not hold memory."""
    f = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    if data:
        f.write(data)
    return f


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class JobQueue:
    def __init__(self, run: Runner, *, maxsize: int = 8, keep: int = 1000):
        self._run = run
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=maxsize)
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep
        self._worker: threading.Thread | None = None
        self._seconds_per_job = 2.0  # running estimate, for Retry-After
        self._closing = threading.Event()

    def submit(self, spec: JobSpec) -> JobView:
        job = _Job(JobView(id=uuid.uuid4().hex, kind=spec.kind, state="queued",
                           name=spec.name, target=spec.replace, created_at=_now()), spec)
        with self._lock:
            self._start()
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                spec.close()
                wait = int(self._seconds_per_job * max(1, self._queue.qsize())) + 1
                raise Busy(f"上传队列已满,请 {wait} 秒后重试。/ The ingest queue is full; retry in {wait} s.",
                           retry_after=wait, code="queue_full") from None
            self._jobs[job.view.id] = job
            self._evict()
        return job.view.model_copy(deep=True)

    def get(self, job_id: str) -> JobView:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFound(f"没有这个任务 / no job {job_id[:40]!r} (jobs are kept for a while after they finish).",
                               code="unknown_job")
            return job.view.model_copy(deep=True)

    def wait(self, job_id: str, timeout: float | None) -> JobView:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None:
            job.done.wait(timeout)
        return self.get(job_id)

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        self._closing.set()
        worker = self._worker
        if worker is not None and worker.is_alive():
            self._queue.put(None)
            worker.join(30)

    # ---- worker

    def _start(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._loop, name="huiyi-ingest", daemon=True)
            self._worker.start()

    def _evict(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.done.is_set()]
        for key in finished[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[key]

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            self._execute(job)

    def _execute(self, job: _Job) -> None:
        started = dt.datetime.now(dt.UTC)

        def progress(stage: str, done: int, total: int, **extra: Any) -> None:
            if job.spec.paths is not None and self._closing.is_set():
                raise Cancelled
            with self._lock:
                job.view.progress = JobProgress(stage=stage, done=done, total=total, **extra)

        with self._lock:
            job.view.state = "running"
            job.view.progress = JobProgress(stage="parse")
        try:
            result = self._run(job.spec, progress)
        except Cancelled:
            self._finish(job, error=JobError(code="cancelled", status=503,
                                             message="服务正在停止,任务已中止。/ The server is stopping; the job was stopped."))
        except HuiyiError as exc:
            self._finish(job, error=JobError(code=exc.code, message=exc.message, status=exc.http_status))
        except Exception:  # noqa: BLE001 - a bug must fail the job, not the worker
            log.exception("ingest job %s failed", job.view.id)
            self._finish(job, error=JobError(code="internal_error", status=500,
                                             message="服务内部错误,请查看服务日志。/ Internal error; see the server log."))
        else:
            if job.spec.paths is not None:  # an IngestReport
                report = FolderReport(**result.model_dump(include=set(FolderReport.model_fields) - {"errors"}),
                                      errors=len(result.errors))
                self._finish(job, result=JobResult(report=report), total=report.chunks)
            else:
                record = result.record
                self._finish(job, result=JobResult(status=result.status, document=record.model_dump(mode="json")),
                             total=record.chunks)
        finally:
            job.spec.close()
            elapsed = (dt.datetime.now(dt.UTC) - started).total_seconds()
            self._seconds_per_job = 0.8 * self._seconds_per_job + 0.2 * elapsed

    def _finish(self, job: _Job, *, result: JobResult | None = None, error: JobError | None = None, total: int = 0) -> None:
        with self._lock:
            job.view.state = "failed" if error else "succeeded"
            job.view.result, job.view.error = result, error
            if result is not None:
                last = job.view.progress
                job.view.progress = JobProgress(stage="done", done=total, total=total, files_done=last.files_total,
                                                files_total=last.files_total, percent=100 if last.percent is not None else None)
            job.view.finished_at = _now()
        job.done.set()
