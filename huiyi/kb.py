"""Knowledge bases (知识库): named collections of documents, e.g. 衡东县 or 2026政府工作报告.

A document belongs to the knowledge bases listed in its record; one stored without any belongs to the
default one (so stores written before knowledge bases existed keep working). Every question, search,
summary and indicator table can be scoped to one or several; an API key can be limited to some.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from huiyi.errors import BadInput, HuiyiError, NotFound
from huiyi.index.records import DEFAULT_KB, DocumentRecord, record_kbs

MAX_KB_CHARS = 50
ALL_REPORTS_MODEL = "huiyi"  # the chat model id over every report; one more per knowledge base: "huiyi/<name>"


class KnowledgeBase(BaseModel):
    name: str
    documents: int
    chunks: int
    default: bool = False  # the knowledge base of documents stored without one


class KbForbidden(HuiyiError):
    """The API key is limited to other knowledge bases."""

    code = "kb_forbidden"
    http_status = 403


def validate_kb_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    bad = [c for c in name if c in "/\\?#%" or unicodedata.category(c).startswith("C")]
    # "huiyi" names every report (the chat model, Dify's knowledge id): no knowledge base may take it.
    if not name or len(name) > MAX_KB_CHARS or bad or name.startswith(".") or name.lower() == ALL_REPORTS_MODEL:
        raise BadInput(
            f"知识库名称应为 1–{MAX_KB_CHARS} 个字符,不含 / \\ ? # % 或控制字符 / a knowledge base name is "
            f"1–{MAX_KB_CHARS} characters without / \\ ? # % or control characters, not `huiyi`, e.g. 衡东县.",
            code="bad_kb_name",
        )
    return name


def knowledge_bases(records: Iterable[DocumentRecord]) -> list[KnowledgeBase]:
    """Every knowledge base with at least one document, and the default one (always listed)."""
    docs: dict[str, int] = {DEFAULT_KB: 0}
    chunks: dict[str, int] = {DEFAULT_KB: 0}
    for record in records:
        for name in record_kbs(record):
            docs[name] = docs.get(name, 0) + 1
            chunks[name] = chunks.get(name, 0) + record.chunks
    names = sorted(docs, key=lambda n: (n != DEFAULT_KB, n))
    return [KnowledgeBase(name=n, documents=docs[n], chunks=chunks[n], default=n == DEFAULT_KB) for n in names]


def resolve_kbs(requested: Sequence[str] | None, known: Iterable[str], allowed: Iterable[str] | None = None) -> list[str] | None:
    """The knowledge bases a request may read: None means every document.

    `requested`: what the caller asked for (None: everything it may read); `allowed`: the knowledge bases its
    API key is limited to (None: no limit). Unknown names are a 404, names outside the key's limit a 403."""
    limit = sorted(set(allowed)) if allowed is not None else None
    if not requested:
        return limit
    names = list(dict.fromkeys(validate_kb_name(n) for n in requested))
    known_set = set(known) | {DEFAULT_KB}
    unknown = [n for n in names if n not in known_set]
    if unknown:
        raise NotFound(
            f"没有知识库 {', '.join(unknown)}:请用 GET /kbs 查看已有的知识库,或上传文档时指定 kb 新建。"
            f" / No knowledge base {', '.join(unknown)}; list them with GET /kbs.",
            code="unknown_kb",
        )
    if limit is not None:
        outside = [n for n in names if n not in limit]
        if outside:
            raise KbForbidden(
                f"此密钥不能读取知识库 {', '.join(outside)} / this API key is limited to {', '.join(limit)}."
            )
    return names


def in_kbs(record: DocumentRecord, kbs: Sequence[str] | None) -> bool:
    return kbs is None or bool(set(kbs).intersection(record_kbs(record)))


def model_id(kb: str | None) -> str:
    return ALL_REPORTS_MODEL if kb is None else f"{ALL_REPORTS_MODEL}/{kb}"


def kb_of_model(model: str) -> str | None:
    """The knowledge base a chat model id names: "huiyi" → None (every report), "huiyi/衡东县" → 衡东县.

    A bare knowledge base name is accepted too (some clients strip the prefix)."""
    model = (model or "").strip()
    if model == ALL_REPORTS_MODEL:
        return None
    return model.removeprefix(ALL_REPORTS_MODEL + "/")


__all__ = [
    "DEFAULT_KB", "KnowledgeBase", "KbForbidden", "validate_kb_name", "knowledge_bases", "resolve_kbs", "in_kbs",
    "model_id", "kb_of_model", "ALL_REPORTS_MODEL",
]
