"""Places: the named counties, districts and cities of a text (衡东县, 雁峰区) and the region a report is about."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from huiyi.genre.meetings import SESSION_START
from huiyi.genre.tagger import pos_tags

# Characters that never sit inside a place name in a question (全县, 我县, 谁是县长, 哪个区 …).
_NOT_IN_NAME = set("的是在了和与及对为把被从向到个各全本该我这那哪谁什么多少几年月日季度上下半同比县区市镇乡委书记长会") | set(
    "0123456789")
_SUFFIX_RE = re.compile(r"[省市县区镇乡]")
_PLACE_FLAGS = ("ns", "nr", "nz", "j", "x", "eng", "nt")

# Region: a place name (tagged "ns") ending in 县/区/市/旗/州, or a place stem followed by
# 县委/区政府/市委书记…; ranked by whether the text treats it as a government, then frequency.
_REGION_SUFFIX = "县区市旗州"
REGION_SCAN_CHARS = 20_000
_NOT_REGION = re.compile(r"^[各全我本该每]|(?:城市|城区|新区|社区|园区|景区|小区)$")
_GOVERNANCE = re.compile(r"^(?:委|人民政府|政府|人大|政协|纪委|融媒|召开|" + SESSION_START.pattern + ")")


def find_regions(text: str) -> list[tuple[str, int, int]]:
    """Named places (衡东县, 雁峰区) with spans; generic ones (全县, 我县, 各县区) and verbs (实施省) are skipped."""
    return list(_find_regions(text))


@lru_cache(maxsize=512)  # questions repeat; documents carry theirs from ingest
def _find_regions(text: str) -> tuple[tuple[str, int, int], ...]:
    starts: dict[int, str] = {}
    pos = 0
    for word, tag in pos_tags(text):
        starts[pos] = tag
        pos += len(word)
    out = []
    for m in _SUFFIX_RE.finditer(text):
        end = m.start()
        run = 0
        while run < 4 and end - run - 1 >= 0 and "\u4e00" <= text[end - run - 1] <= "\u9fff" \
                and text[end - run - 1] not in _NOT_IN_NAME:
            run += 1
        # Longest name whose first character starts a token tagged as a name (ns/nr/…).
        for length in range(run, 1, -1):
            flag = starts.get(end - length)
            # 石鼓区委: a common noun before 区委/县委 is still a place (the tagger reads 石鼓 as a drum)
            party = text.startswith("委", m.end()) and flag == "n"
            if flag is not None and (flag.startswith(_PLACE_FLAGS) or party):
                out.append((text[end - length:m.end()], end - length, m.end()))
                break
    return tuple(out)


_AUTONOMOUS = re.compile(r"^(?P<stem>[\u4e00-\u9fff]{2,3}?)(?:[\u4e00-\u9fff]{1,3}族|维吾尔)*自治(?:区|州|县|旗)$")
_ADMIN_SUFFIX = re.compile(r"(?:特别行政区|省|市|县|区|旗|州|盟|镇|乡|街道)$")


def region_stem(region: str) -> str:
    """衡东县 -> 衡东, 广西壮族自治区 -> 广西: reports write 衡东融媒, 衡东经济开发区, 大美衡东, 全区 for 广西."""
    autonomous = _AUTONOMOUS.match(region)
    stem = autonomous.group("stem") if autonomous else _ADMIN_SUFFIX.sub("", region)
    return stem if len(stem) >= 2 else region


HEAD_LINES = 3  # a report names its own region in its title or occasion line
_ADMIN_END = re.compile(r"(?:自治区|自治州|自治县|省|市|县|区|旗|州)$")
_PARTY = re.compile(r"^(?:中共|中国共产党)")
_GOVERNMENT = re.compile(r"(?:人民政府|政府|委员会|党委|人大常委会|政协)$")


def head_region(text: str) -> str | None:
    """The region named in a report's first lines (2026年某省政府工作报告, ——…在某省…会议上, 某县召开…)."""
    from huiyi.genre.entities import entities

    for line in text.strip().split("\n")[:HEAD_LINES]:
        if len(line) > 80 or re.search(r"[。！？!?；;]", line):
            continue  # a sentence of the body, where other places appear in comparisons (高于衡阳市)
        for span in entities(line[:120], ("LOC", "ORG")):
            name = _PARTY.sub("", _GOVERNMENT.sub("", span.text))
            if len(name) >= 2 and _ADMIN_END.search(name) and not _NOT_REGION.search(name):
                return name
        found = find_regions(line[:120])
        if found:
            return _PARTY.sub("", found[0][0])
    return None


