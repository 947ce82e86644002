"""Part-of-speech tagging with jieba, loaded once and quietly (its dictionary load prints otherwise)."""

from __future__ import annotations

import logging
import threading
from types import ModuleType

_lock = threading.Lock()
_jieba: ModuleType | None = None


def jieba_module() -> ModuleType:
    """jieba, initialised once with its chatter ("Building prefix dict…") silenced."""
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def pos_tags(text: str) -> list[tuple[str, str]]:
    """(word, flag) pairs covering `text` in order (jieba.posseg)."""
    jieba_module()
    import jieba.posseg as pseg

    return [(tok.word, tok.flag) for tok in pseg.cut(text)]
