"""Candidate sentences from retrieved chunks, their evidence checks and scores, and the answer span.

A candidate is rejected outright (not merely scored low) when it contradicts the question: another
place, another period or year, a missing indicator, a missing role, or no span of the asked type.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from huiyi.index.records import Document, SearchHit
from huiyi.genre import vocabulary as lexicon
from huiyi.genre.people import person_name, person_title, persons
from huiyi.qa import spans
from huiyi.genre.meetings import PLENUM_RE
from huiyi.genre.numbers import CN_DIGITS, cn_small_int
from huiyi.genre.periods import Period, find_periods, find_years
from huiyi.genre.places import region_stem
from huiyi.qa.analysis import QuestionAnalysis, content_text

QUOTE_MAX_CHARS = 260  # a cited sentence plus the clause that carries its period


@dataclass
class DocInfo:
    """What the answerer needs to know about one document beyond the sentence."""

    doc_id: str
    title: str
    text: str
    regions: set[str]  # stems of the places the document is about (衡东, 雁峰)
    years: set[int]  # years the document reports on
    placeholders: list[tuple[int, int]]  # spans the report gives as placeholders (X-values, template repeats)
    sentences: list[tuple[int, int]]
    meetings: set[tuple[str, str]] = field(default_factory=set)  # (届, 次) named in the title or opening


@dataclass
class Sentence:
    doc: DocInfo
    chunk_id: str
    start: int
    end: int
    rank: int  # best rank of a hit that holds it (0 = top)
    ctx_start: int  # start of the enclosing 。-sentence: a period written before a ; still governs

    @property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]

    @property
    def context(self) -> str:
        return self.doc.text[self.ctx_start:self.end]


@dataclass
class Candidate:
    sentence: Sentence
    score: float
    answer: str
    kind: str  # number | person | org | place | date | list | slogan | clause | placeholder
    quote_start: int
    quote_end: int
    placeholder: bool = False
    features: dict[str, float] = field(default_factory=dict)
    extra_quotes: list[tuple[int, int]] = field(default_factory=list)  # further sentences an answer lists


# --- documents and sentences ------------------------------------------------------------------

def doc_info(doc: Document) -> DocInfo:
    """What the answerer reads of a document: its stored facts (huiyi.index.facts), never recomputed here."""
    facts = doc.facts
    if facts is None:
        raise ValueError(f"document {doc.id} has no facts; read documents through huiyi.index.corpus.Corpus")
    return DocInfo(doc.id, doc.meta.title, doc.text, set(facts.regions), set(facts.years),
                   [(p.start, p.end) for p in doc.meta.placeholders], facts.sentences, set(facts.plenums))


EXPAND_SENTENCES = 40  # sentences taken from outside the retrieved chunks, best keyword match first


def candidate_sentences(hits: list[SearchHit], docs: dict[str, DocInfo],
                        analysis: QuestionAnalysis | None = None) -> list[Sentence]:
    """Sentences of the retrieved chunks, plus (given the question) the best-matching other sentences of the
    same documents: a chunk boundary or a missed chunk should not hide the sentence right next to a hit."""
    seen: dict[tuple[str, int], Sentence] = {}
    for rank, hit in enumerate(hits):
        doc = docs[hit.doc_id]
        for s, e in doc.sentences:
            if e <= hit.start or s >= hit.end or (hit.doc_id, s) in seen:
                continue
            seen[(hit.doc_id, s)] = Sentence(doc, hit.chunk_id, s, e, rank, _context_start(doc.text, s))
    if analysis is None:
        return list(seen.values())
    chunk_of = {h.doc_id: h.chunk_id for h in reversed(hits)}
    extra = []
    for doc_id, doc in docs.items():
        for s, e in doc.sentences:
            if (doc_id, s) not in seen:
                sent = Sentence(doc, chunk_of[doc_id], s, e, len(hits), _context_start(doc.text, s))
                fit = lexical_fit(analysis, sent.context) + bigram_fit(analysis, sent.context)
                if analysis.indicators:  # a paraphrased question still names the indicator through a synonym
                    fit += 0.5 * indicator_fit(analysis, sent.context)[0]
                extra.append((fit, sent))
    extra.sort(key=lambda x: -x[0])
    return list(seen.values()) + [sent for fit, sent in extra[:EXPAND_SENTENCES] if fit > 0.3]


def _context_start(text: str, start: int) -> int:
    for i in range(start - 1, max(-1, start - 200), -1):
        if text[i] in "。!?!?\n":
            return i + 1
    return start


# --- checks -----------------------------------------------------------------------------------

def _governing_period(context: str, before: int) -> Period | None:
    """The period a clause reports on: the last topic period (上半年, / 1-5月份,) before `before`."""
    found = [(p, s, e) for p, s, e in find_periods(context) if s < before]
    topic = [p for p, s, e in found if re.match(r"\s*(?:份)?\s*[,,]", context[e:e + 3])]
    if topic:
        return topic[-1]
    return found[-1][0] if found else None


def period_fit(a: QuestionAnalysis, context: str, pos: int) -> float | None:
    """1 when the asked period governs the clause, 0.5 when none is written, None on a conflict."""
    if not a.periods:
        return 1.0
    asked = a.periods[0].months
    gov = _governing_period(context, pos)
    if gov is None:
        return 0.3
    return 1.0 if gov.months == asked else None


def year_fit(a: QuestionAnalysis, sent: Sentence) -> bool:
    if not a.years:
        return True
    written = set(find_years(sent.context))
    if written:
        return bool(written & set(a.years))
    if sent.doc.years:
        return bool(sent.doc.years & set(a.years))
    return any(str(y) in sent.doc.text for y in a.years)


def region_fit(a: QuestionAnalysis, sent: Sentence) -> bool:
    para = _paragraph(sent)
    for region in a.regions:
        stem = region_stem(region)
        if stem not in para and stem not in sent.doc.regions and stem not in sent.doc.title:
            return False
    return True


def meeting_fit(a: QuestionAnalysis, sent: Sentence) -> bool:
    """A plenum the question names (十四届四次全会) must be the document's, when the document names one."""
    if not a.meetings or not sent.doc.meetings:
        return True
    return bool(set(a.meetings) & sent.doc.meetings)


