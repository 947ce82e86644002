"""Tasks and demands (工作要求), grouped by speaker and itemised the way the text itemises them.

Three shapes of this genre, tried in order inside each speaker's block:
1. a numbered label and its items: 做到“三抓”。要抓招商…要抓项目…要抓服务 / 要突出五个比 1.比出…
2. an enumeration: 一要…二要…三要…
3. parallel clauses: 要在…上…(×N), 要增强…(×N), 聚力抓…、促…(×N)
"""

from __future__ import annotations

import re

from huiyi.genre.meetings import SPEECH_MARKERS
from huiyi.genre.numbers import CN_MANY, cn_small_int
from huiyi.genre.outline import ENUMERATION, ITEM_MARKER
from huiyi.genre.proceedings import MEETING_DEMAND, WORK_AHEAD
from huiyi.genre.spans import Span
from huiyi.index.records import Document
from huiyi.summary.models import SpeakerEntry, TaskGroup, TaskItem
from huiyi.summary.patterns import cite, clauses, enclosing, outline, paragraphs, trim
from huiyi.summary.reading import Layout

MAX_GROUPS, MAX_ITEMS, ITEM_CHARS = 30, 20, 40
DEMAND_CHARS = 120  # a demand sentence's item: up to its semicolon, cut at a comma past this
_LABEL = re.compile(
    rf"(?:做到|突出|坚持|实现|抓好|落实|推进|开展|强化|聚焦)“?(?P<label>(?P<n>[{CN_MANY}])个?(?P<tail>[\u4e00-\u9fff]{{1,3}}?))”?"
    r"(?=[。,，;；:：\s]|[0-9X][.．、]|$)"
)
_MARKER = re.compile("^" + ITEM_MARKER)
_INITIAL_BEFORE = set("。;；!?！？\n")
_MARKER_BEFORE = re.compile(ITEM_MARKER + "$")
_AFTER_VERB = re.compile(r"(?:强调|指出|要求|提出)[,，:：]$")
_INLINE_MARKER = re.compile(r"(?<![0-9A-Za-z.．])[0-9X]{1,2}[.．](?=[\u4e00-\u9fff])")


def extract_tasks(doc: Document, sents: list[Span], speakers: list[SpeakerEntry], layout: Layout | None = None) -> list[TaskGroup]:
    if layout is not None and layout.kind == "notice":
        return _notice_requirements(doc, layout)
    lead = _lead(speakers, layout)
    groups: list[TaskGroup] = []
    if layout is not None and layout.kind in ("speech", "report", "communique"):
        groups.extend(_work_ahead(doc, lead))
    blocks = _blocks(doc, speakers, lead)
    if groups and layout is not None and layout.kind == "report":
        # A work report's demands are its work-ahead headings; itemising its whole text again finds only
        # parallel phrasing of the review (and costs a third of the summary's time on a 20,000-character report).
        blocks = [b for b in blocks if b[0].end - b[0].start < len(doc.text)]
    for block, who, demand in blocks:
        found = _itemise(doc, block, who)
        if demand and not found:
            found = _demand_items(doc, block, who)
        groups.extend(found)
        if len(groups) >= MAX_GROUPS:
            break
    return groups[:MAX_GROUPS]


def _lead(speakers: list[SpeakerEntry], layout: Layout | None) -> SpeakerEntry | None:
    """A speech's or a report's own speaker (the first entry when the layout says it is one)."""
    if layout is None or layout.kind not in ("speech", "report") or not speakers:
        return next((s for s in speakers if s.name is None), None)
    first = speakers[0]
    return first if first.act in ("讲话", "作工作报告", "作政府工作报告") else None


