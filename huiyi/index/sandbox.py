"""Parse untrusted files in a child process with time, memory and CPU limits.

The parsers (lxml, python-docx, pypdf) run on attacker-chosen bytes; a zip bomb or a 5,000-page PDF
must cost a throwaway child, not the server. A helper process (`python -m huiyi.index.sandbox`)
preloads the parsers once; for each file it forks a child (~10 ms), which sets RLIMIT_AS and
RLIMIT_CPU and parses; the helper kills it at the wall-clock limit. Results come back as JSON (never
pickle: the child has read hostile bytes). Every breach is a `HuiyiError` with a stable code — 413 for
sizes (pages, inflated size, text), 422 for time, memory and crashes — and nothing is stored, because
nothing downstream runs.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field

from huiyi import errors
from huiyi.errors import BadInput, HuiyiError
from huiyi.index.load import DEFAULT_LIMITS, LoadLimits
from huiyi.index.records import LoadedText

log = logging.getLogger(__name__)
_PRELOAD = ("huiyi.index.load", "huiyi.index.hidden", "trafilatura", "docx", "pypdf", "lxml.html", "charset_normalizer")


class ParseLimitExceeded(BadInput):
    code = "parse_limit"
    http_status = 422


@dataclass(frozen=True)
class SandboxLimits:
    seconds: float = 30.0  # wall clock for one parse
    memory_bytes: int = 768 * 1024 * 1024  # address space one parse may add
    load: LoadLimits = field(default_factory=lambda: DEFAULT_LIMITS)


class Sandbox:
    """A long-lived helper process that forks one limited child per file. Thread-safe (one parse at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None

    def _helper(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "huiyi.index.sandbox"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True,
            )
        return self._proc

    def load(self, data: bytes, name: str, *, max_bytes: int, limits: SandboxLimits) -> LoadedText:
        header = json.dumps({"name": name, "max_bytes": max_bytes, "seconds": limits.seconds,
                             "memory": limits.memory_bytes, "load": asdict(limits.load)}).encode()
        with self._lock:
            proc = self._helper()
            try:
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(struct.pack(">I", len(header)) + header + struct.pack(">Q", len(data)) + data)
                proc.stdin.flush()
                reply = _read_frame(proc.stdout.fileno(), time.monotonic() + limits.seconds + 15)
            except (OSError, TimeoutError, ValueError) as exc:
                log.warning("parser helper failed (%s); restarting it", exc)
                self.close_locked()
                raise ParseLimitExceeded(f"解析失败 / reading {name} failed; try again.", code="parse_failed") from exc
        return _result(json.loads(reply), name, limits)

    def close(self) -> None:
        with self._lock:
            self.close_locked()

    def close_locked(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)
        self._proc = None


_shared = Sandbox()


def load_isolated(data: bytes, name: str, *, max_bytes: int, limits: SandboxLimits = SandboxLimits()) -> LoadedText:
    """`load_bytes` in a limited child process; raises the child's HuiyiError or a limit error."""
    return _shared.load(data, name, max_bytes=max_bytes, limits=limits)


def _result(reply: dict, name: str, limits: SandboxLimits) -> LoadedText:
    kind = reply.get("kind")
    if kind == "ok":
        return LoadedText.model_validate(reply["loaded"])
    if kind == "timeout":
        raise ParseLimitExceeded(
            f"解析超时 / reading {name} took longer than {limits.seconds:g} s; the file is too complex or damaged — "
            "save it again as plain text or a simpler .docx/PDF.",
            code="parse_timeout",
        )
    if kind == "died":
        raise ParseLimitExceeded(
            f"解析超出资源上限 / reading {name} exceeded the parser's memory or CPU limit; the file is too large or damaged.",
            code="parse_memory",
        )
    cls = getattr(errors, reply.get("type", ""), None)
    if not (isinstance(cls, type) and issubclass(cls, HuiyiError)):
        cls = ParseLimitExceeded
    raise cls(str(reply.get("message", "unreadable file")), code=str(reply.get("code", "parse_failed")),
              http_status=int(reply.get("status", 422)))


def _read_exact(fd: int, n: int, deadline: float) -> bytes:
    out = bytearray()
    while len(out) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no reply in time")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, min(1 << 20, n - len(out)))
        if not chunk:
            raise OSError("pipe closed")
        out += chunk
    return bytes(out)


def _read_frame(fd: int, deadline: float) -> bytes:
    (n,) = struct.unpack(">Q", _read_exact(fd, 8, deadline))
    return _read_exact(fd, n, deadline)


# ---- the helper process --------------------------------------------------------------------------


def _serve() -> None:
    """Read requests on stdin, answer on the original stdout; everything else printed goes to stderr."""
    import importlib

    reply_fd = os.dup(1)
    os.dup2(2, 1)
    for module in _PRELOAD:
        importlib.import_module(module)
    stdin = sys.stdin.buffer
    while True:
        head = stdin.read(4)
        if len(head) < 4:
            return
        header = json.loads(stdin.read(struct.unpack(">I", head)[0]))
        data = stdin.read(struct.unpack(">Q", stdin.read(8))[0])
        reply = json.dumps(_parse_in_child(header, data)).encode()
        os.write(reply_fd, struct.pack(">Q", len(reply)))
        view = memoryview(reply)
        while view:
            view = view[os.write(reply_fd, view):]


def _parse_in_child(header: dict, data: bytes) -> dict:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limit, parse, reply, exit without cleanup
        os.close(read_fd)
        code = 0
        try:
            reply = _child(header, data)
            payload = json.dumps(reply).encode()
            view = memoryview(payload)
            while view:
                view = view[os.write(write_fd, view):]
        except BaseException:  # noqa: BLE001 - the exit status tells the helper
            code = 1
        os._exit(code)
    os.close(write_fd)
    deadline = time.monotonic() + float(header["seconds"])
    chunks, timed_out = [], False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], left)
        if ready:
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(read_fd)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return {"kind": "timeout"}
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return {"kind": "died", "status": status}


def _child(header: dict, data: bytes) -> dict:
    from huiyi.index.load import load_bytes

    name = header["name"]
    try:
        _limit_resources(float(header["seconds"]), int(header["memory"]))
        loaded = load_bytes(data, name, max_bytes=int(header["max_bytes"]), limits=LoadLimits(**header["load"]))
        return {"kind": "ok", "loaded": loaded.model_dump()}
    except HuiyiError as exc:
        return {"kind": "error", "type": type(exc).__name__, "code": exc.code, "message": exc.message, "status": exc.http_status}
    except MemoryError:
        return {"kind": "error", "type": "BadInput", "code": "parse_memory", "status": 422,
                "message": f"解析超出内存上限 / reading {name} needs more memory than allowed; the file is too large or a decompression bomb."}
    except RecursionError:
        return {"kind": "error", "type": "BadInput", "code": "parse_failed", "status": 422,
                "message": f"无法解析 / {name} is nested too deeply to read."}
    except Exception as exc:  # noqa: BLE001 - any parser crash on hostile bytes is the file's fault
        return {"kind": "error", "type": "UnsupportedFormat", "code": "unreadable", "status": 422,
                "message": f"无法读取 / {name} could not be read ({type(exc).__name__}); export it again and retry."}


def _limit_resources(seconds: float, memory: int) -> None:
    with open("/proc/self/statm") as f:
        current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (current + memory, current + memory))
    cpu = int(seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    os.nice(5)  # parsing yields to answering


if __name__ == "__main__":
    _serve()
