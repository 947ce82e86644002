"""What we ask the model to return. The service turns these into verified Citations with offsets."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class LLMCitation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    source: int = Field(ge=1, description="1-based number of the source passage, as in [n].")
    quote: str = Field(min_length=1, description="A sentence copied verbatim from that source.")


class LLMAnswer(BaseModel):
    """The answer prompt's JSON output: {answer, citations: [{source, quote}], status}."""

    model_config = ConfigDict(extra="ignore")

    answer: str
    citations: list[LLMCitation] = Field(default_factory=list)
    status: Literal["answered", "not_found", "undisclosed"] = "answered"
