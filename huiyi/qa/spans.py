"""Answer spans by type inside one sentence: person with title, organisation, place, date, list, slogan.

Offsets are relative to the string passed in; callers add the sentence's document offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from huiyi.genre import vocabulary as lexicon

CLAUSE_RE = re.compile(r"[^,,;;::。!?!?]+")
_HAN = r"[\u4e00-\u9fff]"

# A name ends where one of these starts: 王某受…, 谢某就…, 伍某宣读…  (2-char names before them).
_AFTER_NAME = set("受对就作在宣主出强指要表讲同等和及为与向说参、率带代到把被将于以是也则已从均,,。;;::(( ")
_TITLE_CHAIN = "(?:" + "|".join(re.escape(t) for t in lexicon.TITLES) + ")"
PERSON_RE = re.compile(
    rf"(?P<title>(?:[县区市镇乡]?(?:人大常委会|政协|纪委|委|政府)?)?{_TITLE_CHAIN}(?:[、,]?{_TITLE_CHAIN})*)"
    rf"(?P<name>{_HAN}{{2,3}})"
)
# Common single-character surnames cover the vast majority of officials' names; a "name" that does not
# start with one is usually a word (书记强调 …).
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜"
    "倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海"
    "阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿狄索宣晋云容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况"
    "宿鲜印逯隆茹诸战慕危玉银亢嵇哈湛宾戎勾茅利於呼居揭干尉冶斯元束檀衣阴昝智幸奉植衡富尧闭"
)


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int
    kind: str  # person | org | place | date | list | slogan | clause | number


def clauses(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in CLAUSE_RE.finditer(text) if m.group(0).strip()]


def _name_length(text: str, start: int, nr_starts: dict[int, int]) -> int:
    if start in nr_starts and nr_starts[start] in (2, 3):
        return nr_starts[start]
    third = text[start + 2] if start + 2 < len(text) else " "
    return 2 if third in _AFTER_NAME or not re.match(_HAN, third) else 3


@lru_cache(maxsize=8192)  # the same report sentences come back question after question
def _nr_tokens(text: str) -> dict[int, int]:
    """Start -> length of person-name tokens according to jieba's tagger."""
    import jieba.posseg as pseg  # lazy: dictionary load

    out, pos = {}, 0
    for tok in pseg.cut(text):
        if tok.flag.startswith("nr") and 2 <= len(tok.word) <= 3:
            out[pos] = len(tok.word)
        pos += len(tok.word)
    return out


def persons(text: str) -> list[Span]:
    """Titled persons (县委书记谭某某, 县委副书记、县长蒋某某): the span covers title and name."""
    return list(_persons(text))


@lru_cache(maxsize=8192)
def _persons(text: str) -> tuple[Span, ...]:
    nr = _nr_tokens(text)
    found: list[Span] = []
    for m in PERSON_RE.finditer(text):
        start = m.start("name")
        if text[start] not in _SURNAMES:
            continue
        length = _name_length(text, start, nr)
        found.append(Span(text[m.start():start + length], m.start(), start + length, "person"))
    # Given name + title, as colleagues write it: 获某某书记点名肯定
    for m in _NAME_TITLE_RE.finditer(text):
        found.append(Span(m.group(0)[1:], m.start() + 1, m.end(), "person"))
    titled = {s.end for s in found}
    for start, length in nr.items():
        if start + length not in titled and text[start] in _SURNAMES:
            found.append(Span(text[start:start + length], start, start + length, "person"))
    return sorted(found, key=lambda s: s.start)


_NAME_TITLE_RE = re.compile(r"[获由经被向请据][\u4e00-\u9fff]{2}(?:书记|县长|区长|市长|主任|部长)(?=[\u4e00-\u9fff])")


def person_name(span: Span) -> str:
    """The bare name of a person span ("县委书记谭某某" -> "谭某某")."""
    m = PERSON_RE.fullmatch(span.text)
    return m.group("name") if m else span.text


def person_title(span: Span) -> str:
    m = PERSON_RE.fullmatch(span.text)
    return m.group("title") if m else ""


_ORG_RE = re.compile(r"由(?P<org>[^,,。;;由]{2,16}?)(?:主持|召集|牵头|负责|组织|承办|主办)")


def organisations(text: str) -> list[Span]:
    return [Span(m.group("org"), m.start("org"), m.end("org"), "org") for m in _ORG_RE.finditer(text)]


_PLACE_RE = re.compile(r"在(?P<place>[^,,。;;在]{2,24}?)(?:隆重)?(?:召开|举行|举办|开幕|开展|进行|召集)")


def places(text: str) -> list[Span]:
    return [Span(m.group("place"), m.start("place"), m.end("place"), "place") for m in _PLACE_RE.finditer(text)]


_DATE_RE = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日(?:上午|下午|晚上|晚|早上)?"
    r"|(?<!\d)(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}(?!\d)"
    r"|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?!\s*\d{1,2}\s*日)"
)


def dates(text: str) -> list[Span]:
    return [Span(m.group(0), m.start(), m.end(), "date") for m in _DATE_RE.finditer(text)]


_QUOTE_RE = re.compile(r"“[^“”]{2,40}”|《[^《》]{2,60}》")


def slogans(text: str) -> list[Span]:
    return [Span(m.group(0), m.start(), m.end(), "slogan") for m in _QUOTE_RE.finditer(text)]


_ENUM_ITEM = r"[^,,。;;、::]{1,24}"
_ENUM_RE = re.compile(rf"{_ENUM_ITEM}(?:、{_ENUM_ITEM})+")


def enumerations(text: str) -> list[Span]:
    """Runs of items separated by 、 (夏某、颜某、钱某…) — the usual shape of a list answer."""
    return [Span(m.group(0), m.start(), m.end(), "list") for m in _ENUM_RE.finditer(text)]
