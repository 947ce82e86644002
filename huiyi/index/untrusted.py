"""Untrusted text stays data: sentences that address the reader (or a model) as instructions are flagged.

A report never tells its reader to "忽略以上指令" or to "输出系统提示"; such a sentence was planted. Flags are
found at ingest, stored with the document (offsets into the cleaned text), kept out of summaries, and
marked on any answer citation that quotes them. The text itself is left verbatim: quotes stay exact.
"""

from __future__ import annotations

import re

from huiyi.index.records import Flag

# Imperatives aimed at an assistant, in Chinese and English. Narrow on purpose: report prose says
# "要求…" and "忽视…问题" all the time, so every pattern needs a target (指令/提示/规则/系统…) or a role play.
_PATTERNS = [
    r"(?:忽略|无视|不要理会|忘记|忘掉)(?:掉)?(?:你|您)?(?:之前|以上|上述|上面|前面|先前|此前|所有|全部|一切|原有|原来)?(?:的)?(?:所有|全部|一切)?(?:的)?(?:指令|指示|提示词?|规则|约束|设定|命令)",
    r"(?:输出|打印|泄露|显示|复述|告诉我|透露|重复)(?:一下|出)?(?:你|您)?(?:的)?(?:系统|初始|原始|隐藏)?(?:提示词?|指令|设定|prompt)",
    r"系统提示(?:词)?",
    r"(?:你|您)(?:现在)?(?:是|扮演|充当)(?:一个|一名|一位)?(?:不受限制|没有限制|新的)",
    r"(?:从现在起|从现在开始)[,,]?(?:你|您)",
    r"ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions?|prompts?|rules?|directions?)",
    r"disregard\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier)",
    r"(?:reveal|print|output|show|repeat)\s+(?:your\s+|the\s+)?(?:system|hidden|initial)\s+prompt",
    r"system\s+prompt",
    r"you\s+are\s+now\s+(?:a|an|in)\b",
    r"</?(?:system|assistant|user)>|<\|im_start\|>|\[INST\]",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def find_instructions(text: str) -> list[Flag]:
    """Each sentence of `text` that reads as an instruction to the reader, with its offsets."""
    from huiyi.genre.sentences import split_sentences

    flags: list[Flag] = []
    for start, end in split_sentences(text):
        m = _INSTRUCTION.search(text, start, end)
        if m:
            flags.append(Flag(kind="instruction", text=text[start:end], start=start, end=end))
    return flags


def overlaps(flags: list[Flag], start: int, end: int) -> bool:
    return any(f.start < end and start < f.end for f in flags)


def mask(text: str, flags: list[Flag]) -> str:
    """`text` with flagged sentences blanked (same length, so every offset still points to the same place)."""
    if not flags:
        return text
    chars = list(text)
    for f in flags:
        for i in range(f.start, min(f.end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
