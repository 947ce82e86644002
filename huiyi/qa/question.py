"""Question analysis: type, places, periods, indicators, role titles, parts and keywords."""

from __future__ import annotations

from functools import lru_cache

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Literal

from huiyi.errors import BadInput
from huiyi.genre import vocabulary as lexicon

QType = Literal["who", "when", "where", "how_much", "which", "what", "whether", "list", "compare", "multi"]


@dataclass(frozen=True)
class Period:
    text: str  # as written: 上半年, 1—11月, 前三季度
    months: tuple[int, int] | None  # (1, 6) for 上半年; None for a bare year
    year: int | None = None


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str  # the normalised question
    qtype: QType
    regions: tuple[str, ...] = ()  # 衡东县, 雁峰区 …
    titles: tuple[str, ...] = ()  # role titles the question names: 县委书记 …
    periods: tuple[Period, ...] = ()
    years: tuple[int, ...] = ()
    indicators: tuple[str, ...] = ()  # indicator keys (lexicon)
    indicator_terms: tuple[str, ...] = ()  # as written in the question
    unit: str | None = None  # the unit the answer should carry: %, 元, 位, 个百分点, 人 …
    keywords: tuple[str, ...] = ()
    parts: tuple["QuestionAnalysis", ...] = ()
    english: bool = False
    slogan: bool = False  # asks for a quoted slogan / motto / brand
    meetings: tuple[tuple[str, str], ...] = ()  # (届, 次) of plenums the question names
    change: bool = False  # asks for a change (增长/增加/提高 …), not a level
    scope: str | None = None  # ranking scope asked: 全市, 全省 …
    label: str = ""  # how a part is introduced in a composed answer
    extra: dict = field(default_factory=dict, compare=False)


# --- validation -----------------------------------------------------------------------------

_CONTENT_RE = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")


