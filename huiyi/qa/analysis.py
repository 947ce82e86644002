"""Question analysis: type, places, periods, indicators, role titles, parts and keywords."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

from huiyi.errors import BadInput
from huiyi.genre import vocabulary as lexicon
from huiyi.genre.english import is_english, translate_english
from huiyi.genre.meetings import PLENUM_RE, find_ordinal_meetings, find_plenums
from huiyi.genre.people import find_titles
from huiyi.genre.periods import AVERAGE_QUESTION, TARGET_QUESTION, Period, find_periods, find_years, usual_name
from huiyi.genre.places import named_places

QType = Literal["who", "when", "where", "how_much", "which", "what", "whether", "list", "compare", "multi"]


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
    parts: tuple[QuestionAnalysis, ...] = ()
    english: bool = False
    slogan: bool = False  # asks for a quoted slogan / motto / brand
    meetings: tuple[tuple[str, str], ...] = ()  # (届, 次) of plenums the question names
    change: bool = False  # asks for a change (增长/增加/提高 …), not a level
    scope: str | None = None  # ranking scope asked: 全市, 全省 …
    label: str = ""  # how a part is introduced in a composed answer
    unknown_names: tuple[str, ...] = ()  # romanised names an English question uses (Hengdong)
    target: bool = False  # asks for a goal (目标, 预期, 打算…), not a result
    average: bool = False  # asks for an average over years (年均)


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


# --- type and unit ----------------------------------------------------------------------------

_TYPE_RULES: tuple[tuple[QType, str], ...] = (
    ("compare", r"哪个(?:更|较)?(?:高|低|快|慢|多|少|大|小)|相比.*(?:高|低)还是|比较"),
    ("when", r"何时|什么时候|哪天|哪一天|几月几日|几号|什么时间|日期|召开时间|举行时间|哪一?年|何年|哪个月|几月份?|什么年代"),
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

_CHANGE_RE = re.compile(r"增长|增加|增速|增幅|涨|提高|提升|上升|下降|减少|回落|多了|少了|同比")
_SCOPE_RE = re.compile(r"全国|全省|全市|全县|全区|五城区|[省市县区]内")


def analyze(question: str) -> QuestionAnalysis:
    """Analyse one standalone question (history already resolved); parts are analysed inside."""
    return _analyze(question)


def _analyze(question: str) -> QuestionAnalysis:
    q = normalize(question)
    english, unknown = is_english(q), list[str]()
    if english:
        q, unknown = translate_english(q)
    periods = tuple(p for p, _, _ in find_periods(q))
    inds = lexicon.find_indicators(q)
    base = QuestionAnalysis(
        text=q,
        qtype=question_type(q),
        regions=tuple(dict.fromkeys(r for r, _, _ in named_places(q))),
        titles=find_titles(q),
        periods=periods,
        years=tuple(dict.fromkeys(find_years(q))),
        indicators=tuple(dict.fromkeys(k for k, _, _, _ in inds)),
        indicator_terms=tuple(dict.fromkeys(t for _, t, _, _ in inds)),
        unit=unit_hint(q),
        keywords=keywords(q),
        english=english,
        slogan=bool(_SLOGAN_RE.search(q)),
        meetings=tuple((a, b) for a, b, _, _ in [*find_plenums(q), *find_ordinal_meetings(q)]),
        change=bool(_CHANGE_RE.search(q)),
        scope=(m.group(0) if (m := _SCOPE_RE.search(q)) else None),
        unknown_names=tuple(unknown),
        target=bool(TARGET_QUESTION.search(q)),
        average=bool(AVERAGE_QUESTION.search(q)),
    )
    return replace(base, parts=_split_subquestions(base) or _split_parts(base))


_ASKS = re.compile(r"多少|几|如何|怎样|怎么样|哪|谁|什么|是否")


def _split_subquestions(a: QuestionAnalysis) -> tuple[QuestionAnalysis, ...]:
    """"…增长多少,在全市排第几?" -> two questions; the later ones inherit place, period and indicator."""
    pieces = [p for p in re.split(r"[??;;]|[,,](?=[^,,]*(?:多少|几|如何|怎样|哪|谁|什么))", a.text) if p.strip()]
    if len(pieces) < 2 or not all(_ASKS.search(p) for p in pieces):
        return ()
    first = _analyze(pieces[0])
    parts = [replace(first, parts=())]
    head = _subject(first)
    for piece in pieces[1:]:
        sub = _analyze(piece)
        carry = "".join([*(r for r in first.regions if r not in piece and r not in head),
                         *(p.text for p in first.periods if p.text not in piece and p.text not in head)])
        if head and not sub.years and head not in piece:
            carry = head + carry  # "重庆2025年GDP是多少?增长了多少?": the second asks about 重庆's 2025 too
        if not sub.indicators and not sub.titles:
            carry += "".join(first.indicator_terms)
        parts.append(replace(_analyze(carry + piece), parts=()))
    return tuple(parts)


def _subject(a: QuestionAnalysis) -> str:
    """The words a question puts before its indicator: its place and time, "重庆2025年" ("" without one)."""
    cuts = [a.text.find(t) for t in a.indicator_terms if t in a.text]
    return a.text[:min(cuts)].strip(" ,，") if cuts else ""


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
    names = [m.group(0) for m in PLENUM_RE.finditer(a.text)]
    if len(a.meetings) >= 2 and len(names) == len(a.meetings):
        paired = len(a.regions) == len(names)  # 衡东县委…全会和雁峰区委…全会: each meeting with its place
        return tuple(replace(a, qtype=inner, meetings=(mt,), parts=(), label=name,
                             text=_drop_others(_drop_others(a.text, names, name),
                                               [r for j, r in enumerate(a.regions) if paired and j != i], ""),
                             regions=(a.regions[i],) if paired else a.regions)
                     for i, (mt, name) in enumerate(zip(a.meetings, names)))
    if len(a.regions) >= 2:
        return tuple(replace(a, qtype=inner, regions=(r,), parts=(), label=r, text=_drop_others(a.text, a.regions, r),
                             titles=find_titles(_drop_others(a.text, a.regions, r)))
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


def retrieval_query(analysis: QuestionAnalysis) -> str:
    """A keyword query for Index.search: the question's content words, the indicator's synonyms and the
    period's usual name (前六个月 → 上半年), without the filler that dilutes a lexical match."""
    own = keywords(analysis.text)  # a part's own words, not the whole question's
    words = [w for w in own if not any(w != o and w in o for o in own)]
    for key in analysis.indicators:
        words.extend(t for t in lexicon.indicator(key).terms[:3])
    for period in analysis.periods:
        words.append(usual_name(period.months, period.text))
    return " ".join(dict.fromkeys(words)) or analysis.text
