"""LLM path: client (OpenAI-compatible + scripted fake), prompt templates, structured output."""

from huiyi.llm.client import (
    LLM,
    ChatStream,
    LLMResult,
    OpenAILLM,
    Usage,
    deadline_after,
    make_llm,
)
from huiyi.llm.scripted import LLMCall, ScriptedLLM
from huiyi.llm.structured import InvalidOutput, Structured, complete_json, parse_json

__all__ = [
    "LLM", "ChatStream", "LLMCall", "LLMResult", "OpenAILLM", "ScriptedLLM", "Usage", "deadline_after",
    "make_llm", "InvalidOutput", "Structured", "complete_json", "parse_json",
]
