"""Seed documents built through the real load → clean → meta stages, once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiyi.evals.summary_score import seed_documents
from huiyi.index.clean import clean_text
from huiyi.index.meta import extract_meta
from huiyi.index.records import Document

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="session")
def seed_docs() -> dict[str, Document]:
    return {d.id: d for d in seed_documents(SEEDS)}


@pytest.fixture(scope="session")
def make_doc():
    """Build a Document from raw text through the real cleaning and metadata stages."""

    def build(text: str, doc_id: str = "t_test", source: str = "test.txt") -> Document:
        cleaned = clean_text(text)
        meta = extract_meta(cleaned.text, source, cleaned.removed)
        return Document(id=doc_id, source=source, content_hash="h", raw_hash="r", text=cleaned.text, meta=meta,
                        removed=cleaned.removed)

    return build
