"""Typed records of the /ask API (docs/contracts.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from huiyi.cite.models import Citation, Grounding
from huiyi.index.records import SearchFilters

Status = Literal["answered", "not_found", "undisclosed"]


class ChatTurn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str


class AskRequest(BaseModel):
    question: str
    history: list[ChatTurn] = Field(default_factory=list)
    filters: SearchFilters | None = None


class AskResponse(BaseModel):
    answer: str
    status: Status
    citations: list[Citation] = Field(default_factory=list)
    mode: Literal["extractive", "llm"] = "extractive"
    grounding: Grounding = Field(default_factory=Grounding)
    timing: dict[str, float] = Field(default_factory=dict)
    usage: dict | None = None
    model: str | None = None
    fallback: str | None = None  # why an LLM answer was replaced by the offline one
