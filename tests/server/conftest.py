"""A seeded store split into knowledge bases, and the real app serving it over HTTP (uvicorn on loopback).

衡东县 holds 000 and 002, 雁峰区 holds 001; 003 and 004 stay in the default knowledge base.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from huiyi.config import Settings

KBS = {"衡东县": ("000_", "002_"), "雁峰区": ("001_",)}


@pytest.fixture(scope="session")
def kb_store(seeded_store, tmp_path_factory) -> Path:
    from huiyi.index.pipeline import Index

    data = tmp_path_factory.mktemp("kbs") / "data"
    shutil.copytree(seeded_store, data)
    index = Index.open(Settings(data_dir=data))
    for record in index.documents():
        kbs = [kb for kb, prefixes in KBS.items() if record.source.startswith(prefixes)]
        if kbs:
            index.set_kbs(record.id, kbs)
    index.close() if hasattr(index, "close") else None
    return data


def kb_settings(kb_store: Path, tmp: Path, **overrides) -> Settings:
    data = tmp / "data"
    shutil.copytree(kb_store, data)
    return Settings(data_dir=data, ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None, llm_model=None,
                    **overrides)


@pytest.fixture(scope="module")
def kb_base_url(kb_store, tmp_path_factory):
    """The real app over a private copy of the knowledge-base store, for tests that only read."""
    from huiyi.server.app import create_app
    from tests.support.live import live_server

    settings = kb_settings(kb_store, tmp_path_factory.mktemp("kbapp"))
    with live_server(create_app(settings), lifespan="on") as base:
        yield base


def doc_ids_by_source(documents: list[dict]) -> dict[str, str]:
    return {d["source"][:4]: d["id"] for d in documents}
