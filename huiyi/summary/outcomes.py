"""What a meeting settled and put forward: decisions (审议通过, 决定, 任免), honours, slogans (ranked, capped)
and key sentences.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from huiyi.genre.proceedings import (
    HONOUR,
    PLAN_NAME,
    SLOGAN_CRITICISM_AFTER,
    SLOGAN_CRITICISM_BEFORE,
    SLOGAN_DESCRIPTIVE_AFTER,
    SLOGAN_NUMERAL,
    SLOGAN_PARALLEL,
    SLOGAN_PROGRAMME_AFTER,
    SLOGAN_PROGRAMME_END,
    SLOGAN_PUT_FORWARD,
)
from huiyi.genre.sentences import split_sentences
from huiyi.genre.spans import Span
from huiyi.index.records import Document
from huiyi.summary.models import Decision, MeetingSummary, TextItem
from huiyi.summary.patterns import cite, cite_span, clauses, split_outside_brackets, trim
from huiyi.summary.reading import Layout, content_start

SLOGAN_CAP = 20
SLOGAN_CAP_LONG = 25  # a report over LONG_REPORT characters (a work report puts forward more)
LONG_REPORT = 12_000
KEY_SENTENCES = 5
_DECISION = (
    ("审议通过", re.compile(
        r"(?:审议(?:并)?(?:原则)?|原则|研究|讨论|表决|会议|全会)通过(?:了)?(?P<obj>[^。;；]+?)(?=[,，](?:宣读|听取|选举|表决|会议|全会)|[。;；:：]|$)")),
    ("听取", re.compile(r"听取(?:并审议|和审议|和讨论)?(?:了)?(?P<obj>[^,，。;；]{2,40}?(?:报告|说明|汇报))")),
    ("选举", re.compile(r"(?:选举产生|选举|补选)(?:了)?(?P<obj>[^,，。;；]{2,40})")),
    ("递补", re.compile(r"(?<![决定])(?P<obj>递补[^,，。;；]{2,40}?为[^,，。;；]{2,20})")),
    ("任免", re.compile(r"(?P<obj>(?:任命|免去)[^,，。;；]{2,40})")),
)
_WHOLE = {"递补", "任免"}  # "递补方某、陶某为县委委员": one decision, not two
_DECIDED = re.compile(r"(?:会议|全会|会上)?(?P<obj>决定[,，:：]?[^。]{4,300})")
_VOTE = re.compile(r"(?:进行了?|举手|投票|无记名投票)表决|表决通过")
_SLOGAN = re.compile(r"“(?P<q>[^“”\n]{2,24})”|「(?P<c>[^「」\n]{2,24})」")
_KEY_WORDS = re.compile(r"强调|指出|要求|部署|审议通过|表决|符合规定人数")


# ---- decisions ------------------------------------------------------------------------------------------
def decisions(doc: Document, sents: list[Span], layout: Layout) -> list[Decision]:
    """Decisions of a meeting; a notice, a speech or a work report decides nothing itself."""
    if layout.kind in ("notice", "speech", "report"):
        return []
    text, out = doc.text, []
    for sent in sents:
        if layout.skipped(sent.start, sent.end):
            continue
        for kind, pattern in _DECISION:
            for m in pattern.finditer(text, sent.start, sent.end):
                base = m.start("obj")
                pieces = [(0, len(m.group("obj")))] if kind in _WHOLE else split_outside_brackets(m.group("obj"))
                for s, e in pieces:
                    t = trim(text, base + s, base + e)
                    if t.end - t.start >= 2:
                        out.append(Decision(kind=kind, text=text[t.start:t.end], citations=[cite(doc, t.start, t.end)]))
        decided = _DECIDED.search(text, sent.start, sent.end)
        if decided:
            t = trim(text, decided.start("obj"), sent.end)
            end = t.end - 1 if text[t.end - 1] in "。；;" else t.end
            out.append(Decision(kind="决定", text=text[t.start:end], citations=[cite(doc, t.start, end)]))
        vote = _VOTE.search(text, sent.start, sent.end)
        if vote:
            out.append(_vote(doc, sent, vote.start(), vote.end()))
    return _dedupe(out)


def _dedupe(items: list[Decision]) -> list[Decision]:
    """One entry per span of text: a 递补 inside a 决定 sentence is kept once, as the longer one."""
    out: list[Decision] = []
    for d in sorted(items, key=lambda d: (d.citations[0].start, -(d.citations[0].end - d.citations[0].start))):
        c = d.citations[0]
        if any(o.citations[0].start <= c.start and c.end <= o.citations[0].end and o.kind == "决定" for o in out):
            continue
        out.append(d)
    return out


def _vote(doc: Document, sent: Span, vs: int, ve: int) -> Decision:
    """"宣读了关于递补…的情况说明,全体委员进行了表决": the vote's object is in the clause before."""
    parts = clauses(doc.text, sent)
    idx = next(i for i, c in enumerate(parts) if c.start <= vs < c.end)
    start = parts[idx - 1].start if idx > 0 and ve - parts[idx].start < 16 else parts[idx].start
    end = parts[idx].end
    return Decision(kind="表决", text=doc.text[start:end], citations=[cite(doc, start, end)])


