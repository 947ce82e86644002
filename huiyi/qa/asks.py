"""What a question asks beyond a stated figure, read from its words alone when it is prepared (huiyi.qa.prepare).

A field of a document's header (who delivered the report, who presided, when and where the meeting was held:
`doc_ask`), or a comparison across the places it lists together (`comparison`, one question per place:
`comparison_parts`). The answerers (huiyi.qa.doclevel, huiyi.qa.compare) read the documents for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from huiyi.genre.numbers import CN_MANY
from huiyi.genre.places import named_places, region_stem
from huiyi.qa.analysis import QuestionAnalysis, analyze

# ---- what the question asks ---------------------------------------------------------------------------------
Field = Literal["speaker", "host", "issuer", "date", "place", "session", "kind", "role"]
_WHO = r"(?:谁|哪位|哪一位|哪个|哪些|什么人)"
_SPEAKS = r"(?:作(?:了)?[^,，。?？]{0,16}?报告|讲话|讲的话|发表(?:了)?讲话|致辞|(?:交流|表态)?发言|作的|讲的)"
_ASKS: tuple[tuple[Field, re.Pattern[str]], ...] = (
    ("role", re.compile(r"(?:以|作为)?什么(?:职务|身份)|担任(?:什么|何)职")),
    ("host", re.compile(rf"{_WHO}[^,，。?？]{{0,12}}主持|主持[^,，。?？]{{0,12}}(?:谁|哪位)")),
    ("issuer", re.compile(r"(?:哪个|哪家|哪一个|什么)(?:单位|部门|机关|机构)[^,，。?？]{0,4}(?:发|印发|下发|发布|制发)"
                          r"|(?:发文|印发|落款)(?:单位|机关)|谁(?:印发|下发|发布|发)的|(?:印发|下发|发布)[^,，。?？]{0,12}谁")),
    ("session", re.compile(r"(?:哪次|哪一次|什么|哪个|哪届)(?:会议|大会|会)上")),
    ("kind", re.compile(r"什么(?:类型|性质|样|级别)的?(?:会议|会)|(?:这|这次会议)是(?:一次|一个)?什么(?:会议|会)|属于什么会")),
    ("date", re.compile(r"(?:哪天|哪一天|何时|什么时候|什么时间|几月几日|几号|哪日)[的了]?(?:[^,，。?？]{0,12}?"
                        r"(?:召开|举行|举办|开会|开的|开|作|报告|讲话|学习|进行))?[的了呢吗]?[?？]?$"
                        r"|(?:召开|举行|举办)(?:于)?(?:哪天|哪一天|何时|什么时候|什么时间)"
                        r"|(?:召开|举行|举办|开会)(?:的)?(?:时间|日期)|会议(?:时间|日期)")),
    ("place", re.compile(r"(?:在哪里|在哪儿|在哪|在什么地方|什么地方|在何处|在何地|哪里)[^,，。?？]{0,3}"
                         r"(?:召开|举行|举办|开(?=[的会了呢吗?？]|$))"
                         r"|(?:召开|举行|举办)(?:于)?(?:在哪里|在哪|在什么地方|哪里|何处|何地)"
                         r"|(?:召开|举行|举办|开会)(?:的)?(?:地点|地方)|会议地点|会场在哪")),
    ("speaker", re.compile(rf"{_WHO}[^,，。?？]{{0,12}}?{_SPEAKS}|{_SPEAKS}的[^,，。?？]{{0,8}}(?:是|为)?(?:谁|哪位)"
                           rf"|作[^,，。?？]{{0,30}}报告[^,，。?？]{{0,30}}谁")),
)
# A question about what someone said is about the content, not the header.
_CONTENT = re.compile(r"强调|指出|要求|提出|提到|部署|说了什么|讲了什么|哪几|哪些(?:方面|工作|任务|事项|要求)")
_ACT_WORDS: tuple[tuple[str, str], ...] = (("发言", "发言"), ("报告", "报告"), ("讲话", "讲话"), ("致辞", "讲话"))


@dataclass(frozen=True)
class DocAsk:
    field: Field
    act: str = ""  # the act a speaker question names: 讲话 | 发言 | 报告 ("" any)
    last: bool = False  # "最后谁讲话"


def doc_ask(question: str) -> DocAsk | None:
    """What a document-level question asks of the header, or None when it asks about the content."""
    q = re.sub(r"\s+", "", question)
    for field, pattern in _ASKS:
        if not pattern.search(q):
            continue
        if field == "speaker":
            if _CONTENT.search(q):
                return None
            act = next((label for word, label in _ACT_WORDS if word in q), "")
            return DocAsk("speaker", act, last="最后" in q)
        return DocAsk(field)
    return None


# ---- what the question compares ------------------------------------------------------------------------------
# "哪个最高", "谁的经济增速最慢", "哪个县经济增长更快", "哪一份作得最早", "哪个人口多?": who is asked, then the degree
# (最/更/较; without one the direction must end the question) and the direction.
_WINNER = re.compile(
    r"(?P<who>哪一个|哪一份|哪一家|哪个(?:[县区市省州]|地方|地区)?|哪份|哪[县区市省地]|谁的|谁)[^,，。?？;；]{0,14}?"
    r"(?P<deg>最|更|较|比较)?(?P<dir>高|低|快|慢|多(?!少)|少|大|小|早|晚|强|弱)"
    r"(?(deg)|(?=[一些点]?[呢啊]?[?？。!！]?$))"
)
_HIGH = set("高快多大强晚")
_DATE_DIRECTIONS = set("早晚")
_RESPECTIVELY = re.compile(r"分别|各(?:是|为|有|达|自)")
# "四地", "三省", "两个县", "三份政府工作报告": how many places the list holds, written right after it.
_COUNT = re.compile(rf"[{CN_MANY}\d]{{1,2}}个?(?:地方|地区|省份|省区|城市|地|省|市|县|区|州|城|份)")
_JOIN = re.compile(r"\s*(?:以及|[、,，和与及跟同])\s*")


@dataclass(frozen=True)
class Comparison:
    places: tuple[str, ...]
    span: tuple[int, int]  # where the question lists the places (with the count after them)
    highest: bool | None  # None: "分别" — list the values, name no winner
    phrase: str  # 最高, 更快 … as asked
    ask: DocAsk | None  # a document-level field compared or listed (dates, speakers)


def comparison(a: QuestionAnalysis) -> Comparison | None:
    """The comparison a question asks for across two or more places it lists together, or None."""
    m = _WINNER.search(a.text)
    if m is None and not _RESPECTIVELY.search(a.text):
        return None
    listed = _listed_places(a)
    if listed is None:
        return None
    places, span = listed
    highest = None if m is None else m.group("dir") in _HIGH
    phrase = "" if m is None else (m.group("deg") or "") + m.group("dir")
    if m is not None and m.group("dir") in _DATE_DIRECTIONS:
        ask: DocAsk | None = DocAsk("date")
    else:  # "谁的增速最慢" asks for a place, not a speaker: the header is asked only without the winner's words
        ask = doc_ask(a.text if m is None else a.text[:m.start()] + a.text[m.end("who"):])
    return Comparison(places, span, highest, phrase, ask)


def _listed_places(a: QuestionAnalysis) -> tuple[tuple[str, ...], tuple[int, int]] | None:
    """The longest run of places written one after another with only 、/和/与 between them, and its span."""
    spans = list(named_places(a.text))
    for region in a.regions:  # places the retrieved documents are about, written without 县/区 (衡东)
        at = a.text.find(region)
        if at >= 0 and not any(s < at + len(region) and at < e for _, s, e in spans):
            spans.append((region, at, at + len(region)))
    spans.sort(key=lambda r: r[1])
    best: list[tuple[str, int, int]] = []
    run: list[tuple[str, int, int]] = []
    for place in spans:
        if run and _JOIN.fullmatch(a.text[run[-1][2]:place[1]]):
            run.append(place)
        else:
            run = [place]
        if len(run) > len(best):
            best = list(run)
    names = tuple(dict.fromkeys(name for name, _, _ in best))
    if len(names) < 2:
        return None
    end = best[-1][2]
    count = _COUNT.match(a.text, end)
    return names, (best[0][1], count.end() if count else end)


def place_part(a: QuestionAnalysis, place: str, cmp: Comparison) -> QuestionAnalysis:
    """The question as asked of one place: the list and its count become the place, the comparison words a
    plain question (是多少, or 哪天 for dates)."""
    start, end = cmp.span
    text = a.text[:start] + place + a.text[end:]
    m = _WINNER.search(text)
    if m is not None:
        middle = text[m.end("who"):m.start("deg") if m.group("deg") else m.start("dir")]
        asked = "哪天" if cmp.ask is not None and cmp.ask.field == "date" else "是多少"
        text = text[:m.start()] + middle + asked + text[m.end():]
    text = _RESPECTIVELY.sub("", text).strip(",，、 ")
    part = analyze(text)
    stem = region_stem(place)
    regions = part.regions if any(stem in r or place in r for r in part.regions) else (place,)
    return replace(part, regions=regions, parts=(), label=place)


def comparison_parts(a: QuestionAnalysis) -> tuple[QuestionAnalysis, ...]:
    """One question per place a comparison lists (none for other questions): each is retrieved on its own."""
    cmp = comparison(a)
    return () if cmp is None else tuple(place_part(a, p, cmp) for p in cmp.places)
