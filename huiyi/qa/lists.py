"""List questions: "提出了哪些重点任务", "重点抓好哪八个方面的工作", "通知对参会提了哪些要求", "哪些人参会".

Reports set their lists out after a lead ("重点抓好八个方面工作：", "五、有关要求"): as sibling outline headings
((一)…(八), 一要…四要), an enumeration inside one paragraph ("一要…;二要…;三要…"), lines opened by a dash
(——坚持…), or a sentence listing after a colon ("包括：A；B；C"). The answer is the items of the list whose lead
names what the question asks for (哪些要求 → a lead with 要求), matches most of its words, has the count the
question states and sits under no heading of another year — each item cited where it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from huiyi.genre.numbers import CN_COUNT, CN_DIGITS, CN_ORDINAL, cn_small_int
from huiyi.genre.outline import Heading, headings
from huiyi.genre.periods import find_years
from huiyi.genre.places import region_stem
from huiyi.index.records import Document
from huiyi.qa.analysis import QuestionAnalysis
from huiyi.qa.doclevel import DocFact, fact_candidate, pick_document
from huiyi.qa.models import AskResponse
from huiyi.qa.reading import Reading, respond

# "哪些", "哪几", "有哪", "包括哪", "哪八个方面", "哪9个", "哪三个一批": a question after the items of a list.
_ASKS_LIST = re.compile(rf"哪些|哪几|有哪|包括哪|都有哪|哪[“\"]?(?:[{CN_COUNT}]{{1,3}}|\d{{1,2}})(?:个|项|件|条|点|方面|大|类|种|位)")
# The count the question states: "哪八个方面", "15件实事", "六大产业集群", "哪两位".
_COUNT = re.compile(rf"(?<![第\d{CN_COUNT}])([{CN_COUNT}]{{1,3}}|\d{{1,2}})(?:个|项|件|条|点|方面|大|类|种|位)")
# An enumeration inside a paragraph: 一要…;二要… / 一是…;二是… / (一)…;(二)…, each after a clause break.
_INLINE = re.compile(rf"(?:(?<=[：:；;。，,\n])|^)(?:(?P<cn>[{CN_DIGITS}]{{1,2}})(?:是|要)|[（(](?P<par>[{CN_DIGITS}]{{1,2}}|\d{{1,2}})[)）])",
                     re.MULTILINE)
_ITEM_END = re.compile(r"[。；;！？!?\n]")
_DASH = re.compile(r"^\s*(?:——|—|－－)\s*")
_COLON = re.compile(r"(?<=[\u4e00-\u9fff）)”])[：:]")  # not the colon of a time (8:40)
_MARKER = re.compile(rf"^(?:[（(][{CN_DIGITS}\d]{{1,3}}[)）]|{CN_ORDINAL}[、是要]|\d{{1,2}}[.．、])\s*")
_SENTENCE_END = re.compile(r"[。！？!?]")
_LIST_END = re.compile(r"[。！？!?\n]")
_SOFT_END = re.compile(r"[，,：:]")

LEAD_CHARS = 60  # the lead of a list: the end of the sentence just before its first item (and its parent heading)
ITEM_CHARS = 60  # a longer item is cut at its first comma
MIN_SHARE = 0.5  # share of the question's words the lead must hold when the question names no noun
COUNT_BONUS = 0.5  # a list of the stated length


@dataclass(frozen=True)
class ItemList:
    doc_id: str
    lead: str  # the lead text and the parent heading the question is matched against
    items: tuple[tuple[int, int], ...]  # spans of the items in the document
    path: str = ""  # the headings the list sits under (一、2025年工作回顾 …): its years must be the question's


def asks_list(a: QuestionAnalysis) -> bool:
    return bool(_ASKS_LIST.search(a.text))


def stated_count(question: str) -> int | None:
    m = _COUNT.search(question)
    return None if m is None else (int(m.group(1)) if m.group(1).isdigit() else cn_small_int(m.group(1)))


# ---- the lists of a document ---------------------------------------------------------------------------------
def document_lists(doc: Document) -> tuple[ItemList, ...]:
    """Every list of a document: outline runs, enumerations in a paragraph, dash runs, lists after a colon."""
    return _lists(doc.id, doc.text)


@lru_cache(maxsize=64)  # a report is asked about many times; its lists do not change
def _lists(doc_id: str, text: str) -> tuple[ItemList, ...]:
    found = headings(text)
    return (*outline_lists(doc_id, text, found), *inline_lists(doc_id, text, found), *dash_lists(doc_id, text, found),
            *colon_lists(doc_id, text, found))


def outline_lists(doc_id: str, text: str, found: list[Heading]) -> list[ItemList]:
    """Runs of sibling outline headings (same parent, same level), each with the text before it as its lead."""
    runs: dict[tuple[int, int], list[int]] = {}
    parents: list[int] = []  # index of the open heading at each level
    for i, h in enumerate(found):
        parents = parents[:h.level]
        parent = parents[-1] if parents else -1
        runs.setdefault((parent, h.level), []).append(i)
        parents.append(i)
    out = []
    for (parent, _level), members in runs.items():
        if len(members) < 2:
            continue
        first = found[members[0]].offset
        above = found[parent].offset + len(found[parent].title) if parent >= 0 else 0
        lead = (found[parent].title + " " if parent >= 0 else "") + lead_before(text, first, above)
        items = tuple(_item(text, found[i].offset) for i in members)
        out.append(ItemList(doc_id, lead, items, section_path(found, first)))
    return out


def section_path(found: list[Heading], pos: int) -> str:
    """The titles of the headings open at `pos`, outermost first."""
    open_: list[Heading] = []
    for h in found:
        if h.offset >= pos:
            break
        open_ = [*[o for o in open_ if o.level < h.level], h]
    return " ".join(h.title for h in open_)


def inline_lists(doc_id: str, text: str, found: list[Heading]) -> list[ItemList]:
    """Enumerations inside one paragraph (一要…;二要…), with the paragraph's text before the first as the lead."""
    out = []
    for para in re.finditer(r"[^\n]+", text):
        marks = [(m.start(), _ordinal(m)) for m in _INLINE.finditer(para.group(0))]
        run: list[int] = []
        for pos, n in marks:
            if n == 1:
                run = [pos]
            elif run and n == len(run) + 1:
                run.append(pos)
        if len(run) >= 2:
            base = para.start()
            lead = lead_before(text, base + run[0], base)
            items = tuple(_item(text, base + p) for p in run)
            out.append(ItemList(doc_id, lead, items, section_path(found, base)))
    return out


