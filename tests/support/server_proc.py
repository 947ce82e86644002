"""`huiyi serve` as a real subprocess on a loopback port, for soak, crash and hostile-input tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUIYI_", "OPENAI_"))}
    env.update({"HUIYI_DATA_DIR": str(data_dir), "HUIYI_SEEDS_DIR": str(ROOT / "seeds"), "PYTHONPATH": str(ROOT),
                "ANONYMIZED_TELEMETRY": "False", "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "2")})
    env.update({f"HUIYI_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def start_server(port: int, env: dict[str, str], log: Path, timeout: float = 180) -> subprocess.Popen:
    out = log.open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "huiyi.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=str(ROOT), start_new_session=True)
    out.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"huiyi serve exited {proc.returncode}: " + log.read_text(errors="replace")[-3000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError("huiyi serve did not answer /healthz: " + log.read_text(errors="replace")[-3000:])


def stop(proc: subprocess.Popen, kill: bool = False) -> None:
    """End the server and everything it started (its sandbox helper), by process group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    try:  # the helper shares the group; make sure nothing of ours outlives the test
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def running(port: int, env: dict[str, str], log: Path):
    proc = start_server(port, env, log)
    try:
        yield proc
    finally:
        stop(proc)


PROBE = """
import sys, time, httpx
base, out = sys.argv[1], sys.argv[2]
with httpx.Client(timeout=10) as client, open(out, "a") as f:
    while True:
        t0 = time.perf_counter()
        try:
            ok = client.get(base + "/healthz").status_code == 200
        except httpx.HTTPError:
            ok = False
        f.write(f"{(time.perf_counter() - t0) * 1000 if ok else -1:.1f}\\n")
        f.flush()
        time.sleep(0.2)
"""


class HealthProbe:
    """Polls /healthz from its own process (so the load generators' threads do not slow the measurement)."""

    def __init__(self, base: str, out: Path):
        self.out = out
        self.proc = subprocess.Popen([sys.executable, "-c", PROBE, base, str(out)], start_new_session=True)

    def stop(self) -> list[float]:
        """Latencies in ms; -1 marks a failed check."""
        self.proc.kill()
        self.proc.wait(10)
        return [float(x) for x in self.out.read_text().split()] if self.out.exists() else []
