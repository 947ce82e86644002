"""Meetings as the genre names them: meeting nouns, kinds of meeting, plenum numbering (十四届四次全会).

The one home of meeting vocabulary; the metadata stage, the answerer and the summariser all read it.
"""

from __future__ import annotations

import re

from huiyi.genre.numbers import CN_ORDINAL, cn_small_int

# Longer nouns first where one contains another, so a name ends at its whole noun.
MEETING_NOUN = (
    r"(?:全体会议|全会|常委会(?:会议|扩大会议)?|常务会议|经济运行分析会(?:议)?|代表大会|分析会(?:议)?|讲评会|例会|碰头会"
    r"|座谈会|推进会(?:议)?|调度会(?:议)?|部署会|动员会|务虚会|总结会|汇报会|表彰会|专题会|工作会议|会议|大会|集体学习)"
)
# After a period word these make it a meeting's name ("三季度例会"), not the period of a figure.
MEETING_NOUN_SHORT = r"(?:例会|会议|碰头会|座谈会|调度会|讲评会|推进会|动员会|工作会)"

# Ordered by how specific the word is; the earliest match in a title wins.
MEETING_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((label, re.compile(pattern)) for label, pattern in (
    ("全会", r"全体会议|全会|全委会"),
    ("常委会", r"常委会(?:会议|扩大会议)?|常务委员会"),
    ("党委会议", r"党(?:工)?委(?:（扩大）|\(扩大\)|扩大)?会议?"),
    ("集体学习", r"(?:中心组)?集体学习|中心组学习"),
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
    ("工作会议", r"工作会议?"),
))
# A speech, not a news release: 同志们, 下面我讲三点意见.
SPEECH_MARKERS = re.compile(r"同志们|下面[,，]?我(?:讲|谈|再强调)|谈[几一两三]点|讲[几一两三四五]点")
REVIEW_WORDS = re.compile(r"过去的一年|回首过去|年终总结|工作总结|交出[^。]{0,8}答卷")
QUORUM = re.compile(r"符合(?:规定|法定)人数|达到(?:规定|法定)人数|超过(?:应到会?人数的)?半数")

# 十四届四次全会 / 第十四届委员会第四次全体会议 / 五届四次
PLENUM_RE = re.compile(
    rf"(?:第)?(?P<session>{CN_ORDINAL})届(?:委员会|人大常委会|人大|人民代表大会|政协)?(?:第)?(?P<plenary>{CN_ORDINAL})次"
    r"(?:全体会议|全会|会议)?"
)
# 县政府第38次常务会议, 第二十六次主任会议, 第五次集体学习: a standing body's meetings, numbered.
ORDINAL_MEETING_RE = re.compile(
    r"第(?P<n>[\d一二三四五六七八九十百零〇]{1,6})次(?P<kind>常务会议|主任会议|党组会议|党组会|集体学习)"
)


def find_ordinal_meetings(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, number, start, end) for every numbered meeting in `text`; the number in digits (三十七 → 37)."""
    out = []
    for m in ORDINAL_MEETING_RE.finditer(text):
        n = m.group("n")
        value = int(n) if n.isdigit() else cn_small_int(n)
        if value is not None:
            out.append((m.group("kind"), str(value), m.start(), m.end()))
    return out
# "…第十四届…" right after a place: the text treats the place as a governed body.
SESSION_START = re.compile(r"第[一二三四五六七八九十百\d]+届")


def meeting_type(*texts: str) -> str | None:
    """The kind of meeting the first text naming one names (title first, then the meeting's name)."""
    for where in texts:
        hits = []
        for label, pattern in MEETING_TYPES:
            m = pattern.search(where or "")
            if m:
                hits.append((m.start(), -len(m.group()), label))
        if hits:
            return min(hits)[2]
    return None


def find_plenums(text: str) -> list[tuple[str, str, int, int]]:
    """(届, 次, start, end) for every plenum named in `text`."""
    return [(m.group("session"), m.group("plenary"), m.start(), m.end()) for m in PLENUM_RE.finditer(text)]