def find_region(text: str) -> str | None:
    """The county/district/city a report is about; None when it only says 我县/全县."""
    head = head_region(text)
    if head is not None:
        return head
    counts: Counter[str] = Counter()
    governed: set[str] = set()
    first: dict[str, int] = {}
    # The report names its region early; tagging a whole book-length text would cost seconds. Names the
    # word tagger misses (白沙县委 read as one word) come from the suffixed-name finder.
    head = text[:REGION_SCAN_CHARS]
    found = {end: name for name, end in _place_names(head)}
    found.update({end: name for name, _start, end in find_regions(head) if end not in found})
    for end in sorted(found):
        name = found[end]
        counts[name] += 1
        first.setdefault(name, end)
        if _GOVERNANCE.match(text[end : end + 8]):
            governed.add(name)
    # The most often governed name; on a tie the one named first (a release opens with its own county).
    ranked = sorted(governed, key=lambda n: (-counts[n], first[n]))
    return ranked[0] if ranked else None


def _place_names(text: str) -> list[tuple[str, int]]:
    """(县/区/市 name, end offset) for every administrative name the tagger recognises in `text`."""
    tokens = pos_tags(text)
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


_GENERIC_PLACE = re.compile(r"^[全各本我该这那此每]|[全各本我该][省市县区州镇乡村]|^(?:中国|国家|国内|国外|境内|境外|海外|城乡|农村|城镇|基层)$")


def named_places(text: str) -> list[tuple[str, int, int]]:
    """Places a question names, with spans: 衡东县-style names and the lexical model's place entities, which also
    catch names written without 省/市/县 ("甘肃、重庆和广西", "白沙和松岭"); where both read a place, the
    suffixed name wins. A count run into a name is cut off ("浙江三省", "白云三县" are 浙江, 白云)."""
    from huiyi.genre.entities import entities

    suffixed = [r for r in (_uncounted(*r) for r in find_regions(text)) if r is not None]
    tagged = []
    for e in entities(text, ("LOC", "ORG")):
        # "云南作政府", "湖北作政府" (tagged a place or an organisation): the tagger ran a place into the next
        # words; the words before the verb are a place when the tagger reads them as one on their own.
        run_on = _RUN_ON.match(e.text)
        if run_on is not None:
            if not entities(run_on.group(1), ("LOC",)):
                continue
            name = run_on.group(1)
        elif e.kind == "place":
            name = e.text
        else:
            continue
        found = _uncounted(name, e.start, e.end)
        if found is not None and _CHINESE_NAME.fullmatch(found[0]) and not _GENERIC_PLACE.search(found[0]):
            tagged.append(found)  # a romanised name (Yanfeng) is the English reading's (huiyi.genre.english)
    out = list(suffixed)
    out += [t for t in tagged if not any(t[1] < r[2] and r[1] < t[2] for r in suffixed)]
    return sorted(out, key=lambda r: r[1])


def _uncounted(name: str, start: int, _end: int) -> tuple[str, int, int] | None:
    """The name without a count run into it (a name that is all count and suffix, 二七区, stays), with its span;
    None for a one-character name."""
    cut = _COUNTED.sub("", name)
    name = cut if len(cut) >= 2 else name
    return (name, start, start + len(name)) if len(name) >= 2 else None


_CHINESE_NAME = re.compile(r"[\u4e00-\u9fff]{2,8}")
_RUN_ON = re.compile(r"^([\u4e00-\u9fff]{2,}?)[作在是的为向对把被将]")
_COUNTED = re.compile(r"[两二三四五六七八九十\d]+个?[省市县区州地]$")
