"""Bulk ingest: many files read, embedded and written in batches, with progress a person can follow.

A write to the vector store has a fixed cost that dwarfs one small document's chunks (measured by
benchmarks/profile_ingest.py: about 80 ms of CPU per call on 2 cores, whatever its size), so documents
are staged (read, chunked, embedded) and written together: one chunk write and one row transaction per
batch. A batch becomes visible at once when it is complete; a crash loses at most the batch in hand.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from huiyi.errors import HuiyiError

if TYPE_CHECKING:
    from huiyi.index.pipeline import Index, IngestReport, IngestResult, ProgressFn, Staged

WRITE_CHUNKS = 512  # write when the staged documents hold this many chunks …
WRITE_DOCUMENTS = 64  # … or this many documents …
WRITE_SECONDS = 5.0  # … or the oldest has waited this long (with a real embedder: results show up soon)


class _Run:
    """One `ingest_paths` run: the files, what is staged, and what has been reported."""

    def __init__(self, index: Index, files: Sequence[Path], report: IngestReport, on_progress: ProgressFn | None):
        self.index = index
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
        from huiyi.index.pipeline import IngestProgress

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
        from huiyi.index.pipeline import IngestError

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
            results = self.index.write([s for _, s in self.staged])
        except HuiyiError as exc:
            for source, _ in self.staged:
                self.fail(source, exc)
        else:
            for result in results:
                self.record(result)
        self.staged = []

    def stage(self, n: int, kb: str | None) -> None:
        from huiyi.index.pipeline import IngestResult

        path = self.files[n]

        def progress(stage: str, done: int, total: int) -> None:
            self.emit(n, stage, done / total if total else 0.0, done)

        staged = self.index._stage_path(path, kb, progress)
        if not isinstance(staged, IngestResult) and staged.doc.id in {s.doc.id for _, s in self.staged}:
            # The same document twice in one batch (two copies of a file): write the first, then read again.
            self.flush(n)
            staged = self.index._stage_path(path, kb, progress)
        if isinstance(staged, IngestResult):
            self.record(staged)
            return
        if not self.staged:
            self.staged_since = time.monotonic()
        self.staged.append((str(path), staged))
        self.chunks_done += len(staged.chunks)


def ingest_files(index: Index, files: Sequence[Path], report: IngestReport, on_progress: ProgressFn | None,
                 kb: str | None = None) -> IngestReport:
    run = _Run(index, files, report, on_progress)
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
