"""What `huiyi serve` does once it is listening, in the background: index the seeds into an empty store (the
page and the console show the progress) and warm the models, so the server answers at once and the first
question is as fast as the next.

The seeds are indexed as a `folder` job on the server's ingest queue (huiyi.jobs), the one writer every
upload goes through too: an upload made meanwhile waits its turn (its job says `queued`), and
`GET /jobs/{id}` follows the seeding like any other job (its id is in /healthz `indexing.job`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huiyi.config import Settings
    from huiyi.core import Huiyi
    from huiyi.index.pipeline import IngestProgress, IngestReport
    from huiyi.jobs import JobQueue

log = logging.getLogger("huiyi")
WARM_QUESTION = "2024年地区生产总值增长多少?"


class Startup:
    """Background start-up work and its status (for /healthz and the page)."""

    def __init__(self, service: Huiyi, settings: Settings, jobs: JobQueue | None = None,
                 say: Callable[[str], None] | None = None):
        self.service = service
        self.settings = settings
        self.jobs = jobs  # None: index on this thread (no server queue)
        self._stopping = threading.Event()
        self.say = say or (lambda line: _log_console().print(f"INFO:     {line}", highlight=False))
        self._lock = threading.Lock()
        self._indexing: dict[str, Any] | None = None
        self.warm = "pending"  # pending, running, done, failed
        self.thread: threading.Thread | None = None

    def needs_seeds(self) -> bool:
        s = self.settings
        return bool(s.ingest_seeds_on_start and s.seeds_dir.is_dir() and not self.service.documents())

    def start(self) -> None:
        seeding = self.needs_seeds()
        if seeding:
            with self._lock:
                self._indexing = {"state": "running", "source": self.settings.seeds_dir.name, "files_done": 0,
                                  "files_total": 0, "chunks_done": 0, "percent": 0, "eta_s": None}
        self.thread = threading.Thread(target=self._run, args=(seeding,), name="huiyi-startup", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """The server is shutting down: do not start warming (the queue's close() stops a running seed job)."""
        self._stopping.set()

    def join(self, timeout: float) -> None:
        if self.thread is not None:
            self.thread.join(timeout)

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {"indexing": dict(self._indexing) if self._indexing else None, "warm": self.warm}

    # ---- the background thread

    def _run(self, seeding: bool) -> None:
        if seeding:
            self._seed()
        if not self._stopping.is_set():
            self._warm()

    def _seed(self) -> None:
        from huiyi.progress import ConsoleProgress, describe

        started = time.monotonic()
        printer = ConsoleProgress(_log_console(), "indexing seeds", log=self.say)

        def on_progress(p: IngestProgress) -> None:
            printer.update(p)
            share = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
            elapsed = time.monotonic() - started
            eta = round(elapsed * (1 - share) / share) if 0.02 < share < 1 and elapsed > 1 else None
            with self._lock:
                self._indexing = {**(self._indexing or {}), "files_done": p.files_done, "files_total": p.files_total,
                                  "chunks_done": p.chunks_done, "percent": round(100 * share), "eta_s": eta,
                                  "current": p.current.rsplit("/", 1)[-1], "line": describe(p, started)}

        self.say(f"empty store: indexing {self.settings.seeds_dir} in the background; the page is up already")
        try:
            report = self._ingest_seeds(on_progress)
        except Exception as exc:  # noqa: BLE001 - a failed seed ingest must not take the server down
            log.exception("indexing the seeds failed")
            with self._lock:
                self._indexing = {**(self._indexing or {}), "state": "failed", "error": str(exc)[:300]}
            return
        with self._lock:
            self._indexing = {**(self._indexing or {}), "state": "done", "documents": report.documents,
                              "errors": report.errors, "percent": 100, "eta_s": 0}
        self.say(f"indexed {report.added} documents, {report.chunks} chunks in {time.monotonic() - started:.0f} s")

    def _ingest_seeds(self, on_progress: Callable[[IngestProgress], None]) -> _Counts:
        seeds = self.settings.seeds_dir
        if self.jobs is None:
            return _Counts.of_report(self.service.ingest_paths([seeds], on_progress=on_progress))
        from huiyi.jobs import JobSpec

        job = self.jobs.submit(JobSpec(name=seeds.name, paths=[seeds], on_progress=on_progress))
        with self._lock:
            self._indexing = {**(self._indexing or {}), "job": job.id}
        view = self.jobs.wait(job.id, None)
        if view.state == "failed" or view.result is None or view.result.report is None:
            raise RuntimeError(view.error.message if view.error else f"seed job {view.state}")
        done = view.result.report
        return _Counts(done.added, done.documents, done.chunks, done.errors)

    def _warm(self) -> None:
        """Load what the first question needs: the embedder, the keyword index, the answerer's models."""
        from huiyi.qa.models import AskRequest

        self.warm = "running"
        started = time.monotonic()
        try:
            self.service.index.embedder.embed_query(WARM_QUESTION)
            self.service.index.searcher.refresh()
            self.service.ask(AskRequest(question=WARM_QUESTION))
        except Exception:  # noqa: BLE001 - warming is an optimisation
            log.warning("warming the models failed; the first question loads them", exc_info=True)
            self.warm = "failed"
            return
        self.warm = "done"
        self.say(f"models warm in {time.monotonic() - started:.1f} s")


@dataclass(frozen=True)
class _Counts:
    """What the console line and /healthz say about a finished seed run."""

    added: int
    documents: int
    chunks: int
    errors: int

    @classmethod
    def of_report(cls, report: IngestReport) -> _Counts:
        return cls(report.added, report.documents, report.chunks, len(report.errors))


def _log_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)
