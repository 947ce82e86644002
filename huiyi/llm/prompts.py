"""Prompt templates, loaded by name from huiyi/prompts/*.txt, and the message builders that use them.

A template file starts with `# version: N`; further leading `#` lines are notes for people.
The body uses `$name` placeholders (string.Template), so JSON braces in a template need no
escaping. Versions go into cache keys and responses, so a changed prompt is visible.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Any

from huiyi.config import PACKAGE_DIR
from huiyi.errors import HuiyiError

PROMPTS_DIR = PACKAGE_DIR / "prompts"
_VERSION = re.compile(r"^#\s*version:\s*(\d+)\s*$")

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}


class PromptError(HuiyiError):
    """A template is missing, has no version line, or was rendered without a value."""

    code = "prompt_error"
    http_status = 500


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.name}@v{self.version}"

    def render(self, **values: Any) -> str:
        try:
            return Template(self.text).substitute({k: str(v) for k, v in values.items()})
        except KeyError as exc:
            raise PromptError(f"Prompt {self.id} needs a value for ${exc.args[0]}.") from None


@cache
def load_prompt(name: str) -> Prompt:
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.is_file():
        raise PromptError(f"Prompt template {path} is missing; reinstall huiyi or restore huiyi/prompts/.")
    lines = path.read_text(encoding="utf-8").splitlines()
    match = _VERSION.match(lines[0]) if lines else None
    if not match:
        raise PromptError(f"Prompt template {path} must start with a '# version: N' line.")
    body = lines[1:]
    while body and body[0].startswith("#"):
        body = body[1:]
    return Prompt(name=name, version=int(match.group(1)), text="\n".join(body).strip() + "\n")


def prompt_versions() -> dict[str, int]:
    """Every template's version, for cache keys and the /healthz-style reports."""
    return {p.stem: load_prompt(p.stem).version for p in sorted(PROMPTS_DIR.glob("*.txt"))}


# -- message builders ---------------------------------------------------------------------


@dataclass(frozen=True)
class PromptSource:
    """One numbered source shown to the model: a passage and the report it came from."""

    title: str
    text: str


def _as_data(text: str) -> str:
    # Source text is data: a report must not be able to close our tags and pose as instructions.
    return re.sub(r"</?\s*(资料|原文|对话历史|各部分抽取结果)\s*>", "", text)


def format_sources(sources: Sequence[PromptSource]) -> str:
    blocks = [f"[{i}] 《{_as_data(s.title)}》\n{_as_data(s.text).strip()}" for i, s in enumerate(sources, 1)]
    return "\n\n".join(blocks)


def answer_messages(question: str, sources: Sequence[PromptSource]) -> list[Message]:
    user = load_prompt("answer_user").render(sources=format_sources(sources), question=question.strip())
    return [{"role": "system", "content": load_prompt("answer_system").text},
            {"role": "user", "content": user}]


def format_history(history: Sequence[Any]) -> str:
    """History turns as `用户:…` / `助手:…` lines; accepts ChatTurn-like objects or dicts."""
    names = {"user": "用户", "assistant": "助手"}
    lines = []
    for turn in history:
        role = turn.get("role") if isinstance(turn, dict) else getattr(turn, "role", "user")
        content = turn.get("content") if isinstance(turn, dict) else getattr(turn, "content", "")
        lines.append(f"{names.get(str(role), '用户')}:{_as_data(str(content)).strip()}")
    return "\n".join(lines)


def rewrite_messages(question: str, history: Sequence[Any]) -> list[Message]:
    text = load_prompt("rewrite_followup").render(history=format_history(history), question=question.strip())
    return [{"role": "user", "content": text}]


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, separators=(",", ":"))


def summary_map_messages(title: str, text: str, part: int, parts: int, schema: dict[str, Any]) -> list[Message]:
    content = load_prompt("summary_map").render(title=_as_data(title), text=_as_data(text), part=part,
                                                parts=parts, schema=schema_text(schema))
    return [{"role": "user", "content": content}]


def summary_reduce_messages(title: str, partials: Sequence[str], schema: dict[str, Any]) -> list[Message]:
    joined = "\n".join(_as_data(p) for p in partials)
    content = load_prompt("summary_reduce").render(title=_as_data(title), parts=joined, schema=schema_text(schema))
    return [{"role": "user", "content": content}]


def repair_messages(messages: Sequence[Message], bad_output: str, error: str, schema: dict[str, Any]) -> list[Message]:
    """The original conversation, the rejected reply, and a request to fix it once."""
    fix = load_prompt("repair_json").render(error=error, schema=schema_text(schema))
    return [*messages, {"role": "assistant", "content": bad_output}, {"role": "user", "content": fix}]


def json_only_instruction(schema: dict[str, Any]) -> str:
    return load_prompt("json_only").render(schema=schema_text(schema))