def _paragraph(sent: Sentence) -> str:
    text = sent.doc.text
    start = text.rfind("\n", 0, sent.start) + 1
    return text[start:sent.end]


def indicator_fit(a: QuestionAnalysis, context: str) -> tuple[float, int]:
    """(fit, position of the best indicator term in context); fit 0 when the asked indicator is absent."""
    if not a.indicators:
        return 1.0, -1
    best, pos = 0.0, -1
    for key, _term, s, _e in lexicon.find_indicators(context):
        fit = max(lexicon.indicator_fit(asked, key) for asked in a.indicators)
        if fit > best:
            best, pos = fit, s
    return best, pos


def _content_words(a: QuestionAnalysis) -> tuple[str, ...]:
    """Keywords that must be in the evidence itself: places, periods, years and plenums are checked apart."""
    return _words(a.text, a.keywords, a.regions, tuple(p.text for p in a.periods), a.years, a.titles)


@lru_cache(maxsize=1024)
def _words(text, keywords, regions, periods, years, titles) -> tuple[str, ...]:
    skip = [region_stem(r) for r in regions] + list(periods) + [str(y) for y in years]
    skip += [m.group(0) for m in PLENUM_RE.finditer(text)]
    words = [w.lower() for w in keywords if not any(w in s or s in w for s in skip)]
    words += [t for t in titles if t not in words]
    return tuple(words)


def lexical_fit(a: QuestionAnalysis, text: str) -> float:
    """Share of the question's content (weighted by length) that the text contains."""
    words = _content_words(a)
    if not words:
        return 0.5
    lowered = text.lower()
    return sum(len(w) for w in words if w in lowered) / sum(len(w) for w in words)


@lru_cache(maxsize=1024)
def _question_grams(question: str) -> frozenset[str]:
    content = re.sub(r"\s+", "", content_text(PLENUM_RE.sub(" ", question)))
    return frozenset(content[i:i + 2] for i in range(len(content) - 1))


def bigram_fit(a: QuestionAnalysis, text: str) -> float:
    """Character-bigram recall of the question content: robust to segmentation and paraphrase order."""
    grams = _question_grams(a.text)
    if not grams:
        return 0.0
    return sum(g in text for g in grams) / len(grams)


# --- numbers ----------------------------------------------------------------------------------

def _unit_of(m) -> str:
    return m.value.unit if m.value is not None else getattr(m, "unit", "")


