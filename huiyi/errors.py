"""Project exceptions: a stable code, a human message that says what to do, an HTTP status."""

from __future__ import annotations


class HuiyiError(Exception):
    """Base error. `code` is stable API; `message` is for people."""

    code = "error"
    http_status = 400
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if http_status:
            self.http_status = http_status

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class BadInput(HuiyiError):
    """The caller sent something we cannot use (empty, binary, unknown format, too long)."""

    code = "bad_input"
    http_status = 422
    exit_code = 2


class UnsupportedFormat(BadInput):
    code = "unsupported_format"
    http_status = 415


class EmptyDocument(BadInput):
    code = "empty_document"


class TooLarge(BadInput):
    code = "too_large"
    http_status = 413


class NotFound(HuiyiError):
    code = "not_found"
    http_status = 404
    exit_code = 3


class StoreMismatch(HuiyiError):
    """The store was built with another embedding model or dimension."""

    code = "embedding_mismatch"
    http_status = 409
    exit_code = 4


class StoreUnavailable(HuiyiError):
    code = "store_unavailable"
    http_status = 503
    exit_code = 5


class UpstreamError(HuiyiError):
    """The configured LLM or embeddings endpoint failed or timed out."""

    code = "upstream_error"
    http_status = 503
    exit_code = 6


class UpstreamTimeout(UpstreamError):
    code = "upstream_timeout"
    http_status = 504


class InvalidLLMOutput(UpstreamError):
    """The LLM's structured output failed validation even after one repair; callers fall back offline."""

    code = "llm_invalid_output"
    http_status = 502
