"""Citations and grounding verdicts: shared by answers and summaries."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """A verbatim quote: `quote == document.text[start:end]` of the cleaned document."""

    doc_id: str
    title: str
    quote: str
    start: int
    end: int
    chunk_id: str


class Grounding(BaseModel):
    checked: list[str] = Field(default_factory=list)  # numbers found in the answer, as written
    failed: list[str] = Field(default_factory=list)  # numbers or quotes that did not check out
    ok: bool = True
    note: str | None = None
