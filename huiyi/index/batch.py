"""Bulk ingest: many files read, embedded and written in batches, with progress a person can follow.

A write to the vector store has a fixed cost that dwarfs one small document's chunks (measured by
benchmarks/profile_ingest.py: about 80 ms of CPU per call on 2 cores, whatever its size), so documents
are staged (read, chunked, embedded) and written together: one chunk write and one row transaction per
batch. A batch becomes visible at once when it is complete; a crash loses at most the batch in hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from huiyi.errors import HuiyiError, NotFound
from huiyi.index import load as load_stage
from huiyi.index.records import DocumentRecord
from huiyi.index.staging import IngestResult, Staged, Stager

WRITE_CHUNKS = 512  # write when the staged documents hold this many chunks …
WRITE_DOCUMENTS = 64  # … or this many documents …
WRITE_SECONDS = 5.0  # … or the oldest has waited this long (with a real embedder: results show up soon)


class IngestError(BaseModel):
    source: str
    code: str
    message: str


class IngestReport(BaseModel):
    """Outcome of `ingest_paths`; `documents`/`chunks` count the documents ingested or found unchanged."""

    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    skipped: int = 0  # files inside folders with an unsupported extension
    errors: list[IngestError] = Field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    records: list[DocumentRecord] = Field(default_factory=list)


@dataclass(frozen=True)
class IngestProgress:
    """How far a run of `ingest_paths` is; sent when a file starts, after every embedded batch and per write."""

    files_done: int
    files_total: int
    bytes_done: int  # finished files plus the embedded share of the current one: the basis of an ETA
    bytes_total: int
    chunks_done: int  # chunks embedded (or reused) in this run
    current: str  # the file being read
    stage: str  # parse, embed, store, done


ProgressFn = Callable[[IngestProgress], None]


class _Run:
    """One `ingest_paths` run: the files, what is staged, and what has been reported."""

    def __init__(self, stager: Stager, files: Sequence[Path], report: IngestReport, on_progress: ProgressFn | None):
        self.stager = stager
        self.files = list(files)
        self.report = report
        self.on_progress = on_progress
        self.sizes = [_size(f) for f in self.files]
        self.bytes_total = sum(self.sizes)
        self.bytes_done = 0
        self.chunks_done = 0
        self.staged: list[tuple[str, Staged]] = []
        self.staged_since = 0.0

    # ---- progress

    def emit(self, n: int, stage: str, share: float = 0.0, doc_chunks: int = 0) -> None:
        if self.on_progress is None:
            return
        current = str(self.files[n]) if n < len(self.files) else ""
        size = self.sizes[n] if n < len(self.files) else 0
        self.on_progress(IngestProgress(
            files_done=n, files_total=len(self.files), bytes_done=self.bytes_done + int(size * share),
            bytes_total=self.bytes_total, chunks_done=self.chunks_done + doc_chunks, current=current, stage=stage,
        ))

    # ---- results

    def record(self, result: IngestResult) -> None:
        setattr(self.report, result.status, getattr(self.report, result.status) + 1)
        self.report.records.append(result.record)

    def fail(self, source: str, exc: HuiyiError) -> None:
        self.report.errors.append(IngestError(source=source, code=exc.code, message=exc.message))

    # ---- writing

    def due(self) -> bool:
        chunks = sum(len(s.chunks) for _, s in self.staged)
        waited = time.monotonic() - self.staged_since
        return chunks >= WRITE_CHUNKS or len(self.staged) >= WRITE_DOCUMENTS or waited >= WRITE_SECONDS

    def flush(self, n: int) -> None:
        if not self.staged:
            return
        self.emit(n, "store")
        try:
            results = self.stager.write([s for _, s in self.staged])
        except HuiyiError as exc:
            for source, _ in self.staged:
                self.fail(source, exc)
        else:
            for result in results:
                self.record(result)
        self.staged = []

    def stage(self, n: int, kb: str | None) -> None:
        path = self.files[n]

        def progress(stage: str, done: int, total: int) -> None:
            self.emit(n, stage, done / total if total else 0.0, done)

        staged = self.stager.stage_path(path, kb, progress)
        if not isinstance(staged, IngestResult) and staged.doc.id in {s.doc.id for _, s in self.staged}:
            # The same document twice in one batch (two copies of a file): write the first, then read again.
            self.flush(n)
            staged = self.stager.stage_path(path, kb, progress)
        if isinstance(staged, IngestResult):
            self.record(staged)
            return
        if not self.staged:
            self.staged_since = time.monotonic()
        self.staged.append((str(path), staged))
        self.chunks_done += len(staged.chunks)


def ingest_paths(stager: Stager, paths: Sequence[str | Path], on_progress: ProgressFn | None = None,
                 kb: str | None = None) -> IngestReport:
    """Ingest files and folders (recursively, supported extensions, sorted); errors do not stop the run."""
    files, report = _expand(paths)
    run = _Run(stager, files, report, on_progress)
    for n, path in enumerate(run.files):
        run.emit(n, "parse")
        try:
            run.stage(n, kb)
        except HuiyiError as exc:
            run.fail(str(path), exc)
        run.bytes_done += run.sizes[n]
        if run.staged and run.due():
            run.flush(n + 1)
    run.flush(len(run.files))
    run.emit(len(run.files), "done")
    report.documents = len(report.records)
    report.chunks = sum(r.chunks for r in report.records)
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _expand(paths: Sequence[str | Path]) -> tuple[list[Path], IngestReport]:
    """The files to read, in order; a missing path is an error in the report, an unsupported file is skipped."""
    report, files = IngestReport(), []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(q for q in p.rglob("*") if q.is_file()):
                hidden = any(part.startswith(".") for part in f.relative_to(p).parts)
                if hidden or f.suffix.lower() not in load_stage.FORMATS:
                    report.skipped += 1
                else:
                    files.append(f)
        elif p.exists():
            files.append(p)
        else:
            report.errors.append(IngestError(source=str(p), code=NotFound.code, message=f"文件不存在 / not found: {p}"))
    return files, report
