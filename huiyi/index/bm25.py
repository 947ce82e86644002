"""A compact BM25 index built in one streaming pass: no token strings are kept per chunk.

Scores are bm25s's "lucene" BM25 (k1 1.5, b 0.75, idf ln(1 + (N - df + 0.5) / (df + 0.5))), so rankings are
those benchmarks/retrieval.py measured. What differs is memory: postings are int32 chunk numbers and uint16 term
frequencies grouped by term (6 bytes per distinct term in a chunk), weights are computed at query time for the
query's postings only. bm25s kept, per chunk, the Python token lists it was built from (about 9 KB per chunk in
huiyi's token cache, 2.4 GB at 270,000 chunks) and peaked at several times its final size while building.
Saved as plain .npy files and memory-mapped on load.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

K1, B = 1.5, 0.75
_FILES = ("postings", "tfs", "indptr", "lengths")


class CompactBM25:
    def __init__(self, vocab: dict[str, int], postings: np.ndarray, tfs: np.ndarray, indptr: np.ndarray,
                 lengths: np.ndarray):
        self.vocab = vocab
        self.postings, self.tfs, self.indptr, self.lengths = postings, tfs, indptr, lengths
        self.n = int(len(lengths))
        df = np.diff(indptr).astype(np.float64)
        self.idf = np.log(1.0 + (self.n - df + 0.5) / (df + 0.5))
        self.avgdl = (float(lengths.mean()) or 1.0) if self.n else 1.0  # no chunk with a token: nothing to normalise
        self._norm = (K1 * (1 - B + B * lengths / self.avgdl)).astype(np.float32) if self.n else np.zeros(0, np.float32)

    @classmethod
    def build(cls, texts: Iterable[str], tokenize: Callable[[str], list[str]], batch: int = 2048) -> CompactBM25:
        vocab: dict[str, int] = {}
        chunk_parts: list[np.ndarray] = []
        term_parts: list[np.ndarray] = []
        tf_parts: list[np.ndarray] = []
        lengths: list[int] = []
        pending: list[str] = []

        def flush() -> None:
            token_lists = [tokenize(t) for t in pending]
            sizes = [len(tokens) for tokens in token_lists]
            ids = np.array([vocab.setdefault(t, len(vocab)) for tokens in token_lists for t in tokens], dtype=np.int64)
            first = len(lengths)
            chunk = np.repeat(np.arange(first, first + len(sizes), dtype=np.int64), sizes)
            keys, tf = np.unique((chunk << 32) | ids, return_counts=True)  # one (chunk, term) pair per key
            chunk_parts.append((keys >> 32).astype(np.int32))
            term_parts.append((keys & 0xFFFFFFFF).astype(np.int32))
            tf_parts.append(np.minimum(tf, 65535).astype(np.uint16))
            lengths.extend(sizes)
            pending.clear()

        for text in texts:
            pending.append(text)
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        chunk_of = np.concatenate(chunk_parts) if chunk_parts else np.zeros(0, np.int32)
        term = np.concatenate(term_parts) if term_parts else np.zeros(0, np.int32)
        tf = np.concatenate(tf_parts) if tf_parts else np.zeros(0, np.uint16)
        for parts in (chunk_parts, term_parts, tf_parts):
            parts.clear()  # the concatenated copies are all that is needed now
        order = np.argsort(term, kind="stable")  # group by term, chunks ascending within a term
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=len(vocab)), out=indptr[1:])
        return cls(vocab, chunk_of[order], tf[order], indptr, np.asarray(lengths, dtype=np.int32))

    def token_ids(self, tokens: list[str]) -> list[int]:
        return [i for i in (self.vocab.get(t) for t in tokens) if i is not None]

    def scores(self, token_ids: list[int]) -> np.ndarray:
        """BM25 score of every chunk for the query's token ids (a repeated token counts again, as in bm25s)."""
        out = np.zeros(self.n, dtype=np.float64)
        for t in token_ids:
            lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
            rows = self.postings[lo:hi]
            tf = self.tfs[lo:hi].astype(np.float32)
            out += np.bincount(rows, weights=self.idf[t] * tf / (tf + self._norm[rows]), minlength=self.n)
        return out

    # ---- persistence

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in _FILES:
            np.save(folder / f"{name}.npy", getattr(self, name))
        words = [""] * len(self.vocab)
        for word, i in self.vocab.items():
            words[i] = word
        (folder / "vocab.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> CompactBM25:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _FILES}
        words = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        return cls({w: i for i, w in enumerate(words)}, **arrays)
