"""Stage 3 of ingest: document metadata (title, meeting type, date, region, speakers, placeholders).

Works on the cleaned text; `removed` (from clean) lets it read the source line's publication
date. Everything here is pattern-based for this genre of report, never keyed to a file.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import PurePath

from huiyi.genre import dates
from huiyi.index.records import DocumentMeta, Placeholder, Removal, Speaker

_SENTENCE_PUNCT = re.compile(r"[。!?！？;；]")
_OUTLINE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|【|[A-Z][.．])")
_BOOK_TITLE = re.compile(r"^《([^》]{4,60})》$")
_SPEECH_TITLE = re.compile(r"^([\u4e00-\u9fff]{0,12}?在[^。!?！？;；,，\n]{2,60}?上的(?:总结讲话|讲话|发言|报告|工作报告|致辞|主持词))")
_SALUTATION = re.compile(r"^(?:同志们|各位|尊敬的)")
_MEETING_NOUN = (
    r"(?:全体会议|全会|常委会(?:会议|扩大会议)?|常务会议|代表大会|大会|座谈会|例会|碰头会|讲评会"
    r"|分析会(?:议)?|调度会(?:议)?|推进会(?:议)?|动员会|部署会|汇报会|务虚会|总结会|会议)"
)
_MEETING_HELD = re.compile(
    r"(?:^|(?<=[,，。;；\n]))\s*(?P<name>[^,，。;；\n]{2,80}?" + _MEETING_NOUN + r")"
    r"(?:在[^,，。;；\n]{1,30}?)?(?:隆重|胜利)?(?:召开|举行|开幕)"
)
_MEETING_CONVENED = re.compile(r"(?:召开|举行)了?(?P<name>[^,，。;；\n]{2,80}?" + _MEETING_NOUN + r")")
_LEADING_DATE = re.compile(r"^(?:(?:19|20)\d{2}\s*年)?\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:上午|下午|晚上|晚)?[,，\s]*")

# Ordered by how specific the word is; the earliest match in the title wins.
MEETING_TYPES: tuple[tuple[str, str], ...] = (
    ("全会", r"全体会议|全会|全委会"),
    ("常委会", r"常委会(?:会议|扩大会议)?"),
    ("常务会议", r"常务会议?"),
    ("经济运行分析会", r"经济运行分析会|经济形势分析会|运行分析会"),
    ("讲评会", r"讲评会"),
    ("例会", r"例会"),
    ("碰头会", r"碰头会"),
    ("座谈会", r"座谈会"),
    ("调度会", r"调度会"),
    ("推进会", r"推进会"),
    ("动员会", r"动员(?:部署)?(?:大会|会)"),
    ("部署会", r"部署会"),
    ("务虚会", r"务虚会"),
    ("民主生活会", r"民主生活会"),
    ("工作总结", r"年终总结|年度总结|工作总结|总结大会|总结会"),
    ("代表大会", r"代表大会|党代会|人代会"),
    ("工作会议", r"工作会议|工作会"),
)

# Region: a place name (jieba tags it "ns") ending in 县/区/市/旗/州, or a place stem followed by
# 县委/区政府/市委书记…; ranked by whether the text treats it as a government, then frequency.
_REGION_SUFFIX = "县区市旗州"
REGION_SCAN_CHARS = 20_000
_NOT_REGION = re.compile(r"^[各全我本该每]|(?:城市|城区|新区|社区|园区|景区|小区)$")
_GOVERNANCE = re.compile(r"^(?:委|人民政府|政府|人大|政协|纪委|融媒|召开|第[一二三四五六七八九十百\d]+届)")

# Common surnames, minus those that are also everyday words after a title (向, 全, 和, 时, 党…),
# so "县委书记向全会作报告" names nobody.
_SURNAMES = (
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
    r"(?P<name>[" + _SURNAMES + r"][\u4e00-\u9fff]{1,2}?)"
    r"(?=受|对|就|在|作|宣读|主持|出席|参加|列席|代表|强调|指出|要求|讲话|表示|提出|传达|通报|说|致辞|介绍"
    r"|汇报|部署|总结|讲评|向|围绕|结合|同志|带领|率|一行|调研|主讲|[,，、。;；:：\s(（)）]|$)"
)

# Placeholders: a run of Latin X standing for a digit or a name, with its unit or rank word.
_X_VALUE = re.compile(
    r"(?:倒数第|第|前)?(?<![A-Za-z])[XＸ]+(?:[.．][XＸ]+)?(?![A-Za-z]{2})(?!射线|光)"
    r"(?:\s*(?:%|％|个百分点|亿元|万元|元|万亩|亩|万吨|吨|万头|头|万只|只|万人|人|户|家|个|项|位|名|张|件|次|分|倍|档|条|问|大|届|年|月|天))?"
)
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(%|％|个百分点)")
_CHANGE = re.compile(r"(?:下降|降|回落|上升|提高|提升|增长|增加|升|扩大|缩小|收窄|变)[^,，。;；]{0,4}?(?:至|到|为)")


def extract_meta(text: str, source: str, removed: list[Removal] | None = None) -> DocumentMeta:
    """Metadata for a cleaned report; `removed` may carry the source line with the publication date."""
    meeting_name, meeting_span = _meeting_sentence(text)
    title = _title(text, meeting_name, source)
    extra = [r.text for r in removed or [] if r.kind == "source_line"]
    date_text, date_iso, inferred = _meeting_date(text, meeting_span, extra)
    return DocumentMeta(
        title=title,
        meeting_type=_meeting_type(title, meeting_name),
        date_text=date_text,
        date_iso=date_iso,
        year_inferred=inferred,
        region=find_region(text),
        speakers=find_speakers(text),
        placeholders=find_placeholders(text),
    )


def _title(text: str, meeting_name: str | None, source: str) -> str:
    first = text.strip().split("\n", 1)[0].lstrip("#").strip() if text.strip() else ""  # "# 标题" in .md
    m = _BOOK_TITLE.match(first) or _SPEECH_TITLE.match(first)
    if m:
        return m.group(1)
    if _headline(first):
        return first
    if meeting_name:
        return meeting_name
    return PurePath(source).stem or source


def _headline(line: str) -> bool:
    """A short first line without sentence punctuation that is not an outline item or salutation."""
    return (
        4 <= len(line) <= 60
        and not _SENTENCE_PUNCT.search(line)
        and not _OUTLINE.match(line)
        and not _SALUTATION.match(line)
        and sum(ch.isdigit() for ch in line) < len(line) / 2
    )


def _meeting_sentence(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """The first "…会议召开" / "召开…会议" statement: (meeting name, span of its sentence)."""
    head = text[:3000]
    matches = [m for rx in (_MEETING_HELD, _MEETING_CONVENED) if (m := rx.search(head))]
    if not matches:
        return None, None
    m = min(matches, key=lambda x: x.start("name"))
    name = _LEADING_DATE.sub("", m.group("name").strip())
    start = max(head.rfind(ch, 0, m.start("name")) for ch in "。!?！？\n") + 1
    return name or None, (start, m.end())


def _meeting_type(title: str, meeting_name: str | None) -> str | None:
    for where in (title, meeting_name or ""):
        hits = []
        for label, pattern in MEETING_TYPES:
            m = re.search(pattern, where)
            if m:
                hits.append((m.start(), -len(m.group()), label))
        if hits:
            return min(hits)[2]
    return None


def _meeting_date(text: str, span: tuple[int, int] | None, extra: list[str]):
    """(date as written, ISO date, year inferred) for the meeting, else the publication date."""
    mentions = dates.find_dates(text)
    in_sentence = [d for d in mentions if span and span[0] <= d.start < span[1]]
    in_head = [d for d in mentions if d.start < 400]
    pick = (in_sentence or in_head or [None])[0]
    if pick is None:
        published = [d for line in extra for d in dates.find_dates(line) if d.year]
        if not published:
            return None, None, False
        return published[0].text, dates.to_date(published[0].year, published[0]), False
    year, inferred = dates.resolve_year(pick, text, extra)
    return pick.text, dates.to_date(year, pick), inferred and year is not None


def find_region(text: str) -> str | None:
    """The county/district/city the report is about; None when it only says 我县/全县."""
    counts: Counter[str] = Counter()
    governed: set[str] = set()
    # The report names its region early; tagging a whole book-length text would cost seconds.
    for name, end in _place_names(text[:REGION_SCAN_CHARS]):
        counts[name] += 1
        if _GOVERNANCE.match(text[end : end + 8]):
            governed.add(name)
    ranked = sorted(governed, key=lambda n: -counts[n])
    return ranked[0] if ranked else None


def _place_names(text: str) -> list[tuple[str, int]]:
    """(县/区/市 name, end offset) for every administrative name jieba recognises in `text`."""
    import jieba  # lazy: loading the dictionary takes about a second
    import jieba.posseg as pseg

    jieba.setLogLevel(logging.WARNING)
    tokens = [(w.word, w.flag) for w in pseg.cut(text)]
    out: list[tuple[str, int]] = []
    pos = 0
    for i, (word, flag) in enumerate(tokens):
        pos += len(word)
        if flag != "ns" or len(word) < 2 or _NOT_REGION.search(word):
            continue
        if word[-1] in _REGION_SUFFIX and len(word) >= 3:
            out.append((word, pos))
        elif i + 1 < len(tokens) and tokens[i + 1][0][0] in _REGION_SUFFIX and len(tokens[i + 1][0]) >= 2:
            out.append((word + tokens[i + 1][0][0], pos + 1))
    return out


def find_speakers(text: str) -> list[Speaker]:
    """People introduced with a role ("县委副书记、县长某某"), first role kept, in order of appearance."""
    seen: dict[str, Speaker] = {}
    for m in _SPEAKER.finditer(text):
        name = m.group("name")
        if name not in seen:
            seen[name] = Speaker(name=name, role=m.group("role"))
    return list(seen.values())


def find_placeholders(text: str) -> list[Placeholder]:
    """Withheld values: X-values (增长X%, 第X, XX大) and template repeats (see `_template_repeats`)."""
    found = [Placeholder(text=m.group(), kind="x_value", start=m.start(), end=m.end()) for m in _X_VALUE.finditer(text)]
    found.extend(_template_repeats(text))
    return sorted(found, key=lambda p: p.start)


def _template_repeats(text: str) -> list[Placeholder]:
    """A figure pasted in as a template rather than reported.

    Rule: within one paragraph, a percentage (or 个百分点) value v is a template when the text
    claims a change from v to the same v ("由上半年的1%下降至前三季度的1%") — a real report never
    does that. Those mentions are flagged; when v also appears at least three times in that
    paragraph, every mention of v there is flagged. A number merely repeated is never flagged.
    """
    out: list[Placeholder] = []
    pos = 0
    for para in text.split("\n"):
        mentions = [(pos + m.start(), pos + m.end(), m.group(1), m.group(2)) for m in _PERCENT.finditer(para)]
        flagged: set[tuple[int, int]] = set()
        for value in _self_compared_values(para, flagged, pos):
            same = [(s, e) for s, e, v, _ in mentions if _same(v, value)]
            if len(same) >= 3:
                flagged.update(same)
        for s, e in sorted(flagged):
            out.append(Placeholder(text=text[s:e], kind="template_repeat", start=s, end=e))
        pos += len(para) + 1
    return out


def _self_compared_values(para: str, flagged: set[tuple[int, int]], offset: int) -> list[str]:
    """Values v in "由…v%…降至…v%" clauses; adds both mentions' spans to `flagged`."""
    values: list[str] = []
    clause_start = 0
    for clause in re.split(r"(?<=[,，。;；])", para):
        origin = re.search(r"[由从]", clause)
        change = _CHANGE.search(clause, origin.end()) if origin else None
        if change:
            before = [m for m in _PERCENT.finditer(clause, origin.end(), change.start())]
            after = [m for m in _PERCENT.finditer(clause, change.end())]
            if before and after and _same(before[-1].group(1), after[0].group(1)) and before[-1].group(2) == after[0].group(2):
                values.append(before[-1].group(1))
                for m in (before[-1], after[0]):
                    flagged.add((offset + clause_start + m.start(), offset + clause_start + m.end()))
        clause_start += len(clause)
    return values


def _same(a: str, b: str) -> bool:
    return float(a) == float(b)