def _blocks(doc: Document, speakers: list[SpeakerEntry], lead: SpeakerEntry | None) -> list[tuple[Span, str | None, bool]]:
    """(block, speaker, is a demand): from "某某强调/要求" or "会议要求," to the paragraph's end or the next trigger."""
    text = doc.text
    names = [s.name for s in speakers if s.name]
    triggers: list[tuple[int, str | None, bool]] = []
    if names:
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"(?P<who>{alternatives})(?:同志)?(?:在[^,，。]{{0,8}}中)?(?P<verb>强调|指出|要求|提出)")
        triggers = [(m.start(), m.group("who"), m.group("verb") != "指出") for m in pattern.finditer(text)]
    triggers += [(m.start(), None, True) for m in MEETING_DEMAND.finditer(text)]
    triggers.sort(key=lambda t: t[0])
    if not triggers:
        if lead is not None or SPEECH_MARKERS.search(text[:3000]):
            return [(Span(0, len(text)), (lead.name or lead.role) if lead else None, False)]
        return []
    paras = paragraphs(text)
    out: list[tuple[Span, str | None, bool]] = []
    for i, (pos, who, demand) in enumerate(triggers[: MAX_GROUPS * 2]):
        para = enclosing(paras, pos) or Span(pos, len(text))
        end = min(para.end, triggers[i + 1][0] if i + 1 < len(triggers) else para.end)
        out.append((Span(max(para.start, _sentence_start(text, pos)), end), who, demand))
    return out


def _notice_requirements(doc: Document, layout: Layout) -> list[TaskGroup]:
    """A notice's 有关要求/有关事项 items, one group headed by the heading as written."""
    section = layout.section("requirements")
    if section is None or not section.items:
        return []
    text = doc.text
    heading = _MARKER.sub("", section.heading.text).strip().rstrip(":：")
    items = []
    for span in section.items[:MAX_ITEMS]:
        t = trim(text, span.start, min(span.end, span.start + DEMAND_CHARS))
        end = t.end - 1 if text[t.end - 1] in "。；;" else t.end
        items.append(TaskItem(text=text[t.start:end], citations=[cite(doc, t.start, end)]))
    return [TaskGroup(heading=heading, items=items, citations=[cite(doc, section.heading.start, section.heading.end)])]


def _demand_items(doc: Document, block: Span, who: str | None) -> list[TaskGroup]:
    """"会议要求,…;…;…": each semicolon-delimited demand after the verb is one item."""
    text = doc.text
    m = re.search(r"(?:强调|要求|提出|部署)[,，:：]?", text[block.start:block.end])
    start = block.start + (m.end() if m else 0)
    items = []
    for piece in re.finditer(r"[^;；。!?！？\n]+", text[start:block.end]):
        t = trim(text, start + piece.start(), start + piece.end())
        if t.end - t.start < 4:
            continue
        end = t.end if t.end - t.start <= DEMAND_CHARS else _clause_cut(text, t.start, t.start + DEMAND_CHARS)
        items.append(TaskItem(text=text[t.start:end], citations=[cite(doc, t.start, end)]))
    if not items:
        return []
    return [TaskGroup(speaker=who, items=items[:MAX_ITEMS], citations=[cite(doc, items[0].citations[0].start, items[-1].citations[0].end)])]


def _clause_cut(text: str, start: int, limit: int) -> int:
    cut = max(text.rfind(c, start, limit) for c in ",，、")
    return cut if cut > start + 8 else limit


