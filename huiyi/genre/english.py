"""English questions about the genre: a small glossary so "What was the GDP growth in the first half?" still
finds Chinese evidence.

Romanised names (Hengdong) are not matched to Chinese ones here: they are reported back as unknown, and
the answerer either matches them to the pinyin of a document's places or refuses rather than guess.
"""

from __future__ import annotations

import re

_EN_GLOSSARY: tuple[tuple[str, str], ...] = (
    (r"fixed[- ]asset(?:s)? investment", "固定资产投资"), (r"retail sales", "社会消费品零售总额"),
    (r"tax revenue", "税收收入"), (r"disposable income|per capita income|income", "人均可支配收入"),
    (r"industrial value[- ]added", "工业增加值"), (r"first half(?: of the year)?", "上半年"),
    (r"second half", "下半年"), (r"first three quarters", "前三季度"), (r"first quarter", "一季度"),
    (r"second quarter", "二季度"), (r"third quarter", "三季度"), (r"fourth quarter", "四季度"),
    (r"whole year|full year", "全年"), (r"\bgdp\b", "GDP"), (r"growth rate|grow(?:th|n)?|increase", "增长"),
    (r"how (?:much|many)|what (?:percentage|percent|was the|is the)", "多少"), (r"\bwho\b", "谁"),
    (r"\bwhen\b", "何时"), (r"\bwhere\b", "在哪里"), (r"\brank(?:ed|ing)?\b", "排名"),
    (r"government work report", "政府工作报告"), (r"work report", "工作报告"), (r"deliver(?:ed|s)?|gave|made", "作"),
    (r"\bheld\b|\bconvened\b|took place", "召开"), (r"presided(?: over)?|chaired|hosted", "主持"),
    (r"\bissued\b|sent out", "印发"), (r"\bnotice\b", "通知"), (r"what was|what is", "多少"),
    (r"party secretary|secretary", "书记"), (r"county head|county magistrate", "县长"), (r"\bcounty\b", "县"),
    (r"\bdistrict\b", "区"), (r"\bplenum\b|plenary session", "全会"), (r"\bmeeting\b", "会议"),
)
_EN_FILLER = {"the", "of", "in", "was", "is", "are", "were", "what", "did", "does", "do", "a", "an", "at", "for",
              "to", "and", "by", "on", "its", "it", "this", "that", "year", "during", "how", "much", "many"}


def is_english(q: str) -> bool:
    """True when the question carries English words worth translating (all-English or mixed)."""
    return len(re.findall(r"[A-Za-z]{3,}", re.sub(r"\bGDP\b", "", q, flags=re.I))) >= 1


def translate_english(q: str) -> tuple[str, list[str]]:
    """Glossary translation of the English words of a question; returns (question, unknown proper names).

    Chinese parts are kept as written. Question words move to the end, where Chinese puts them."""
    unknown = [w for w in re.findall(r"\b[A-Z][a-z]{2,}\b", q)
               if w.lower() not in _EN_FILLER and not any(re.search(p, w.lower()) for p, _ in _EN_GLOSSARY)]
    text = re.sub(r"'s\b", "", q)
    text = re.sub(r"\b((?:19|20)\d{2})\b(?!\s*年)", r" \1年 ", text)
    for pattern, zh in _EN_GLOSSARY:
        text = re.sub(pattern, f" {zh} ", text, flags=re.I)
    for name in unknown:
        text = re.sub(rf"\b{name}\b", f" {name} ", text)
    words = [w for w in re.findall(r"[A-Za-z]+|\d+年?|[^\sA-Za-z\d]+", text)
             if not (w.isascii() and w.isalpha() and w.lower() in _EN_FILLER)]
    asks = [w for w in words if w in _EN_ASKS]
    rest = [w for w in words if w not in _EN_ASKS and w not in ("?", "?")]
    if "增长" in rest and "多少" in asks:
        rest.remove("增长")
        asks = ["增长" + a if a == "多少" else a for a in asks]
    return "".join(rest + asks).strip() + "?", unknown


_EN_ASKS = {"多少", "谁", "何时", "在哪里"}
