"""The shared number normaliser: every number in a report, an answer or a gold fact becomes (value, unit).

One function serves grounding checks and evals, so "5.9 %", "５.９％" and "百分之五点九" compare equal,
"6.08亿元" equals "60800万元", and "0.5个百分点" never equals "0.5%".

Decisions (documented because callers depend on them):
- Scale words fold into the value: 6.08亿元 → (608000000, "元"); 1119万美元 → (11190000, "美元");
  88.5万亩 → (885000, "亩"); a bare "1100万" → (11000000, "").
- Ranks use unit "位": 第7位, 全市第二, 排名全市第一, 第3名 → (7|2|1|3, "位"); 倒数第二 → (2, "倒数位").
  "第N" followed by an ordinary word (第十四届, 第一批, 第一要务) is an ordinal name, not a number.
- Dates are returned, not dropped, with kind="date" so a grounding check can tell them from
  quantities: 2023年 → (2023, "年"), 7月 → (7, "月"), 28日 → (28, "日"), 三季度 → (3, "季度").
  Durations keep their own units (2个月, 10天, 近10年 → (10, "年") with kind="quantity").
- Names are not numbers: a Chinese numeral immediately followed by a character that is not a unit
  (二十大, 三高四新, 十四五, 一带一路, 三盯) is a name, and so is any Chinese numeral chained onto a name
  (五届四次, 五个十大, 一年一小变) or inside a short quotation (“四个意识”). Arabic digits are always numbers.
- Placeholders (X%, 第X, X个百分点, X亿元, XX) are mentions with placeholder=True and value=None:
  they are never stated values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

import cn2an

Kind = Literal["quantity", "rank", "date"]

# Length-preserving width folding (NFKC could change lengths and break offsets).
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2212: ord("-"), 0xFF0E: ord(".")})

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# Digits of outline markers (一、 (三)), counted slogans (三个…) and enumerations (一要…二要…).
CN_DIGITS = "一二三四五六七八九十"
CN_DIGIT = f"[{CN_DIGITS}]"
CN_ORDINAL = f"[{CN_DIGITS}]{{1,3}}"  # 一 … 九十九: 十四届, 第二十三次
CN_COUNT = "一二两三四五六七八九十"  # digits of a count, 两 too: 八个方面, 哪两位
CN_MANY = CN_COUNT[1:]  # a count of two or more: 两个县, 三省, 做到四个…
CN_NUMERAL = f"[〇零{CN_DIGITS}]"  # a digit written in Chinese, as in dates (二〇二六年一月)
_SCALES = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "十亿": 10**9, "千万": 10**7, "百万": 10**6,
           "十万": 10**5, "亿": 10**8, "万": 10**4}

# Written unit → canonical unit. Longest spellings are tried first.
_UNITS: dict[str, str] = {
    "个百分点": "个百分点", "百分点": "个百分点", "%": "%", "‰": "‰",
    "美元": "美元", "欧元": "欧元", "港元": "港元", "元": "元",
    "平方公里": "平方公里", "平方米": "平方米", "立方米": "立方米", "公顷": "公顷", "亩": "亩",
    "公里": "公里", "千米": "公里", "米": "米", "吨": "吨", "公斤": "公斤", "千克": "公斤", "斤": "斤",
    "千瓦时": "千瓦时", "千瓦": "千瓦", "人次": "人次", "人": "人", "名": "人",
    "个月": "个月", "个": "个", "项": "项", "户": "户", "家": "家", "件": "件", "份": "份", "张": "张",
    "只": "只", "头": "头", "次": "次", "批": "批", "座": "座", "所": "所", "条": "条", "台": "台",
    "辆": "辆", "套": "套", "间": "间", "处": "处", "场": "场", "篇": "篇", "部": "部", "类": "类",
    "轮": "轮", "倍": "倍", "岁": "岁", "天": "天", "周": "周", "小时": "小时", "分钟": "分钟",
    "季度": "季度", "年度": "年", "年": "年", "月份": "月", "月": "月", "日": "日", "号": "日",
    "位": "位", "点": "点", "分": "分",
}
_DATE_UNITS = {"年", "月", "日", "季度"}
# Units that measure time: "剩余2个月" counts no result.
TIME_UNITS = frozenset({"个月", "天", "周", "小时", "分钟", "岁"}) | _DATE_UNITS
# 分 is a score (得分92分) but not in 分别/分之/分析…; 号 is a day but not in 号召/号文件.
_UNIT_GUARDS = {"分": "(?![别之析类配工布享管])", "号": "(?![召文令称])"}
_UNIT_RE = "|".join(re.escape(u) + _UNIT_GUARDS.get(u, "") for u in sorted(_UNITS, key=len, reverse=True))
# After a Chinese numeral these read as words, not units: 十分重要, 一点一滴, 一号改革任务.
_CN_NOT_UNITS = {"分", "点", "号"}

_AR = r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_INT = r"[零〇一二两三四五六七八九十百千万亿]+"
_CN = _CN_INT + r"(?:点[零〇一二三四五六七八九]+)?"
_PH = r"(?<![A-Za-z])X{1,3}(?:\.X{1,3})?(?![A-Za-z])"
_SCALE_RE = "|".join(sorted(_SCALES, key=len, reverse=True))

_TOKEN = re.compile(
    rf"(?P<pct>百分之(?P<pctnum>{_CN}|{_AR}))"
    rf"|(?P<frac>(?P<fden>{_CN_INT}|\d+)分之(?P<fnum>{_CN}|{_AR}))"
    r"|(?P<iso>(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d))"
    rf"|(?P<ord>(?P<rev>倒数)?第(?P<ordnum>{_AR}|{_CN_INT}|X{{1,3}})(?P<ordunit>位|名)?)"
    r"|(?P<first>首位)"
    rf"|(?P<num>(?P<sign>(?<![\dA-Za-z])[-+])?(?P<digits>{_AR}|{_CN}|{_PH})(?P<approx>余|多)?"
    rf"(?:\s?(?P<scale>{_SCALE_RE}))?(?:\s?(?P<unit>%|{_UNIT_RE}))?)"
)
_QUOTED = re.compile(r"“[^“”\n]{1,16}”|\"[^\"\n]{1,16}\"|‘[^‘’\n]{1,16}’|「[^」\n]{1,16}」|《[^《》\n]{1,40}》")
_RANK_CONTEXT = re.compile(r"(排名?|列|居|位列|位居|名列|跃居|全[市省国县区州]|倒数)[^,。;,;!?!?]{0,6}$")
_RANGE = re.compile(r"\s?[-—–~～至到]\s?$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Characters that may follow a bare rank ("排名全市第一的", "第X,较…") without making it a name.
_RANK_FOLLOW = set("的是和与及较比、")


@dataclass(frozen=True)
class NumberValue:
    """A normalised number: exact decimal value with scale words folded in, and a canonical unit."""

    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{_plain(self.value)}{self.unit}"


@dataclass(frozen=True)
class NumberMention:
    """A number as written in a text. `value` is None exactly when `placeholder` is True."""

    text: str
    start: int
    end: int
    value: NumberValue | None
    placeholder: bool = False
    unit: str = ""
    kind: Kind = "quantity"

    @property
    def is_date(self) -> bool:
        return self.kind == "date"


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _canonical(value: Decimal) -> Decimal:
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _cn_value(text: str) -> Decimal | None:
    """A Chinese numeral (二十三, 一百零八, 一百五, 6万 style sections, 五点九) through cn2an; None when malformed.

    A run of bare digits (十四五 is refused by cn2an; 一二, 二〇二六) is a name or a year written digit by
    digit, never a reported quantity."""
    whole = text.partition("点")[0]
    if len(whole) > 1 and all(ch in _CN_DIGITS for ch in whole):
        return None
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    return Decimal(str(value))


def cn_small_int(text: str) -> int | None:
    """一 → 1, 两 → 2, 十二 → 12: the counts of outline items and counted slogans (三个…, 一要…)."""
    value = _cn_value(text) if text else None
    return int(value) if value is not None and value == value.to_integral_value() else None


def _number(text: str) -> Decimal | None:
    """Arabic or Chinese numeral → Decimal; None when it is not a well-formed numeral."""
    if text[0].isdigit():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    return _cn_value(text)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(s < pos < e for s, e in spans)


def _is_outline_marker(text: str, start: int, end: int) -> bool:
    """'1.' or '1、' at the start of a line is an outline number, not a value."""
    line_start = start == 0 or text[start - 1] in "\n(("
    return line_start and end < len(text) and text[end] in ".、)" and not text[end + 1 : end + 2].isdigit()


def _kind_for(unit: str, value: Decimal, digits: str, scaled: bool) -> Kind:
    """Calendar years, months, days and quarters are dates; 近10年 or 2个月 are durations (quantities)."""
    if unit not in _DATE_UNITS or scaled or value != value.to_integral_value():
        return "quantity"
    limit = {"月": 12, "日": 31, "季度": 4}.get(unit)
    if limit is None:  # 年: only a calendar year written in four digits
        return "date" if digits.isdigit() and len(digits) == 4 and 1900 <= value <= 2100 else "quantity"
    return "date" if 1 <= value <= limit else "quantity"


def _mention(m: re.Match[str], value: Decimal | None, unit: str, kind: Kind) -> NumberMention:
    placeholder = value is None
    number = None if value is None else NumberValue(_canonical(value), unit)
    return NumberMention(m.group(0), m.start(), m.end(), number, placeholder, unit, kind)


def _rank(m: re.Match[str], text: str) -> NumberMention | None:
    """第7位, 全市第二, 排名全市第一, 倒数第X; 第十四届 / 第一批 / 第一要务 are ordinal names."""
    digits, end = m.group("ordnum"), m.end()
    unit = "倒数位" if m.group("rev") else "位"
    if "X" in digits:
        return _mention(m, None, unit, "rank")
    value = _number(digits)
    if value is None:
        return None
    if not m.group("ordunit"):
        nxt = text[end : end + 1]
        if _HAN.match(nxt) and nxt not in _RANK_FOLLOW:
            return None
        if not m.group("rev") and not _RANK_CONTEXT.search(text[max(0, m.start() - 12) : m.start()]):
            return None
    return _mention(m, value, unit, "rank")


def _first_place(m: re.Match[str], text: str) -> NumberMention | None:
    """居五城区首位 is rank 1; 首位战略 is a name."""
    nxt = text[m.end() : m.end() + 1]
    if (_HAN.match(nxt) and nxt not in _RANK_FOLLOW) or not _RANK_CONTEXT.search(text[max(0, m.start() - 12) : m.start()]):
        return None
    return _mention(m, Decimal(1), "位", "rank")


def _simple(m: re.Match[str]) -> NumberMention | None:
    """百分之五点九, 三分之一, 2023-07-28."""
    if m.group("pct"):
        raw = m.group("pctnum")
        value = Decimal(100) if raw == "百" else _number(raw)
        return None if value is None else _mention(m, value, "%", "quantity")
    if m.group("frac"):
        num, den = _number(m.group("fnum")), _number(m.group("fden"))
        if num is None or not den:
            return None
        return _mention(m, (num / den).quantize(Decimal("0.000001")), "", "quantity")
    y, mo, d = (int(part) for part in m.group("iso").split("-"))
    return _mention(m, Decimal(y * 10000 + mo * 100 + d), "日期", "date")


def _quantity(m: re.Match[str], text: str) -> NumberMention | str | None:
    """A number with optional scale and unit. Returns "name" for Chinese-numeral names, None to skip."""
    digits, written_unit, scale = m.group("digits"), m.group("unit") or "", m.group("scale")
    unit = _UNITS.get(written_unit, "")
    if unit == "位" and text[m.end() : m.end() + 1] == "数":
        return None  # 两位数增长 counts digits, it is neither a rank nor a quantity
    if "X" in digits:
        return _mention(m, None, unit, "date" if unit in _DATE_UNITS else "quantity")
    chinese = not digits[0].isdigit()
    if chinese and unit == "年" and len(digits) == 4 and all(c in _CN_DIGITS for c in digits):
        year = int("".join(str(_CN_DIGITS[c]) for c in digits))  # 二〇二六年: a year written digit by digit
        return _mention(m, Decimal(year), unit, "date") if 1900 <= year <= 2100 else "name"
    value = _number(digits)
    if chinese:
        nxt = text[m.end() : m.end() + 1]
        if value is None or written_unit in _CN_NOT_UNITS or (not unit and not scale and _HAN.match(nxt)):
            return "name"
        if not unit and not scale and not any(c in "万亿" for c in digits):
            return None  # bare 一、 (一) outline markers and the like
        if digits == "一" and unit not in ("月", "日", "季度"):
            return None  # 一个/一项/一年 in prose are articles, not reported values
    elif value is None or (not unit and _is_outline_marker(text, m.start("digits"), m.end("digits"))):
        return None
    if scale:
        value *= _SCALES[scale]
    if m.group("sign") == "-":
        value = -value
    return _mention(m, value, unit, _kind_for(unit, value, digits, bool(scale)))


def _spread_ranges(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """1-5月份 and 3至5人: the first end of a range takes the unit written after the second."""
    out = list(found)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.unit or a.placeholder or b.placeholder or not b.unit or a.value is None:
            continue
        if _RANGE.fullmatch(text[a.end : b.start]):
            value = a.value.value
            kind = _kind_for(b.unit, value, a.text, False)
            out[i] = NumberMention(a.text, a.start, a.end, NumberValue(value, b.unit), False, b.unit, kind)
    return out


def extract_numbers(text: str) -> list[NumberMention]:
    """Every number, rank, date and placeholder in `text`, in order, with offsets into `text`."""
    folded = text.translate(_FOLD)
    quoted = _quoted_spans(folded)
    found: list[NumberMention | None] = []
    chinese_end: dict[int, int] = {}  # end offset → index in found, for mentions written in Chinese numerals
    name_end = -1
    mention: NumberMention | str | None
    for m in _TOKEN.finditer(folded):
        if m.group("ord"):
            mention = _rank(m, folded)
        elif m.group("first"):
            mention = _first_place(m, folded)
        elif m.group("num"):
            chinese = not (m.group("digits")[0].isdigit() or m.group("digits")[0] == "X")
            in_name = chinese and (m.start() == name_end or _inside(quoted, m.start()))
            mention = "name" if in_name else _quantity(m, folded)
            if mention == "name":
                # 五个十大, 一年一小变: a numeral chained onto a name drags its predecessor in too.
                if m.start() in chinese_end:
                    found[chinese_end.pop(m.start())] = None
                name_end = m.end() + (0 if m.group("unit") or not _HAN.match(folded[m.end() : m.end() + 1]) else 1)
                continue
            if chinese and mention is not None:
                chinese_end[m.end()] = len(found)
        else:
            mention = _simple(m)
        if isinstance(mention, NumberMention):
            found.append(mention)
    mentions = [mm for mm in found if mm is not None]
    return _spread_ranges(folded, [_restore(mm, text) for mm in mentions])


def _restore(mention: NumberMention, text: str) -> NumberMention:
    """Offsets are shared with the original text; give back the text as written (full-width and all)."""
    written = text[mention.start : mention.end]
    if written == mention.text:
        return mention
    return NumberMention(written, mention.start, mention.end, mention.value, mention.placeholder, mention.unit, mention.kind)


def normalize_number(text: str) -> NumberValue | None:
    """The value of the first stated (non-placeholder) number in `text`: "5.9 %" → 5.9 %, "6.08亿元" → 608000000 元."""
    for mention in extract_numbers(text):
        if mention.value is not None:
            return mention.value
    return None


def same_number(a: NumberValue | str | None, b: NumberValue | str | None) -> bool:
    """True when both are stated numbers with equal value and unit (0.5个百分点 is not 0.5%)."""
    left = normalize_number(a) if isinstance(a, str) else a
    right = normalize_number(b) if isinstance(b, str) else b
    return left is not None and right is not None and left.unit == right.unit and left.value == right.value


def stated_values(text: str, *, include_dates: bool = False) -> list[NumberValue]:
    """Values a text asserts: placeholders never count; dates only when asked (grounding ignores them)."""
    return [
        m.value
        for m in extract_numbers(text)
        if m.value is not None and (include_dates or m.kind != "date")
    ]