def _unit_ok(want: str | None, m) -> bool:
    if getattr(m, "kind", "quantity") == "date":
        return False
    unit = _unit_of(m)
    if want is None:
        return True
    if want == "位":
        return getattr(m, "kind", "") == "rank" or unit in ("位", "倒数位")
    if want == "元":
        return unit.endswith("元")
    if want == "个":  # 多少个 counts projects, problems, units: any count unit will do
        return unit in ("个", "项", "家", "件", "所", "座", "处", "条")
    return unit == want


def _is_placeholder(m, sent: Sentence) -> bool:
    if m.placeholder:
        return True
    s, e = sent.ctx_start + m.start, sent.ctx_start + m.end
    return any(ps < e and s < pe for ps, pe in sent.doc.placeholders)


def _indicator_before(terms, pos: int):
    before = [t for t in terms if t[2] <= pos]
    return before[-1] if before else None


_CHANGE_BEFORE = re.compile(r"(?:增长|增加|增速|增幅|提高|提升|上升|下降|减少|回落|降低|高于|低于|同比)[^,,;;。]{0,8}$")
_SCOPE_BEFORE = re.compile(r"(全国|全省|全市|全县|全区|五城区|[省市县区]内)[^,,;;。]{0,4}$")


def _is_change(ctx: str, m) -> bool:
    return _unit_of(m) in ("%", "个百分点") or bool(_CHANGE_BEFORE.search(ctx[max(0, m.start - 12):m.start]))


def _scope_ok(a: QuestionAnalysis, ctx: str, m) -> bool:
    """排名全市第二 answers 在全市排第几, never 在全省排第几."""
    if a.unit != "位" or a.scope is None:
        return True
    found = _SCOPE_BEFORE.search(ctx[max(0, m.start - 8):m.start])
    return found is None or found.group(1) == a.scope


def _window(ctx: str, mentions, i: int) -> str:
    """The text a number belongs to: back to the previous number of its kind, and a few characters on
    (紧盯第一批84个重点项目 … 未开工的6个省市重点项目)."""
    m = mentions[i]
    cs, ce = _clause_bounds(ctx, m.start)
    left = max([cs] + [x.end for x in mentions[:i] if x.end <= m.start and _unit_of(x) == _unit_of(m)])
    return ctx[left:min(ce, m.end + 6)]


def number_span(a: QuestionAnalysis, sent: Sentence):
    """(mention, indicator term or None, local fit) for the value the question asks, or None."""
    from huiyi.genre.numbers import extract_numbers

    ctx, rel = sent.context, sent.start - sent.ctx_start
    every = [m for m in extract_numbers(ctx) if getattr(m, "kind", "") != "date"]
    terms = lexicon.find_indicators(ctx)
    best = None
    for i, m in enumerate(every):
        if m.start < rel or not _unit_ok(a.unit, m) or not _scope_ok(a, ctx, m):
            continue
        if a.change and a.unit is None and not _is_change(ctx, m):
            continue
        if period_fit(a, ctx, m.start) is None:  # 由上半年的1%下降至前三季度的1%: take the asked period's
            continue
        term = _indicator_before(terms, m.start)
        local = clause_fit(a, _window(ctx, every, i))
        if not a.indicators and local <= 0:
            continue  # a count with no word of the question around it (应到30人 for 新增就业多少人)
        if a.indicators:
            # the asked indicator must govern the number: it is the nearest indicator before it
            if term is None or max(lexicon.indicator_fit(k, term[0]) for k in a.indicators) == 0:
                continue
            local -= 0.01 * (m.start - term[3])
        if best is None or local > best[2]:
            best = (m, term, local)
    return best


def _clause_around(text: str, pos: int) -> str:
    for s, e in spans.clauses(text):
        if s <= pos < e:
            return text[s:e]
    return text


def clause_fit(a: QuestionAnalysis, text: str) -> float:
    return lexical_fit(a, text) + bigram_fit(a, text)


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    for s, e in spans.clauses(text):
        if s <= pos < e:
            return s, e
    return 0, len(text)