def _work_ahead(doc: Document, lead: SpeakerEntry | None) -> list[TaskGroup]:
    """The headings of a report's part on the work ahead ("2026年重点工作": (一)…(八)) as one group of items."""
    text = doc.text
    anchor = None
    tops = outline(text)
    for h in tops:
        if WORK_AHEAD.search(h.title):
            anchor = (h.offset, h.level)
    for m in re.finditer(r"(?m)^[^\n，。,]{0,24}(?:" + WORK_AHEAD.pattern + r")[^\n，。,]{0,12}$", text):
        if anchor is None or m.start() > anchor[0]:
            anchor = (m.start(), -1)
    if anchor is None:
        return []
    pos, level = anchor
    line_end = text.find("\n", pos)
    heading = _MARKER.sub("", text[pos:line_end if line_end > 0 else pos + 40]).strip()[:40]
    items: list[TaskItem] = []
    first_level = None
    for h in tops:
        if h.offset <= pos:
            continue
        at = h.offset
        if first_level is None:
            first_level = h.level
        if h.level < first_level:
            break
        if h.level == first_level:
            body = _MARKER.sub("", text[at:at + 80])
            off = at + (len(text[at:at + 80]) - len(body))
            stop = re.search(r"[。！？!?\n]", text[off:off + 80])
            end = off + (stop.start() if stop else min(60, len(body)))
            items.append(TaskItem(text=text[off:end], citations=[cite(doc, off, end)]))
    if len(items) < 2:
        return []
    who = (lead.name or lead.role) if lead else None
    return [TaskGroup(speaker=who, heading=heading, items=items[:MAX_ITEMS],
                      citations=[cite(doc, items[0].citations[0].start, items[-1].citations[0].end)])]


def _sentence_start(text: str, pos: int) -> int:
    lo = max(0, pos - 2000)  # a sentence opener is near; never rescan the whole report
    cut = max(text.rfind(c, lo, pos) for c in "。!?！？\n")
    return cut + 1 if cut >= 0 else lo


def _block_clauses(doc: Document, block: Span) -> list[Span]:
    text, out = doc.text, []
    start = block.start
    for m in re.finditer(r"[。!?！？\n]", text[block.start : block.end]):
        out.extend(clauses(text, Span(start, block.start + m.end())))
        start = block.start + m.end()
    out.extend(clauses(text, Span(start, block.end)))
    return out


def _initial(text: str, c: Span, block: Span) -> bool:
    """True when a clause opens a sentence, follows ";", an outline marker, or "强调,"/"要求:"."""
    mark = _MARKER_BEFORE.search(text, max(block.start, c.start - 4), c.start)
    i = (mark.start() if mark else c.start) - 1
    while i >= block.start and text[i].isspace():
        if text[i] == "\n":
            return True
        i -= 1
    if i < block.start or text[i] in _INITIAL_BEFORE or _MARKER.match(text[c.start : c.end]):
        return True
    return bool(_AFTER_VERB.search(text, max(block.start, i - 4), i + 1))


def _body(text: str, c: Span) -> tuple[int, str]:
    """(offset past any outline marker, clause text from there)."""
    t = text[c.start : c.end]
    m = _MARKER.match(t)
    off = m.end() if m else 0
    return c.start + off, t[off:]


def _item(doc: Document, start: int, end: int) -> TaskItem:
    end = min(end, start + ITEM_CHARS)
    span = trim(doc.text, start, end)
    while span.end > span.start and doc.text[span.end - 1] in "。!?！？":
        span = Span(span.start, span.end - 1)
    return TaskItem(text=doc.text[span.start : span.end], citations=[cite(doc, span.start, span.end)])


def _itemise(doc: Document, block: Span, who: str | None) -> list[TaskGroup]:
    cls = _block_clauses(doc, block)
    used: set[int] = set()
    groups = _labelled(doc, block, cls, who, used) + _enumerated(doc, block, who, used) + _parallel(doc, block, cls, who, used)
    groups.sort(key=lambda g: g.items[0].citations[0].start if g.items else 0)
    return groups


