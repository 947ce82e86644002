"""Keyword (BM25) index beside the vectors: exact names, numbers and slogans that embeddings blur.

Two tokenizers: "bigram" (overlapping CJK character pairs plus ASCII/number words, the default) and
"jieba" (search-mode words). jieba glues names to the next character ("王燕受"), bigrams cannot
miss a name; benchmarks/retrieval.py measures both. The index is a cache of
the store: it is rebuilt whenever the store's fingerprint differs from the one saved beside it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from huiyi.genre.tagger import jieba_module
from huiyi.index.bm25 import CompactBM25
from huiyi.index.ids import doc_id_of_chunk

log = logging.getLogger(__name__)

FORMAT = 2  # the saved layout (2: huiyi.index.bm25); another one is rebuilt, not read
DEFAULT_TOKENIZER = "bigram"  # benchmarks/retrieval.py: beats jieba on seeds (r@1 .84 vs .74) and CMRC
_WORD = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[0-9]+(?:\.[0-9]+)?|[A-Za-z]+")
def tokenize_jieba(text: str) -> list[str]:
    words = jieba_module().lcut_for_search(text)
    return [w.lower() for w in (w.strip() for w in words) if w and _WORD.search(w)]


def tokenize_bigram(text: str) -> list[str]:
    tokens: list[str] = []
    for run in _CJK_RUN.findall(text.lower()):
        if not "\u4e00" <= run[0] <= "\u9fff":
            tokens.append(run)  # a number or a latin word stays whole
        elif len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


TOKENIZERS: dict[str, Callable[[str], list[str]]] = {"jieba": tokenize_jieba, "bigram": tokenize_bigram}


@dataclass(frozen=True)
class _Snapshot:
    """One fully built index; replaced whole, never mutated, so a reader holding it never sees half a build."""

    model: CompactBM25 | None
    chunk_ids: list[str]
    doc_of_chunk: np.ndarray  # each chunk's document as a small integer: a filter is an integer `isin`
    doc_number: dict[str, int]  # document id → that integer
    fingerprint: str | None

    @classmethod
    def of(cls, model: CompactBM25 | None, chunk_ids: list[str], fingerprint: str | None) -> _Snapshot:
        docs: dict[str, int] = {}
        doc_of = np.fromiter((docs.setdefault(doc_id_of_chunk(c), len(docs)) for c in chunk_ids), dtype=np.int32,
                             count=len(chunk_ids))
        return cls(model, chunk_ids, doc_of, docs, fingerprint)


_EMPTY = _Snapshot.of(None, [], None)
CURRENT = "CURRENT"  # names the directory holding the saved index; swapped with os.replace


class KeywordIndex:
    """BM25 over chunk texts; persisted under `directory` when one is given (local mode).

    Concurrency: `build` makes a new snapshot and publishes it with one assignment; `search` reads
    the snapshot once. Saving writes into a fresh uniquely named folder and then atomically swaps
    the `CURRENT` pointer file, so concurrent builders never share a temporary path and a reader
    (or a crash) sees either the old or the new index. Callers serialise builds (HybridSearch).
    """

    def __init__(self, tokenizer: str = DEFAULT_TOKENIZER, directory: Path | None = None):
        if tokenizer not in TOKENIZERS:
            raise ValueError(f"unknown tokenizer {tokenizer!r}; choose one of {sorted(TOKENIZERS)}")
        self.tokenizer = tokenizer
        self.tokenize = TOKENIZERS[tokenizer]
        self.directory = directory
        self._snap = _EMPTY

    @property
    def fingerprint(self) -> str | None:
        return self._snap.fingerprint

    @property
    def chunk_ids(self) -> list[str]:
        return self._snap.chunk_ids

    # ---- build / persist

    def build(self, entries: Iterable[tuple[str, str]], fingerprint: str | None) -> None:
        """Index (chunk_id, text) pairs in one streaming pass (huiyi.index.bm25: no token lists are kept)."""
        ids: list[str] = []

        def texts() -> Iterable[str]:
            for cid, text in entries:
                ids.append(cid)
                yield text

        model = CompactBM25.build(texts(), self.tokenize)
        snap = _Snapshot.of(model if ids else None, ids, fingerprint)
        if self.directory is not None:
            self._save(snap)
        self._snap = snap  # publish: one reference swap

    def _save(self, snap: _Snapshot) -> None:
        assert self.directory is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="idx-", dir=self.directory))
        try:
            if snap.model is not None:
                snap.model.save(folder / "bm25")
            state = {"fingerprint": snap.fingerprint, "tokenizer": self.tokenizer, "format": FORMAT,
                     "chunk_ids": snap.chunk_ids}
            (folder / "state.json").write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            pointer = folder.with_name(f".{CURRENT}-{uuid.uuid4().hex}")
            pointer.write_text(folder.name, encoding="utf-8")
            previous = self._current_name()
            os.replace(pointer, self.directory / CURRENT)  # atomic: readers see the old or the new name
        except OSError as exc:  # a full disk must not fail the search: the index stays in memory
            log.warning("Could not save the keyword index to %s (%s); it stays in memory.", self.directory, exc)
            shutil.rmtree(folder, ignore_errors=True)
            return
        # Remove the index this one replaced, and leftovers of crashed saves; never another builder's fresh folder.
        now = time.time()
        for old in self.directory.iterdir():
            if old.name == folder.name or not old.name.startswith(("idx-", f".{CURRENT}-")):
                continue
            try:
                stale = now - old.stat().st_mtime > 600
            except OSError:
                continue
            if old.name == previous or stale:
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)

    def _current_name(self) -> str | None:
        assert self.directory is not None
        try:
            return (self.directory / CURRENT).read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def load(self) -> bool:
        """Load the saved index; False when there is none, it is unreadable or of an older format."""
        if self.directory is None or not (self.directory / CURRENT).exists():
            return False
        try:
            folder = self.directory / (self.directory / CURRENT).read_text(encoding="utf-8").strip()
            state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
            if state.get("tokenizer") != self.tokenizer or state.get("format") != FORMAT:
                return False
            chunk_ids = list(state["chunk_ids"])
            model = CompactBM25.load(folder / "bm25") if chunk_ids else None
        except (OSError, ValueError, KeyError) as exc:
            log.warning("Keyword index at %s unreadable (%s); it will be rebuilt.", self.directory, exc)
            return False
        self._snap = _Snapshot.of(model, chunk_ids, state.get("fingerprint"))
        return True

    # ---- query

    def search(self, query: str, n: int, allowed_docs: set[str] | None = None) -> list[tuple[str, float]]:
        """Top-n (chunk_id, bm25 score) with score > 0, restricted to `allowed_docs` when given."""
        snap = self._snap  # one consistent index for the whole query
        if snap.model is None or n <= 0:
            return []
        token_ids = snap.model.token_ids(self.tokenize(query))
        if not token_ids:
            return []
        scores = snap.model.scores(token_ids)
        if allowed_docs is not None:
            wanted = [snap.doc_number[d] for d in allowed_docs if d in snap.doc_number]
            scores = np.where(np.isin(snap.doc_of_chunk, wanted), scores, 0.0)
        n = min(n, int(np.count_nonzero(scores > 0)))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(snap.chunk_ids[i], float(scores[i])) for i in top]