def dash_lists(doc_id: str, text: str, found: list[Heading]) -> list[ItemList]:
    """Runs of lines opened by a dash (——更加注重…), with the text before the first as the lead."""
    out: list[ItemList] = []
    run: list[tuple[int, int]] = []  # (line start, item start)
    for line in [*re.finditer(r"[^\n]+", text), None]:
        dash = _DASH.match(line.group(0)) if line is not None else None
        if line is not None and dash is not None:
            run.append((line.start(), line.start() + dash.end()))
            continue
        if len(run) >= 2:
            lead = lead_before(text, run[0][0], 0)
            items = tuple(_item(text, p) for _, p in run)
            out.append(ItemList(doc_id, lead, items, section_path(found, run[0][0])))
        run = []
    return out


def colon_lists(doc_id: str, text: str, found: list[Heading]) -> list[ItemList]:
    """A sentence that lists after a colon (主要预期目标是：A，B，C；包括：A；B；C), its words before the colon the lead."""
    out = []
    for m in _COLON.finditer(text):
        start = m.end()
        stop = _LIST_END.search(text, start)
        end = stop.start() if stop else len(text)
        for sep, least in (("；;", 2), ("，,", 3), ("、", 3)):
            items = _split(text, start, end, sep)
            if len(items) >= least:
                lead = lead_before(text, m.start(), 0)
                out.append(ItemList(doc_id, lead, tuple(items), section_path(found, m.start())))
                break
    return out


def _split(text: str, start: int, end: int, seps: str) -> list[tuple[int, int]]:
    """Spans of text[start:end] between separators outside quotes and brackets, trimmed, empty ones dropped."""
    out, depth, piece = [], 0, start
    for i in range(start, end + 1):
        ch = text[i] if i < end else seps[0]
        depth += int(ch in "“（(《") - int(ch in "”）)》")
        if ch in seps and depth <= 0:
            s, e = piece, i
            while s < e and text[s] in " \t":
                s += 1
            if e > s:
                out.append((s, e if e - s <= ITEM_CHARS else _item(text, s)[1]))
            piece = i + 1
    return out


