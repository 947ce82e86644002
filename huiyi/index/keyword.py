"""Keyword (BM25) index beside the vectors: exact names, numbers and slogans that embeddings blur.

Two tokenizers: "bigram" (overlapping CJK character pairs plus ASCII/number words, the default) and
"jieba" (search-mode words). jieba glues names to the next character ("王燕受"), bigrams cannot
miss a name; benchmarks/retrieval.py measures both. The index is a cache of
the store: it is rebuilt whenever the store's fingerprint differs from the one saved beside it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from huiyi.genre.tagger import jieba_module
from huiyi.index.ids import doc_id_of_chunk

log = logging.getLogger(__name__)

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


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


class KeywordIndex:
    """BM25 over chunk texts; persisted under `directory` when one is given (local mode)."""

    def __init__(self, tokenizer: str = DEFAULT_TOKENIZER, directory: Path | None = None):
        if tokenizer not in TOKENIZERS:
            raise ValueError(f"unknown tokenizer {tokenizer!r}; choose one of {sorted(TOKENIZERS)}")
        self.tokenizer = tokenizer
        self.tokenize = TOKENIZERS[tokenizer]
        self.directory = directory
        self.fingerprint: str | None = None
        self.chunk_ids: list[str] = []
        self._doc_of_chunk = np.array([], dtype=object)
        self._model = None
        self._token_cache: dict[str, list[str]] = {}

    # ---- build / persist

    def build(self, entries: Iterable[tuple[str, str]], fingerprint: str | None) -> None:
        """Index (chunk_id, text) pairs; tokens of texts seen before are reused."""
        import bm25s

        ids: list[str] = []
        corpus: list[list[str]] = []
        cache: dict[str, list[str]] = {}
        for cid, text in entries:
            key = _text_key(text)
            tokens = cache.get(key) or self._token_cache.get(key) or self.tokenize(text)
            cache[key] = tokens
            ids.append(cid)
            corpus.append(tokens or [""])
        model = None
        if ids:
            model = bm25s.BM25()
            model.index(corpus, show_progress=False)
        self._model, self.chunk_ids, self._token_cache = model, ids, cache
        self._doc_of_chunk = np.array([doc_id_of_chunk(c) for c in ids], dtype=object)
        self.fingerprint = fingerprint
        if self.directory is not None:
            self._save()

    def _save(self) -> None:
        assert self.directory is not None
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._model is not None:
            self._model.save(str(tmp / "bm25"), show_progress=False)
        state = {"fingerprint": self.fingerprint, "tokenizer": self.tokenizer, "chunk_ids": self.chunk_ids}
        (tmp / "state.json").write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        (tmp / "tokens.json").write_text(json.dumps(self._token_cache, ensure_ascii=False), encoding="utf-8")
        # Swap directories so a crash mid-save leaves either the old or the new index.
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)

    def load(self) -> bool:
        """Load the saved index; False when there is none or it is unreadable."""
        import bm25s

        if self.directory is None or not (self.directory / "state.json").exists():
            return False
        try:
            state = json.loads((self.directory / "state.json").read_text(encoding="utf-8"))
            if state.get("tokenizer") != self.tokenizer:
                return False
            tokens_file = self.directory / "tokens.json"
            self._token_cache = json.loads(tokens_file.read_text(encoding="utf-8")) if tokens_file.exists() else {}
            self.chunk_ids = list(state["chunk_ids"])
            self._model = bm25s.BM25.load(str(self.directory / "bm25")) if self.chunk_ids else None
        except (OSError, ValueError, KeyError) as exc:
            log.warning("Keyword index at %s unreadable (%s); it will be rebuilt.", self.directory, exc)
            return False
        self._doc_of_chunk = np.array([doc_id_of_chunk(c) for c in self.chunk_ids], dtype=object)
        self.fingerprint = state.get("fingerprint")
        return True

    # ---- query

    def search(self, query: str, n: int, allowed_docs: set[str] | None = None) -> list[tuple[str, float]]:
        """Top-n (chunk_id, bm25 score) with score > 0, restricted to `allowed_docs` when given."""
        if self._model is None or n <= 0:
            return []
        token_ids = self._model.get_tokens_ids(self.tokenize(query))
        if not token_ids:
            return []
        scores = np.asarray(self._model.get_scores_from_ids(token_ids), dtype=np.float64)
        if allowed_docs is not None:
            scores = np.where(np.isin(self._doc_of_chunk, list(allowed_docs)), scores, 0.0)
        n = min(n, int(np.count_nonzero(scores > 0)))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.chunk_ids[i], float(scores[i])) for i in top]