def _labelled(doc: Document, block: Span, cls: list[Span], who: str | None, used: set[int]) -> list[TaskGroup]:
    text, groups = doc.text, []
    labels = list(_LABEL.finditer(text, block.start, block.end))
    for k, m in enumerate(labels):
        limit = labels[k + 1].start() if k + 1 < len(labels) else block.end
        n, tail = cn_small_int(m.group("n")) or 0, m.group("tail")
        items: list[TaskItem] = []
        for start, end in _label_candidates(text, cls, m.end(), limit):
            if len(items) >= n:
                break
            body = text[start:end]
            stripped = body[1:] if body.startswith("要") else body
            right_after = start - m.end() <= 3
            if stripped.startswith(tail) and (right_after or _initial(text, Span(start, end), block)):
                items.append(_item(doc, start, end))
                used.add(start)
        if len(items) < 2:
            continue
        head = next((c for c in cls if c.start <= m.start() < c.end), None)
        hs = head.start if head else m.start()
        prev = [c for c in cls if c.end <= hs and text[c.start : c.start + 1] == "要"]
        if prev and hs - prev[-1].end <= 2:  # "要聚焦“某某”工程,做到“三抓”"
            hs = prev[-1].start
            used.add(prev[-1].start)
        used.update(c.start for c in cls if hs <= c.start <= m.start())
        groups.append(TaskGroup(speaker=who, heading=text[hs : m.end()], items=items[:MAX_ITEMS],
                                citations=[cite(doc, hs, m.end())]))
    return groups


def _label_candidates(text: str, cls: list[Span], lo: int, hi: int) -> list[tuple[int, int]]:
    """Where a label's items may start: clause starts and inline markers ("五个比X.比出…") after it."""
    out = []
    for c in cls:
        if c.end <= lo or c.start >= hi:
            continue
        starts = {max(c.start, lo)} | {m.end() for m in _INLINE_MARKER.finditer(text, max(c.start, lo), c.end)}
        for st in sorted(starts):
            span = trim(text, st, c.end)
            at, _ = _body(text, span)
            out.append((at, c.end))
    return sorted(set(out))


def _enumerated(doc: Document, block: Span, who: str | None, used: set[int]) -> list[TaskGroup]:
    text, groups = doc.text, []
    marks = [(m.start(), cn_small_int(m.group(1)) or 0) for m in ENUMERATION.finditer(text, block.start, block.end)]
    i = 0
    while i < len(marks):
        if marks[i][1] != 1:
            i += 1
            continue
        chain, want = [marks[i][0]], 2
        for pos, n in marks[i + 1 :]:
            if n == want:
                chain.append(pos)
                want += 1
            elif n == 1:
                break
        if len(chain) >= 2:
            items = []
            for pos in chain:
                stop = re.compile(r"[,，。;；!?！？\n]").search(text, pos, block.end)
                items.append(_item(doc, pos, stop.start() if stop else block.end))
                used.add(pos)
            groups.append(TaskGroup(speaker=who, items=items[:MAX_ITEMS], citations=[cite(doc, chain[0], items[-1].citations[0].end)]))
        i += max(1, len(chain))
    return groups


def _parallel(doc: Document, block: Span, cls: list[Span], who: str | None, used: set[int]) -> list[TaskGroup]:
    """Runs of clauses opening alike: all sentence-initial (要在…/要增强…), or consecutive (聚力抓…,聚力抓…)."""
    text = doc.text
    buckets: dict[tuple[int, str], list[tuple[int, Span, bool]]] = {}
    para = 0
    for idx, c in enumerate(cls):
        if idx and "\n" in text[cls[idx - 1].end : c.start]:
            para += 1
        if c.start in used or any(c.start <= u < c.end for u in used):
            continue
        at, body = _body(text, c)
        initial = _initial(text, c, block)
        if body.startswith("要") and (not initial or len(body) < 4):
            continue
        key = body[:2] if body.startswith("要") else body[:3]
        if len(key) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", key):
            buckets.setdefault((para, key), []).append((idx, Span(at, c.end), initial))
    groups = []
    for members in buckets.values():
        consecutive = all(b[0] - a[0] == 1 for a, b in zip(members, members[1:]))
        if len(members) < 3 or not (consecutive or all(m[2] for m in members)):
            continue
        items = [_item(doc, s.start, s.end) for _, s, _ in members[:MAX_ITEMS]]
        groups.append(TaskGroup(speaker=who, items=items, citations=[cite(doc, members[0][1].start, members[-1][1].end)]))
    return groups