def lead_before(text: str, pos: int, floor: int) -> str:
    """What introduces a list starting at `pos`: the last sentence before it (of its own line, or of the line
    above), never before `floor`, at most LEAD_CHARS."""
    before = text[max(floor, pos - LEAD_CHARS):pos].rstrip()
    line = before[before.rfind("\n") + 1:] or before.rstrip("\n")[before.rstrip("\n").rfind("\n") + 1:]
    pieces = [p for p in _SENTENCE_END.split(line) if p.strip()]
    return pieces[-1] if pieces else ""


def _ordinal(m: re.Match[str]) -> int | None:
    written = m.group("cn") or m.group("par")
    return int(written) if written.isdigit() else cn_small_int(written)


def _item(text: str, start: int) -> tuple[int, int]:
    """An item from its marker to the end of its sentence or line; a long one to its first comma."""
    stop = _ITEM_END.search(text, start)
    end = stop.start() if stop else len(text)
    if end - start > ITEM_CHARS:
        soft = _SOFT_END.search(text, start, end)
        end = soft.start() if soft else start + ITEM_CHARS
    return start, end


# ---- which list the question asks for ----------------------------------------------------------------------------
_FILLER = re.compile(rf"^(?:[的了都有里中是要对在]|包括|哪|哪些|哪几|[\d{CN_COUNT}]+[个项件条点大类种位]?|\W+)$")


def asked_noun(question: str) -> str | None:
    """What the list is of: the word after the list word (哪些要求, 哪四个方面), else the one before it (重点工作有哪些,
    15件实事里都有哪些)."""
    import jieba  # lazy: its dictionary loads on first use

    words = jieba.lcut(question)
    at = next((i for i, w in enumerate(words) if w.startswith("哪")), None)
    if at is None:
        return None
    after = next((w for w in words[at + 1:] if not _FILLER.match(w)), None)
    before = next((w for w in reversed(words[:at]) if not _FILLER.match(w)), None)
    noun = after or before
    return noun if noun is not None and len(noun) >= 2 else None  # 哪些人: one character says too little


def fit(a: QuestionAnalysis, found: ItemList, count: int | None, noun: str | None) -> float | None:
    """How well a list answers the question: the share of the question's words in its lead, more for the stated
    count; None when the count differs, or the lead does not name what the list is of."""
    if count is not None and count != len(found.items):
        return None
    years = set(find_years(found.path + " " + found.lead))
    if a.years and years and not years & set(a.years):
        return None  # 2026年的民生实事 are not the 2025 review's
    if noun is not None and noun not in found.lead:
        return None
    words = [w for w in a.keywords if not any(w in r or region_stem(r) in w for r in a.regions)]
    share = sum(w in found.lead for w in words) / len(words) if words else 0.0
    if noun is None and share < MIN_SHARE:
        return None
    return share + (COUNT_BONUS if count is not None else 0.0)


def _documents(reading: Reading, a: QuestionAnalysis) -> list[str]:
    """The scoped documents, else the one the question's place, meeting or wording points to (none when it names a
    place or meeting no document is about), else the retrieved ones."""
    filters = reading.prepared.filters
    if filters is not None and filters.doc_ids:
        return list(filters.doc_ids)
    pointed = pick_document(reading, a)
    if pointed is not None:
        return [pointed]
    return [] if a.regions or a.meetings or a.unknown_names else list(dict.fromkeys(h.doc_id for h in reading.hits))


def best_list(reading: Reading, a: QuestionAnalysis) -> ItemList | None:
    count, noun = stated_count(a.text), asked_noun(a.text)
    best: tuple[float, ItemList] | None = None
    for doc_id in _documents(reading, a):
        doc = reading.document(doc_id)
        for found in document_lists(doc):
            score = fit(a, found, count, noun)
            if score is not None and (best is None or score > best[0]):
                best = (score, found)
    return best[1] if best else None


def answer_list(reading: Reading) -> AskResponse | None:
    """The items of the list the question names, each cited; None when no list's lead matches the question."""
    a = reading.analysis
    if not asks_list(a) or a.parts:
        return None
    found = best_list(reading, a)
    if found is None:
        return None
    text = reading.document(found.doc_id).text
    items = [_MARKER.sub("", text[s:e].strip()) for s, e in found.items]  # the order is the answer's own
    pick = fact_candidate(reading, DocFact(found.doc_id, ";".join(items) + "。", found.items, "list"))
    return respond(reading, [a], [pick])