def validate_question(question: str, max_chars: int) -> str:
    """Return the stripped question, or raise BadInput (empty, no content, too long)."""
    q = (question or "").strip()
    if not q:
        raise BadInput("问题为空,请输入一个具体的问题。Question is empty.", code="empty_question")
    if len(q) > max_chars:
        raise BadInput(
            f"问题过长({len(q)} 字),请控制在 {max_chars} 字以内。Question too long ({len(q)} > {max_chars} chars).",
            code="question_too_long",
        )
    if not _CONTENT_RE.search(q):
        raise BadInput("问题没有可识别的文字,请输入具体的问题。Question has no words.", code="empty_question")
    return q


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII) but keep Chinese punctuation recognisable."""
    return unicodedata.normalize("NFKC", text).strip()


# --- periods ----------------------------------------------------------------------------------

_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12}
_DASH = r"\s*[-—–~～至到]\s*"
PERIOD_RE = re.compile(
    r"(?P<range>(?P<a>\d{1,2})" + _DASH + r"(?P<b>\d{1,2})\s*月(?:份)?)"
    r"|(?P<first>前(?P<fq>[一二两三])(?:个)?季度)"
    r"|(?P<firstm>前(?P<fm>[一二两三四五六七八九十]{1,2})个月)"
    r"|(?P<quarter>(?:第)?(?P<q>[一二三四])季度)"
    r"|(?P<half>(?P<h>上|下)半年)"
    r"|(?P<whole>全年)"
)
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


# "三季度例会", "四季度县政府班子碰头会": the period names a meeting, not the period a figure covers.
_MEETING_AFTER = re.compile(r"[^,,。;;??、]{0,8}?(?:例会|会议|碰头会|座谈会|调度会|讲评会|推进会|动员会|工作会)")


def find_periods(text: str) -> list[tuple[Period, int, int]]:
    """Every reporting period written in `text`, with its span."""
    out = []
    for m in PERIOD_RE.finditer(text):
        if _MEETING_AFTER.match(text, m.end()):
            continue
        if m.group("range"):
            a, b = int(m.group("a")), int(m.group("b"))
            if not (1 <= a <= b <= 12):
                continue
            months = (a, b)
        elif m.group("first"):
            months = (1, 3 * _CN_DIGIT[m.group("fq")])
        elif m.group("firstm"):
            months = (1, _CN_DIGIT.get(m.group("fm"), 12))
        elif m.group("quarter"):
            q = _CN_DIGIT[m.group("q")]
            months = (3 * q - 2, 3 * q)
        elif m.group("half"):
            months = (1, 6) if m.group("h") == "上" else (7, 12)
        else:
            months = (1, 12)
        out.append((Period(m.group(0), months), m.start(), m.end()))
    return out


def find_years(text: str) -> list[int]:
    return [int(y) for y in YEAR_RE.findall(text)]


# --- places -----------------------------------------------------------------------------------

# A place name is two to four characters before 省/市/县/区/镇/乡; the characters below never start or sit
# inside such a name in a question (全县, 我县, 谁是县长, 哪个区 …).
# Characters that never sit inside a place name (全县, 我县, 谁是县长, 哪个区 …).
_NOT_IN_NAME = set("的是在了和与及对为把被从向到个各全本该我这那哪谁什么多少几年月日季度上下半同比县区市镇乡委书记长会") | set(
    "0123456789")
_SUFFIX_RE = re.compile(r"[省市县区镇乡]")
_PLACE_FLAGS = ("ns", "nr", "nz", "j", "x", "eng", "nt")


def find_regions(text: str) -> list[tuple[str, int, int]]:
    """Named places (衡东县, 雁峰区) with spans; generic ones (全县, 我县, 各县区) and verbs (实施省) are skipped."""
    return list(_find_regions(text))


@lru_cache(maxsize=512)  # POS tagging a whole report costs milliseconds; the same reports come back every question
def _find_regions(text: str) -> tuple[tuple[str, int, int], ...]:
    import jieba.posseg as pseg  # lazy: dictionary load

    starts: dict[int, str] = {}
    pos = 0
    for tok in pseg.cut(text):
        starts[pos] = tok.flag
        pos += len(tok.word)
    out = []
    for m in _SUFFIX_RE.finditer(text):
        end = m.start()
        run = 0
        while run < 4 and end - run - 1 >= 0 and "\u4e00" <= text[end - run - 1] <= "\u9fff" \
                and text[end - run - 1] not in _NOT_IN_NAME:
            run += 1
        # Longest name whose first character starts a token tagged as a name (jieba: ns/nr/…).
        for length in range(run, 1, -1):
            flag = starts.get(end - length)
            # 石鼓区委: a common noun before 区委/县委 is still a place (the tagger reads 石鼓 as a drum)
            party = text.startswith("委", m.end()) and flag == "n"
            if flag is not None and (flag.startswith(_PLACE_FLAGS) or party):
                out.append((text[end - length:m.end()], end - length, m.end()))
                break
    return tuple(out)


def region_stem(region: str) -> str:
    """衡东县 -> 衡东: reports write 衡东融媒, 衡东经济开发区, 大美衡东."""
    return region[:-1] if len(region) > 2 else region


# --- meetings ---------------------------------------------------------------------------------

_CN_NUM = "[一二三四五六七八九十]{1,3}"
MEETING_RE = re.compile(rf"(?:第)?(?P<session>{_CN_NUM})届(?:委员会)?(?:第)?(?P<plenary>{_CN_NUM})次(?:全体会议|全会|会议)?")


def find_meetings(text: str) -> list[tuple[str, str, int, int]]:
    """(届, 次, start, end) for plenum names: 十四届四次全会 / 第十四届委员会第四次全体会议 / 五届四次."""
    return [(m.group("session"), m.group("plenary"), m.start(), m.end()) for m in MEETING_RE.finditer(text)]


# --- type and unit ----------------------------------------------------------------------------

_TYPE_RULES: tuple[tuple[QType, str], ...] = (
    ("compare", r"哪个(?:更|较)?(?:高|低|快|慢|多|少|大|小)|相比.*(?:高|低)还是|比较"),
    ("when", r"何时|什么时候|哪天|哪一天|几月几日|几号|什么时间|日期|召开时间|举行时间"),
    ("where", r"在哪|哪里|何地|什么地方|何处|地点|哪儿"),
    ("who", r"谁|哪位|哪些人(?!员)|哪些领导|何人|什么人|姓名|名字"),
    ("list", r"哪些|有哪几|包括什么|包括哪|列举|哪几"),
    ("how_much", r"多少|几个|几项|几家|几人|第几|几位|几成|增速|增幅|增长率|比重|占比|排名|名次|位次|多高|多大"),
    ("whether", r"是否|有没有|是不是|能否|吗[??]?$"),
    ("which", r"哪个|哪一|哪家|哪项|哪种|哪类|哪条"),
)

_UNIT_RULES: tuple[tuple[str, str], ...] = (
    ("个百分点", r"百分点|比.{1,8}(?:高|低|快|慢)多少|高(?:出|于).{0,6}多少|低(?:于|出).{0,6}多少|回落多少|提升多少|提高多少"),
    ("位", r"排名|排第几|第几|名次|位次|排在|排全"),
    ("%", r"增长(?:率)?(?:是|为)?多少|涨了?多少|增速|增幅|增长率|增长了多少|比重|占比|率是多少|率为多少|率达|下降多少|同比"),
    ("人", r"多少人|几人|人数"),
    ("元", r"多少(?:亿|万)?元|多少亿|多少万元|金额|总值(?:是|为)?多少|收入(?:是|为|有)?多少|总投资|完成投资|资金"),
    ("亩", r"多少(?:万)?亩"), ("吨", r"多少(?:万)?吨"), ("户", r"多少(?:万)?户"), ("家", r"多少家|几家"),
    ("个月", r"多少个月|几个月"), ("个", r"多少个|几个"), ("项", r"多少项|几项"), ("件", r"多少件|几件"), ("次", r"多少次|几次"),
)

_SLOGAN_RE = re.compile(r"口号|品牌|理念|提法|战略|精神|定位|目标是什么|提出了?什么|称为|叫什么|名称")


def question_type(q: str) -> QType:
    if "分别" in q:
        return "multi"
    for qtype, pattern in _TYPE_RULES:
        if re.search(pattern, q):
            return qtype
    return "what"


def unit_hint(q: str) -> str | None:
    for unit, pattern in _UNIT_RULES:
        if re.search(pattern, q):
            return unit
    return None


# --- English fallback -------------------------------------------------------------------------

# A small glossary so an English question about the genre's core indicators still finds Chinese evidence.
# Romanised names (Hengdong) are not matched to Chinese ones: they are reported back as unknown and
# the offline answerer refuses rather than guess which place was meant.
_EN_GLOSSARY: tuple[tuple[str, str], ...] = (
    (r"fixed[- ]asset(?:s)? investment", "固定资产投资"), (r"retail sales", "社会消费品零售总额"),
    (r"tax revenue", "税收收入"), (r"disposable income|per capita income|income", "人均可支配收入"),
    (r"industrial value[- ]added", "工业增加值"), (r"first half(?: of the year)?", "上半年"),
    (r"second half", "下半年"), (r"first three quarters", "前三季度"), (r"first quarter", "一季度"),
    (r"second quarter", "二季度"), (r"third quarter", "三季度"), (r"fourth quarter", "四季度"),
    (r"whole year|full year", "全年"), (r"\bgdp\b", "GDP"), (r"growth rate|grow(?:th|n)?|increase", "增长"),
    (r"how (?:much|many)|what (?:percentage|percent|was the|is the)", "多少"), (r"\bwho\b", "谁"),
    (r"\bwhen\b", "何时"), (r"\bwhere\b", "在哪里"), (r"\brank(?:ed|ing)?\b", "排名"),
    (r"work report", "工作报告"), (r"deliver(?:ed|s)?|gave|made", "作"), (r"what was|what is", "多少"),
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


# --- keywords ---------------------------------------------------------------------------------

_STOP = set("的 了 是 在 和 与 及 有 对 为 把 被 从 向 到 个 年 中 上 下 其 并 等 也 都 就 要 会 请 问 那 这 该 我 他 她 它 吗 呢 啊 还 又 "
            "一个 什么 多少 哪些 哪个 谁 是否 如何 怎样 怎么 情况 方面 提到 提出 报告 文中 会议 会上 讲话".split())
_PUNCT_RE = re.compile(r"[\s\W_]+")


def content_text(q: str) -> str:
    """The question without question words and punctuation: what the evidence should contain."""
    text = q
    for w in sorted(lexicon.QUESTION_WORDS, key=len, reverse=True):
        text = text.replace(w, " ")
    return _PUNCT_RE.sub(" ", text).strip()


def keywords(q: str) -> tuple[str, ...]:
    import jieba  # lazy: its dictionary loads on first use

    words = []
    for w in jieba.lcut_for_search(content_text(q)):
        w = w.strip()
        if len(w) >= 2 and w not in _STOP and w not in words:
            words.append(w)
    return tuple(words)


# --- analysis ---------------------------------------------------------------------------------

def _titles(q: str) -> tuple[str, ...]:
    found: list[str] = []
    for t in lexicon.TITLES:
        # 县委常委会 is a body, not the role 县委常委
        if re.search(re.escape(t) + "(?!会)", q) and not any(t in f for f in found):
            found.append(t)
    return tuple(found)


_CHANGE_RE = re.compile(r"增长|增加|增速|增幅|涨|提高|提升|上升|下降|减少|回落|多了|少了|同比")
_SCOPE_RE = re.compile(r"全国|全省|全市|全县|全区|五城区|[省市县区]内")


def analyze(question: str) -> QuestionAnalysis:
    """Analyse one standalone question (history already resolved)."""
    q = normalize(question)
    english, unknown = is_english(q), []
    if english:
        q, unknown = translate_english(q)
    periods = tuple(p for p, _, _ in find_periods(q))
    inds = lexicon.find_indicators(q)
    base = QuestionAnalysis(
        text=q,
        qtype=question_type(q),
        regions=tuple(dict.fromkeys(r for r, _, _ in find_regions(q))),
        titles=_titles(q),
        periods=periods,
        years=tuple(dict.fromkeys(find_years(q))),
        indicators=tuple(dict.fromkeys(k for k, _, _, _ in inds)),
        indicator_terms=tuple(dict.fromkeys(t for _, t, _, _ in inds)),
        unit=unit_hint(q),
        keywords=keywords(q),
        english=english,
        slogan=bool(_SLOGAN_RE.search(q)),
        meetings=tuple((a, b) for a, b, _, _ in find_meetings(q)),
        change=bool(_CHANGE_RE.search(q)),
        scope=(m.group(0) if (m := _SCOPE_RE.search(q)) else None),
        extra={"unknown_names": unknown},
    )
    return replace(base, parts=_split_subquestions(base) or _split_parts(base))


_ASKS = re.compile(r"多少|几|如何|怎样|怎么样|哪|谁|什么|是否")


def _split_subquestions(a: QuestionAnalysis) -> tuple[QuestionAnalysis, ...]:
    """"…增长多少,在全市排第几?" -> two questions; the later ones inherit place, period and indicator."""
    pieces = [p for p in re.split(r"[??;;]|[,,](?=[^,,]*(?:多少|几|如何|怎样|哪|谁|什么))", a.text) if p.strip()]
    if len(pieces) < 2 or not all(_ASKS.search(p) for p in pieces):
        return ()
    first = analyze(pieces[0])
    parts = [replace(first, parts=())]
    for piece in pieces[1:]:
        carry = "".join([*(r for r in first.regions if r not in piece), *(p.text for p in first.periods if p.text not in piece)])
        sub = analyze(piece)
        if not sub.indicators and not sub.titles:
            carry += "".join(first.indicator_terms)
        parts.append(replace(analyze(carry + piece), parts=()))
    return tuple(parts)


def _split_parts(a: QuestionAnalysis) -> tuple[QuestionAnalysis, ...]:
    """"上半年和前三季度分别…" -> one part per period (or per place, or per indicator)."""
    joined = "分别" in a.text or re.search(r"[和与及、]", a.text)
    if not joined:
        return ()
    inner = question_type(a.text.replace("分别", ""))
    inner = "how_much" if inner in ("multi", "compare") and a.unit else ("what" if inner == "multi" else inner)
    if len(a.periods) >= 2:
        return tuple(replace(a, qtype=inner, periods=(p,), parts=(), label=p.text,
                             text=_drop_others(a.text, [x.text for x in a.periods], p.text))
                     for p in a.periods)
    if len(a.meetings) >= 2:
        names = [m.group(0) for m in MEETING_RE.finditer(a.text)]
        paired = len(a.regions) == len(names)  # 衡东县委…全会和雁峰区委…全会: each meeting with its place
        return tuple(replace(a, qtype=inner, meetings=(mt,), parts=(), label=name,
                             text=_drop_others(_drop_others(a.text, names, name),
                                               [r for j, r in enumerate(a.regions) if paired and j != i], ""),
                             regions=(a.regions[i],) if paired else a.regions)
                     for i, (mt, name) in enumerate(zip(a.meetings, names)))
    if len(a.regions) >= 2:
        return tuple(replace(a, qtype=inner, regions=(r,), parts=(), label=r, text=_drop_others(a.text, a.regions, r),
                             titles=_titles(_drop_others(a.text, a.regions, r)))
                     for r in a.regions)
    if len(a.indicators) >= 2:
        return tuple(
            replace(a, qtype=inner, indicators=(k,), indicator_terms=(t,), parts=(), label=t,
                    text=_drop_others(a.text, a.indicator_terms, t))
            for k, t in zip(a.indicators, a.indicator_terms))
    return ()


def _drop_others(text: str, items, keep: str) -> str:
    for item in items:
        if item != keep:
            text = text.replace(item, "\x00")
    # Remove each dropped item with one adjacent connector: "上半年和\0" -> "上半年", "\0和前三季度" -> "前三季度".
    text = re.sub(r"\x00[和与及、]|[和与及、]\x00|\x00", "", text)
    return text.replace("分别", "")


_PERIOD_NAMES = {(1, 6): ("上半年",), (1, 9): ("前三季度",), (1, 3): ("一季度",), (4, 6): ("二季度",),
                 (7, 9): ("三季度",), (10, 12): ("四季度",), (7, 12): ("下半年",), (1, 12): ("全年",)}


def retrieval_query(analysis: QuestionAnalysis) -> str:
    """A keyword query for Index.search: the question's content words, the indicator's synonyms and the
    period's usual name (前六个月 → 上半年), without the filler that dilutes a lexical match."""
    own = keywords(analysis.text)  # a part's own words, not the whole question's
    words = [w for w in own if not any(w != o and w in o for o in own)]
    for key in analysis.indicators:
        words.extend(t for t in lexicon.indicator(key).terms[:3])
    for period in analysis.periods:
        words.extend(_PERIOD_NAMES.get(period.months, (period.text,)))
    return " ".join(dict.fromkeys(words)) or analysis.text
