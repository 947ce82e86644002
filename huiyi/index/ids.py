"""Deterministic, safe identifiers for documents and chunks.

A doc id ends up in URLs, Chroma metadata and file names under the data dir, so it is limited to
a small alphabet and can never walk out of a directory.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

from huiyi.errors import BadInput

MAX_ID_CHARS = 96
_ALLOWED = re.compile(r"^[0-9A-Za-z_.\-\u4e00-\u9fff]{1,96}$")
_DISALLOWED_RUN = re.compile(r"[^0-9A-Za-z_.\-\u4e00-\u9fff]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def doc_id_from_name(name: str) -> str:
    """The file name stem, sanitised: `报告/001 (final).txt` → `001_final`."""
    stem = PurePath(name.replace("\\", "/")).stem
    cleaned = _DISALLOWED_RUN.sub("_", stem)
    cleaned = re.sub(r"\.{2,}", "_", cleaned).strip("._-")[:MAX_ID_CHARS].strip("._-")
    # A name made only of punctuation still needs a stable id.
    return cleaned or f"f_{sha256_hex(name)[:16]}"


def doc_id_for_content(content_hash: str, length: int = 16) -> str:
    """The server-generated id of a document: from its cleaned text's hash, never from a file name."""
    return f"d_{content_hash[:length]}"


def doc_id_from_text(text: str) -> str:
    return f"t_{sha256_hex(text)[:16]}"


def validate_doc_id(doc_id: str) -> str:
    """Reject anything that is not a doc id we could have made; never touches the file system."""
    if not isinstance(doc_id, str) or not doc_id:
        raise BadInput("Document id is empty.", code="bad_doc_id")
    if "/" in doc_id or "\\" in doc_id or ".." in doc_id or _CONTROL.search(doc_id):
        raise BadInput(f"Invalid document id {doc_id[:40]!r}: ids never contain '/', '\\', '..' or control characters.", code="bad_doc_id")
    if not _ALLOWED.match(doc_id):
        raise BadInput(
            f"Invalid document id {doc_id[:40]!r}: use letters, digits, Chinese characters, '_', '-', '.' (≤ {MAX_ID_CHARS}).",
            code="bad_doc_id",
        )
    return doc_id


def chunk_id(doc_id: str, ord_: int) -> str:
    return f"{doc_id}:{ord_:04d}"


def doc_id_of_chunk(chunk_id_: str) -> str:
    return chunk_id_.rsplit(":", 1)[0]