def number_answer(sent: Sentence, m, term) -> tuple[str, int]:
    """A short sentence that repeats only what the quote says; returns (answer, leftmost ctx offset used)."""
    ctx = sent.context
    cs, ce = _clause_bounds(ctx, m.start)
    body, left = ctx[cs:m.end].strip(), cs
    if term is not None and not (cs <= term[2] < ce):
        body, left = term[1] + body, term[2]
    elif term is None and len(body) < 8:
        ps, _ = _clause_bounds(ctx, max(cs - 2, 0))
        body, left = ctx[ps:m.end].strip(), ps
    gov = [(p, s) for p, s, e in find_periods(ctx) if s < m.start]
    topic = _governing_period(ctx, m.start)
    if topic is not None and topic.text not in body:
        s = max(s for p, s in gov if p.text == topic.text)
        body, left = f"{topic.text},{body}", min(left, s)
    return body.rstrip(",,;;、") + "。", left


# --- other span types -------------------------------------------------------------------------

def _title_matches(asked: str, title: str) -> bool:
    for part in re.split(r"[、,]", title):
        if part == asked or (part.endswith(asked) and not part[: -len(asked)].endswith("副")):
            return True
    return False


def _best_span(a: QuestionAnalysis, text: str, found: list[spans.Span]) -> spans.Span | None:
    """The span whose predicate best matches the question; earliest on ties."""
    if not found:
        return None
    return max(found, key=lambda sp: (clause_fit(a, _near(text, sp.start, sp.end)), -sp.start))


def person_span(a: QuestionAnalysis, text: str) -> spans.Span | None:
    people = persons(text)
    if a.titles:
        people = [p for p in people if any(_title_matches(t, person_title(p)) for t in a.titles)]
        if not people:
            return None
    else:
        people = [p for p in people if person_title(p)] or people
    if not people:
        return _best_span(a, text, spans.organisations(text))
    return _best_span(a, text, people)


def list_span(a: QuestionAnalysis, text: str) -> spans.Span | None:
    found = spans.slogans(text) if a.slogan else []
    if not found:
        found = spans.slogans(text) if a.qtype == "which" else spans.enumerations(text) + spans.slogans(text)
    return _best_span(a, text, found)


def clause_span(a: QuestionAnalysis, text: str, max_chars: int = 90) -> spans.Span:
    """The sentence when short; else the best clause and the one after it."""
    stripped = text.strip()
    if len(stripped) <= max_chars:
        s = text.find(stripped)
        return spans.Span(s, s + len(stripped), stripped, "clause")
    bounds = spans.clauses(text)
    i = max(range(len(bounds)), key=lambda k: (clause_fit(a, text[bounds[k][0]:bounds[k][1]]), -k))
    s, e = bounds[i][0], bounds[min(i + 1, len(bounds) - 1)][1]
    if e - s > max_chars:
        e = bounds[i][1]
    return spans.Span(s, e, text[s:e], "clause")


_NEGATION = re.compile(r"未|没有|不够|尚未|不足|滞后|下降|回落|差距")


_ROLE_Q = re.compile(r"职务|职位|担任什么|什么身份|什么职")
_COUNTED_SLOGAN = re.compile(rf"“?([{CN_DIGITS}两])([\u4e00-\u9fff])”?")


