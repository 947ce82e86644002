"""People of the genre: role titles, surnames, "title + name" persons (县委副书记、县长某某) and speakers.

Offsets in every result are relative to the string passed in.
"""

from __future__ import annotations

import re
from functools import lru_cache

from huiyi.genre.spans import Span
from huiyi.genre.tagger import pos_tags

# Role titles, longest first; a person is a title followed by a name (县委书记谭某某).
TITLES: tuple[str, ...] = tuple(sorted((
    "县委书记", "区委书记", "市委书记", "镇党委书记", "乡党委书记", "党委书记", "党工委书记", "书记",
    "县委副书记", "区委副书记", "市委副书记", "副书记",
    "省长", "副省长", "省委书记", "省委副书记", "自治区主席", "州长", "旗长",
    "县长", "区长", "市长", "镇长", "乡长", "副县长", "副区长", "副市长", "常务副县长", "常务副区长",
    "组织部长", "组织部部长", "宣传部长", "宣传部部长", "统战部部长", "统战部长", "政法委书记", "纪委书记",
    "监委主任", "县委常委", "区委常委", "市委常委",
    "人大常委会主任", "县人大常委会主任", "区人大常委会主任", "政协主席", "县政协主席", "区政协主席",
    "主任", "主席", "部长", "局长", "记者", "融媒体记者", "作者",
), key=len, reverse=True))

_HAN = r"[\u4e00-\u9fff]"


def find_titles(text: str) -> tuple[str, ...]:
    """Role titles named in `text`, longest first, none inside another (县委常委会 is a body, not 县委常委)."""
    found: list[str] = []
    for t in TITLES:
        if re.search(re.escape(t) + "(?!会)", text) and not any(t in f for f in found):
            found.append(t)
    return tuple(found)


# A name ends where one of these starts: 王某受…, 谢某就…, 伍某宣读…  (2-char names before them).
_AFTER_NAME = set("受对就作在宣主出强指要表讲同等和及为与向说参、率带代到把被将于以是也则已从均,,。;;::(( ")
_TITLE_CHAIN = "(?:" + "|".join(re.escape(t) for t in TITLES) + ")"
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


# Common surnames, minus those that are also everyday words after a title (向, 全, 和, 时, 党…),
# so "县委书记向全会作报告" names nobody.
_SURNAMES_AFTER_TITLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施"
    "牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景宫费卜冷"
    "晏席卫米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝封蔺"
)
_UNIT = r"(?:[县区市省州镇乡旗]|街道)"
_ROLE_PART = (
    r"(?:(?:常务)?副?[县区市州镇乡]长"
    r"|" + _UNIT + r"(?:委|人大常委会|人大|政协|政府|纪委|监委|委办|政府办)?[\u4e00-\u9fff]{0,3}?"
    r"(?:书记|主任|主席|部长|常委|秘书长|局长|院长|检察长|政委)"
    r"|(?:组织|宣传|统战|政法|纪委|监委)[\u4e00-\u9fff]{0,3}?(?:书记|部长|主任))"
)
_SPEAKER = re.compile(
    r"(?P<role>" + _ROLE_PART + r"(?:、" + _ROLE_PART + r")*)"
    r"(?P<name>[" + _SURNAMES_AFTER_TITLE + r"][\u4e00-\u9fff]{1,2}?)"
    r"(?=受|对|就|在|作|宣读|主持|出席|参加|列席|代表|强调|指出|要求|讲话|表示|提出|传达|通报|说|致辞|介绍"
    r"|汇报|部署|总结|讲评|向|围绕|结合|同志|带领|率|一行|调研|主讲|[,，、。;；:：\s(（)）]|$)"
)



def _name_length(text: str, start: int, nr_starts: dict[int, int]) -> int:
    if start in nr_starts and nr_starts[start] in (2, 3):
        return nr_starts[start]
    third = text[start + 2] if start + 2 < len(text) else " "
    return 2 if third in _AFTER_NAME or not re.match(_HAN, third) else 3


@lru_cache(maxsize=8192)  # the same report sentences come back question after question
def _nr_tokens(text: str) -> dict[int, int]:
    """Start -> length of person-name tokens according to jieba's tagger."""
    out, pos = {}, 0
    for word, flag in pos_tags(text):
        if flag.startswith("nr") and 2 <= len(word) <= 3:
            out[pos] = len(word)
        pos += len(word)
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
        found.append(Span(m.start(), start + length, text[m.start():start + length], "person"))
    # Given name + title, as colleagues write it: 获某某书记点名肯定
    for m in _NAME_TITLE_RE.finditer(text):
        found.append(Span(m.start() + 1, m.end(), m.group(0)[1:], "person"))
    titled = {s.end for s in found}
    for start, length in nr.items():
        if start + length not in titled and text[start] in _SURNAMES:
            found.append(Span(start, start + length, text[start:start + length], "person"))
    return tuple(sorted(found, key=lambda s: s.start))


_NAME_TITLE_RE = re.compile(r"[获由经被向请据][\u4e00-\u9fff]{2}(?:书记|县长|区长|市长|主任|部长)(?=[\u4e00-\u9fff])")


def person_name(span: Span) -> str:
    """The bare name of a person span ("县委书记谭某某" -> "谭某某")."""
    m = PERSON_RE.fullmatch(span.text)
    return m.group("name") if m else span.text


def person_title(span: Span) -> str:
    m = PERSON_RE.fullmatch(span.text)
    return m.group("title") if m else ""


def find_speakers(text: str) -> list[tuple[str, str]]:
    """(name, role) of people introduced with a role ("县委副书记、县长某某"), first role kept, in order."""
    seen: dict[str, str] = {}
    for m in _SPEAKER.finditer(text):
        seen.setdefault(m.group("name"), m.group("role"))
    return list(seen.items())


HEAD_LINES = 6
# A byline under a report's title: "省长 某某", "甘肃省省长 某某", "自治区主席　某 某", or the bare name.
_BYLINE = re.compile(rf"^(?P<role>[\u4e00-\u9fff]{{0,10}}?(?:{_TITLE_CHAIN}))?[\s\u3000]*(?P<name>{_HAN}(?:[\s\u3000]?{_HAN}){{1,3}})$")


def byline_speakers(text: str) -> list[tuple[str, str | None]]:
    """(name, role) of a report's byline: a short line of the head that is a title and a person's name."""
    from huiyi.genre.entities import entities

    out = []
    for line in text.strip().split("\n")[:HEAD_LINES]:
        line = line.strip()
        m = _BYLINE.match(line) if len(line) <= 24 else None
        if not m:
            continue
        name = m.group("name")
        at = m.start("name")
        # the tagger must read a person starting at the name (it may cut a long name short: 嘎玛泽|登)
        if any(p.start == at and len(p.text.strip()) >= 2 for p in entities(line, ("PER",))):
            out.append((name, m.group("role")))
    return out