# ---- honours ------------------------------------------------------------------------------------------------
def honours(doc: Document, sents: list[Span], layout: Layout) -> list[TextItem]:
    text, out = doc.text, []
    for sent in sents:
        if layout.skipped(sent.start, sent.end) or not HONOUR.search(text, sent.start, sent.end):
            continue
        for cl in clauses(text, sent):
            m = HONOUR.search(text, cl.start, cl.end)
            if m:
                lo, hi = max(cl.start, m.start() - 60), min(cl.end, m.end() + 60)
                if _withheld(doc, lo, hi):
                    continue  # "X核桃入选…": an honour whose holder or grade the report withholds states nothing
                out.append(TextItem(text=text[lo:hi], citations=[cite(doc, lo, hi)]))
    return out


def _withheld(doc: Document, start: int, end: int) -> bool:
    return "X" in doc.text[start:end] or any(p.start < end and start < p.end for p in doc.meta.placeholders)


# ---- slogans ------------------------------------------------------------------------------------------------
def slogans(doc: Document, layout: Layout, region: str | None = None) -> list[TextItem]:
    """Quoted formulations the report puts forward, best first, at most SLOGAN_CAP."""
    text = doc.text
    counts: Counter[str] = Counter()
    stem = _region_stem(region)
    first: dict[str, re.Match[str]] = {}
    score: dict[str, int] = {}
    for m in _SLOGAN.finditer(text):
        group = "q" if m.group("q") else "c"
        value = m.group(group).strip()
        if re.search(r"[。!?！？]", value) or not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", value):
            continue
        if layout.skipped(m.start(), m.end()):
            continue
        counts[value] += 1
        s = _slogan_score(text, m, value, stem)
        if value not in first:
            first[value] = m
            score[value] = s
        else:
            score[value] = max(score[value], s)
    ranked = sorted((v for v in first if score[v] + min(counts[v] - 1, 3) > 0),
                    key=lambda v: (-(score[v] + min(counts[v] - 1, 3)), first[v].start()))
    out = []
    for value in ranked[: SLOGAN_CAP_LONG if len(text) > LONG_REPORT else SLOGAN_CAP]:
        m = first[value]
        group = "q" if m.group("q") else "c"
        out.append(TextItem(text=m.group(group), citations=[cite(doc, m.start(group), m.end(group))]))
    return out


def _region_stem(region: str | None) -> str | None:
    if not region:
        return None
    stem = re.sub(r"(?:壮族|回族|维吾尔|藏族)?(?:自治区|自治州|省|市|县|区|镇|乡)$", "", region)
    return stem if len(stem) >= 2 else None


def _balanced(value: str) -> bool:
    """"陇梧可栖、有凤来仪", "营商广西·桂在便利": halves of one length, as slogans are written."""
    halves = [h for h in SLOGAN_PARALLEL.split(value) if h]
    return len(halves) >= 2 and len({len(h) for h in halves}) == 1 and len(halves[0]) >= 3


def _slogan_score(text: str, m: re.Match[str], value: str, stem: str | None = None) -> int:
    before = text[max(0, m.start() - 8):m.start()]
    after = text[m.end():m.end() + 6]
    if SLOGAN_CRITICISM_BEFORE.search(before) or SLOGAN_CRITICISM_AFTER.match(after) or PLAN_NAME.match(value):
        return -10
    score = 1
    numeral = bool(SLOGAN_NUMERAL.search(value))
    put_forward = bool(SLOGAN_PUT_FORWARD.search(before))
    programme = bool(SLOGAN_PROGRAMME_AFTER.match(after)) or bool(SLOGAN_PROGRAMME_END.search(value))
    score += 3 if numeral else 0
    score += 2 if SLOGAN_PARALLEL.search(value) else 0
    score += 2 if put_forward else 0
    score += 1 if programme else 0
    score += 1 if len(value) >= 4 else 0
    score += 2 if _balanced(value) else 0
    score += 2 if stem and stem in value else 0
    score -= 2 if len(value) <= 2 else 0  # "两重", "三化": abbreviations more than formulations
    if SLOGAN_DESCRIPTIVE_AFTER.match(after) and not programme:
        score -= 3  # "“时时放心不下”的高度责任感": a description, not a formulation
    if len(value) <= 3 and not numeral and not put_forward:
        score -= 3  # "拦路虎", "店小二": metaphors
    return score


# ---- key sentences ---------------------------------------------------------------------------------------------
def key_sentences(doc: Document, summary: MeetingSummary, layout: Layout) -> list[TextItem]:
    """Sentences dense in disclosed indicators or carrying 强调/要求, the meeting's opening line; never a title,
    a byline or a dateline."""
    text = doc.text
    ind_starts = sorted(c.start for i in summary.indicators if not i.undisclosed for c in i.citations)
    name_at = summary.name.citations[0].start if summary.name else -1
    scored = []
    for s, e in split_sentences(text):
        s = content_start(text, s, e)
        if not 12 <= e - s <= 300 or "X" in text[s:e] or layout.skipped(s, e):
            continue
        if layout.title is not None and layout.title.start <= s < layout.title.end:
            continue
        score = 2 * (bisect.bisect_left(ind_starts, e) - bisect.bisect_left(ind_starts, s))
        score += 2 * len(_KEY_WORDS.findall(text, s, e)) + (3 if s <= name_at < e else 0)
        if score:
            scored.append((score, Span(s, e)))
    best = sorted(scored, key=lambda p: (-p[0], p[1].start))[:KEY_SENTENCES]
    return [TextItem(text=text[sp.start:sp.end], citations=[cite_span(doc, sp)]) for _, sp in sorted(best, key=lambda p: p[1].start)]
