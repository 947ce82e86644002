"""Ingest progress for people: a rich bar with an ETA on a terminal, a line every few seconds in a log.

The ETA comes from bytes (embedding time follows the text's length), advanced chunk by chunk inside a file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from huiyi.index.pipeline import IngestProgress

LOG_EVERY = 5.0  # seconds between plain progress lines


def describe(p: IngestProgress, started: float) -> str:
    """One line: files, chunks, percent and an ETA once there is something to go on."""
    share = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
    elapsed = time.monotonic() - started
    eta = ""
    if 0.02 < share < 1.0 and elapsed > 1.0:
        eta = f", about {_duration(elapsed * (1 - share) / share)} left"
    name = PurePath(p.current).name if p.current else ""
    where = f" — {name}" if name and p.stage != "done" else ""
    return f"{p.files_done}/{p.files_total} files, {p.chunks_done} chunks, {share:.0%}{eta}{where}"


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class ConsoleProgress:
    """A context manager yielding an `on_progress` callback for `ingest_paths`."""

    def __init__(self, console: Console, title: str = "indexing", *, log: Callable[[str], None] | None = None):
        self.console = console
        self.title = title
        self.log = log or (lambda line: console.print(line, highlight=False))
        self.started = time.monotonic()
        self._last_line = 0.0
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[IngestProgress], None]:
        if self.console.is_terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn(f"[bold]{self.title}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[files]} files · {task.fields[chunks]} chunks"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("[dim]{task.fields[name]}"),
                console=self.console, transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.title, total=None, files="0/0", chunks=0, name="")
        return self.update

    def update(self, p: IngestProgress) -> None:
        if self._bar is not None:
            self._bar.update(self._task, total=max(p.bytes_total, 1), completed=p.bytes_done,
                             files=f"{p.files_done}/{p.files_total}", chunks=p.chunks_done,
                             name=PurePath(p.current).name[-40:] if p.current else "")
            return
        now = time.monotonic()
        if p.stage == "done" or now - self._last_line >= LOG_EVERY:
            self._last_line = now
            self.log(f"{self.title}: {describe(p, self.started)}")

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
