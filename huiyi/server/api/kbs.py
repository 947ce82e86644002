"""Knowledge bases: list them, put a stored document into one or take it out."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from huiyi.index.records import DocumentRecord
from huiyi.kb import KnowledgeBase
from huiyi.server.api.deps import AllowedKbs, Service

router = APIRouter(tags=["knowledge bases"])


class KnowledgeBaseList(BaseModel):
    kbs: list[KnowledgeBase]


@router.get("/kbs", response_model=KnowledgeBaseList)
def list_kbs(service: Service, allowed: AllowedKbs) -> KnowledgeBaseList:
    """Knowledge bases with their document and chunk counts (those the API key may read)."""
    kbs = service.knowledge_bases()
    return KnowledgeBaseList(kbs=[k for k in kbs if allowed is None or k.name in allowed])


@router.put("/kbs/{kb}/documents/{doc_id}", response_model=DocumentRecord)
def add_to_kb(kb: str, doc_id: str, service: Service, allowed: AllowedKbs) -> DocumentRecord:
    """Put a stored document into the knowledge base `kb` too (created on first use)."""
    record = service.record(doc_id, allowed)
    _check_writable(kb, allowed)
    return service.set_document_kbs(doc_id, [*record.kbs, kb])


@router.delete("/kbs/{kb}/documents/{doc_id}", response_model=DocumentRecord)
def remove_from_kb(kb: str, doc_id: str, service: Service, allowed: AllowedKbs) -> DocumentRecord:
    """Take a document out of `kb` (the document stays stored; with no knowledge base left it is in the default one)."""
    record = service.record(doc_id, allowed)
    _check_writable(kb, allowed)
    return service.set_document_kbs(doc_id, [k for k in record.kbs if k != kb])


def _check_writable(kb: str, allowed: list[str] | None) -> None:
    from huiyi.kb import KbForbidden, validate_kb_name

    if allowed is not None and validate_kb_name(kb) not in allowed:
        raise KbForbidden(f"此密钥不能修改知识库 {kb} / this API key is limited to {', '.join(allowed)}.")


__all__ = ["router"]