def _para_bounds(text: str, start: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", start)
    return s, (len(text) if e < 0 else e)


def _sentence_of(doc: DocInfo, pos: int) -> tuple[int, int] | None:
    return next(((s, e) for s, e in doc.sentences if s <= pos < e), None)


def counted_items(a: QuestionAnalysis, sent: Sentence):
    """“三攻” → the three clauses after it that start with 攻 (要攻产业项目 …), each with its sentence."""
    text = sent.text
    for m in _COUNTED_SLOGAN.finditer(a.text):
        token = m.group(1) + m.group(2)
        if f"“{token}”" not in text:
            continue
        count = cn_small_int(m.group(1)) or 1
        doc = sent.doc
        _, para_end = _para_bounds(doc.text, sent.start)
        tail = doc.text[sent.end:min(para_end, sent.end + 800)]
        for opener in (r"(?:(?<=[;;。])|^)", r"(?:(?<=[,,;;。])|^)"):  # sentence starts first, then clauses
            items = [(sent.end + x.start(), sent.end + x.end())
                     for x in re.finditer(rf"{opener}要?{m.group(2)}[^,,;;。]{{1,20}}", tail)][:count]
            if len(items) >= min(count, 2):
                return token, items
    return None


def _siblings(sent: Sentence, sp: spans.Span) -> list[tuple[int, int]]:
    """Other slogans of the same frame in the paragraph: 聚焦“衣领子”工程 … 聚焦“牛鼻子”工程."""
    text, abs_start = sent.doc.text, sent.start + sp.start
    left, right = text[max(0, abs_start - 2):abs_start], text[abs_start + len(sp.text):abs_start + len(sp.text) + 2]
    if len(left) < 2 or len(right) < 2 or not sp.text.startswith("“"):
        return []
    ps, pe = _para_bounds(text, sent.start)
    pattern = re.escape(left) + r"(“[^“”]{1,12}”)" + re.escape(right)
    return [(ps + x.start(1), ps + x.end(1)) for x in re.finditer(pattern, text[ps:pe])]


def _list_answer(sent: Sentence, items: list[tuple[int, int]], prefix: str = ""):
    text = sent.doc.text
    quotes = []
    for s, _e in items:
        span = _sentence_of(sent.doc, s)
        if span and span != (sent.start, sent.end) and span not in quotes:
            quotes.append(span)
    body = ";".join(text[s:e] for s, e in items) if prefix else "、".join(text[s:e] for s, e in items)
    return f"{prefix}{body}。", quotes


def typed_span(a: QuestionAnalysis, sent: Sentence):
    """(answer, kind, start, end, extra quotes) for non-numeric types; start/end relative to the sentence."""
    text = sent.text
    counted = counted_items(a, sent)
    if counted is not None:
        token, items = counted
        answer, quotes = _list_answer(sent, items, f"“{token}”:")
        at = text.find(f"“{token}”")
        return answer, "list", at, at + len(token) + 2, quotes
    if _ROLE_Q.search(a.text):
        for p in persons(text):
            if person_name(p) in a.text and person_title(p):
                return person_title(p), "title", p.start, p.end, []
        return None
    if a.qtype == "who":
        sp = person_span(a, text)
        if sp is not None and "哪些" in a.text:
            lists = [e for e in spans.enumerations(text) if e.start <= sp.start < e.end or sp.start <= e.start < sp.end]
            sp = lists[0] if lists else sp
        return (sp.text, sp.kind, sp.start, sp.end, []) if sp else None
    if a.qtype == "when":
        sp = _best_span(a, text, spans.dates(text))
        return (sp.text, "date", sp.start, sp.end, []) if sp else None
    if a.qtype == "where":
        sp = _best_span(a, text, spans.places(text))
        return (sp.text, "place", sp.start, sp.end, []) if sp else None
    if a.qtype in ("list", "which") or a.slogan:
        sp = list_span(a, text)
        if sp is not None:
            sibs = _siblings(sent, sp) if sp.kind == "slogan" else []
            if len(sibs) >= 2:
                answer, quotes = _list_answer(sent, sibs)
                return answer, "list", sp.start, sp.end, quotes
            return sp.text, sp.kind, sp.start, sp.end, []
    if a.qtype == "list" and sent.ctx_start < sent.start and sent.end - sent.ctx_start <= QUOTE_MAX_CHARS:
        # 甲;乙;丙列席会议: the list is the whole 。-sentence, split at its semicolons
        whole = sent.context
        return whole.rstrip("。") + "。", "list", sent.ctx_start - sent.start, len(text), []
    sp = clause_span(a, text)
    if a.qtype == "whether":
        verdict = "否" if _NEGATION.search(sp.text) else "是"
        return f"{verdict}。{sp.text.rstrip('。')}。", "clause", sp.start, sp.end, []
    answer = sp.text.rstrip(",,;;") + ("" if sp.text.endswith("。") else "。")
    return answer, "clause", sp.start, sp.end, []


# --- evaluation -------------------------------------------------------------------------------

UNDISCLOSED = "报告未披露具体数值(原文以“X”代替)。"
UNDISCLOSED_TEMPLATE = "报告未披露具体数值(原文此处为模板占位数字,不是实际数值)。"


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # without pypinyin a romanised name matches nothing: refuse rather than guess
        return ""
    return "".join(lazy_pinyin(text)).lower()


def romanised_fit(a: QuestionAnalysis, sent: Sentence) -> bool:
    """"Hengdong" in an English question must be the pinyin of a place the document is about."""
    names = [n.lower() for n in a.unknown_names]
    if not names:
        return True
    places = {_pinyin(r) for r in sent.doc.regions}
    return all(n in places for n in names)


def evaluate(a: QuestionAnalysis, sent: Sentence) -> Candidate | None:
    """Check one sentence against the question; a Candidate with its answer, or None when it contradicts it."""
    if not romanised_fit(a, sent):
        return None
    if not region_fit(a, sent) or not year_fit(a, sent) or not meeting_fit(a, sent):
        return None
    ctx, off = sent.context, sent.ctx_start
    ind, _ = indicator_fit(a, ctx)
    if ind == 0:
        return None
    placeholder, extra_quotes = False, []
    if a.qtype == "how_much" or (a.unit and a.qtype in ("what", "compare")):
        found = number_span(a, sent)
        if found is None:
            return None
        m, term, local = found
        placeholder = _is_placeholder(m, sent)
        if term is not None and a.indicators:
            ind = max(lexicon.indicator_fit(k, term[0]) for k in a.indicators)
        answer, left = number_answer(sent, m, term)
        pos, kind = m.start, "number"
        if placeholder:
            answer = UNDISCLOSED if m.placeholder else UNDISCLOSED_TEMPLATE
            kind = "placeholder"
        q_start = min(off + left, sent.start)
        if sent.end - q_start > QUOTE_MAX_CHARS:
            q_start = sent.start
            answer = answer if placeholder or off + left >= sent.start else number_answer_local(sent, m)
    else:
        found = typed_span(a, sent)
        if found is None:
            return None
        answer, kind, s, e, extra_quotes = found
        answer = _cut_placeholder(answer)
        if answer is None:
            return None
        pos, q_start = sent.start - off + s, min(sent.start, sent.start + s)
        local = 2.0 if extra_quotes and kind == "list" else clause_fit(a, _near(sent.text, s, e))
    pfit = period_fit(a, ctx, pos)
    if pfit is None:
        return None
    lex, big = lexical_fit(a, ctx + " " + sent.doc.title), bigram_fit(a, ctx)
    typed = 0.0 if kind == "clause" else 1.0  # a span of the asked type, not just a matching sentence
    features = {"lex": lex, "bigram": big, "local": min(local, 2.0) / 2, "indicator": ind, "period": pfit,
                "typed": typed, "rank": 1 / (1 + sent.rank)}
    score = (0.3 * lex + 0.2 * big + 0.2 * features["local"] + 0.1 * ind + 0.1 * pfit + 0.05 * typed
             + 0.05 * features["rank"])
    return Candidate(sent, score, answer, kind, q_start, sent.end, placeholder, features, extra_quotes)


def _cut_placeholder(answer: str) -> str | None:
    """A list or clause answer stops before a placeholder value (彭水X个重点县 → 彭水): it is never stated."""
    from huiyi.genre.numbers import extract_numbers

    held = [m for m in extract_numbers(answer) if m.placeholder]
    if not held:
        return answer
    cut = answer[:held[0].start].rstrip(",,、;;和及与等")
    return cut + "。" if len(cut) >= 2 else None


def _near(text: str, start: int, end: int) -> str:
    """The predicate of a span: the rest of its clause, or the next clause when the rest is too short."""
    bounds = spans.clauses(text)
    for i, (s, e) in enumerate(bounds):
        if s <= start < e:
            rest = text[end:e]
            if len(rest.strip()) < 4 and i + 1 < len(bounds):
                rest += text[bounds[i + 1][0]:bounds[i + 1][1]]
            return text[s:start] + rest
    return text


def number_answer_local(sent: Sentence, m) -> str:
    """Fallback answer limited to the sentence itself (its context was too long to quote)."""
    text, rel = sent.text, m.start - (sent.start - sent.ctx_start)
    cs, _ = _clause_bounds(text, rel)
    return text[cs:rel + (m.end - m.start)].strip() + "。"


def best_candidates(a: QuestionAnalysis, sentences: list[Sentence]) -> list[Candidate]:
    cands = [c for c in (evaluate(a, s) for s in sentences) if c is not None]
    return sorted(cands, key=lambda c: -c.score)


def build_docs(hits: list[SearchHit], document: Callable[[str], Document]) -> dict[str, DocInfo]:
    docs: dict[str, DocInfo] = {}
    for hit in hits:
        if hit.doc_id not in docs:
            docs[hit.doc_id] = doc_info(document(hit.doc_id))
    return docs
