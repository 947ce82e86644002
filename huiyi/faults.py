"""Fault injection for crash tests: named points in write paths that can sleep or kill the process.

Off unless `HUIYI_FAULTS` is set (tests only; `HUIYI_FAULTS_TRACE=<file>` logs each hit), e.g. `HUIYI_FAULTS=chunk_write=sleep:0.2` widens the
chunk-write window so an outside `kill -9` lands in it, `chunk_write=kill@3` dies at the third hit.
With a `chunk_write` fault the store writes one chunk per call, so every chunk boundary is a point.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from functools import lru_cache

_hits: Counter[str] = Counter()


@lru_cache(maxsize=1)
def _spec() -> dict[str, str]:
    raw = os.environ.get("HUIYI_FAULTS", "")
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {name.strip(): action.strip() for name, action in pairs}


def active(name: str) -> bool:
    return name in _spec()


def point(name: str) -> None:
    """A place where a crash test may interrupt the process; a no-op in normal runs."""
    action = _spec().get(name)
    if not action:
        return
    _hits[name] += 1
    trace = os.environ.get("HUIYI_FAULTS_TRACE")
    if trace:  # lets a test see where an outside kill landed
        fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.write(fd, f"{name} {_hits[name]}\n".encode())
        os.close(fd)
    if action.startswith("sleep:"):
        time.sleep(float(action.split(":", 1)[1]))
    elif action == "kill" or (action.startswith("kill@") and _hits[name] == int(action[5:])):
        os.kill(os.getpid(), signal.SIGKILL)
