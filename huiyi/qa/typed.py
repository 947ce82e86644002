"""Answer spans of the asked type inside a sentence: a person with title, a place, a date, a list, a slogan, a clause."""

from __future__ import annotations

import re

from huiyi.genre.numbers import CN_DIGITS, cn_small_int
from huiyi.genre.people import person_name, person_title, persons
from huiyi.genre.periods import find_periods
from huiyi.genre.proceedings import PLAN_NAME
from huiyi.genre.sentences import clauses
from huiyi.genre.spans import Span
from huiyi.qa import spans
from huiyi.qa.analysis import QuestionAnalysis
from huiyi.qa.checks import clause_fit, predicate_near
from huiyi.qa.evidence import QUOTE_MAX_CHARS, Sentence, paragraph_bounds, sentence_of


def _title_matches(asked: str, title: str) -> bool:
    for part in re.split(r"[、,]", title):
        if part == asked or (part.endswith(asked) and not part[: -len(asked)].endswith("副")):
            return True
    return False


def _best_span(a: QuestionAnalysis, text: str, found: list[Span]) -> Span | None:
    """The span whose predicate best matches the question; earliest on ties."""
    if not found:
        return None
    return max(found, key=lambda sp: (clause_fit(a, predicate_near(text, sp.start, sp.end)), -sp.start))


def person_span(a: QuestionAnalysis, text: str) -> Span | None:
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


ENTITY_MIN_FIT = 0.6  # an entity answers only in a clause that says what the question asks about


def entity_span(a: QuestionAnalysis, sent: Sentence, kinds: tuple[str, ...], periods: bool = True) -> Span | None:
    """An entity of the asked kind (stored at ingest) that the question does not itself name, best placed.
    `periods=False` skips reporting periods (上半年) where a point in time is asked."""
    doc = sent.doc
    found = [Span(s - sent.start, e - sent.start, doc.text[s:e], kind) for s, e, kind in doc.entities_in(sent.start, sent.end, kinds)]
    found = [sp for sp in found if len(sp.text.strip()) >= 2 and sp.text not in a.text
             and (periods or not find_periods(sp.text))
             and clause_fit(a, predicate_near(sent.text, sp.start, sp.end)) >= ENTITY_MIN_FIT
             and anchored(a, sent.text, sp)]
    return _best_span(a, sent.text, found)


def list_span(a: QuestionAnalysis, text: str) -> Span | None:
    found = _new_terms(a, spans.slogans(text)) if a.slogan else []
    if not found:
        found = _new_terms(a, spans.slogans(text)) if a.qtype == "which" else \
            spans.enumerations(text) + _new_terms(a, spans.slogans(text))
    return _best_span(a, text, found)


def _new_terms(a: QuestionAnalysis, found: list[Span]) -> list[Span]:
    """Quoted terms that can answer: not one the question itself names ("“六大产业集群”有哪些" is not answered by
    “六大产业集群”), and not a plan period's name (“十四五”)."""
    keep = []
    for sp in found:
        inner = sp.text.strip("“”\"「」『』《》")
        if len(inner) >= 2 and inner not in a.text and not PLAN_NAME.match(inner):
            keep.append(sp)
    return keep




def clause_span(a: QuestionAnalysis, text: str, max_chars: int = 90) -> Span:
    """The sentence when short; else the best clause and the one after it."""
    stripped = text.strip()
    if len(stripped) <= max_chars:
        s = text.find(stripped)
        return Span(s, s + len(stripped), stripped, "clause")
    bounds = clauses(text)
    i = max(range(len(bounds)), key=lambda k: (clause_fit(a, text[bounds[k][0]:bounds[k][1]]), -k))
    s, e = bounds[i][0], bounds[min(i + 1, len(bounds) - 1)][1]
    if e - s > max_chars:
        e = bounds[i][1]
    return Span(s, e, text[s:e], "clause")


_NEGATION = re.compile(r"未|没有|不够|尚未|不足|滞后|下降|回落|差距")


_ROLE_Q = re.compile(r"职务|职位|担任什么|什么身份|什么职")


_COUNTED_SLOGAN = re.compile(rf"“?([{CN_DIGITS}两])([\u4e00-\u9fff])”?")


def counted_items(a: QuestionAnalysis, sent: Sentence):
    """“三攻” → the three clauses after it that start with 攻 (要攻产业项目 …), each with its sentence."""
    text = sent.text
    for m in _COUNTED_SLOGAN.finditer(a.text):
        token = m.group(1) + m.group(2)
        if f"“{token}”" not in text:
            continue
        count = cn_small_int(m.group(1)) or 1
        doc = sent.doc
        _, para_end = paragraph_bounds(doc.text, sent.start)
        tail = doc.text[sent.end:min(para_end, sent.end + 800)]
        for opener in (r"(?:(?<=[;;。])|^)", r"(?:(?<=[,,;;。])|^)"):  # sentence starts first, then clauses
            items = [(sent.end + x.start(), sent.end + x.end())
                     for x in re.finditer(rf"{opener}要?{m.group(2)}[^,,;;。]{{1,20}}", tail)][:count]
            if len(items) >= min(count, 2):
                return token, items
    return None


def _siblings(sent: Sentence, sp: Span) -> list[tuple[int, int]]:
    """Other slogans of the same frame in the paragraph: 聚焦“衣领子”工程 … 聚焦“牛鼻子”工程."""
    text, abs_start = sent.doc.text, sent.start + sp.start
    left, right = text[max(0, abs_start - 2):abs_start], text[abs_start + len(sp.text):abs_start + len(sp.text) + 2]
    if len(left) < 2 or len(right) < 2 or not sp.text.startswith("“"):
        return []
    ps, pe = paragraph_bounds(text, sent.start)
    pattern = re.escape(left) + r"(“[^“”]{1,12}”)" + re.escape(right)
    return [(ps + x.start(1), ps + x.end(1)) for x in re.finditer(pattern, text[ps:pe])]


def _list_answer(sent: Sentence, items: list[tuple[int, int]], prefix: str = ""):
    text = sent.doc.text
    quotes = []
    for s, _e in items:
        span = sentence_of(sent.doc, s)
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
        if sp is None and not a.titles:  # a role asked for is a role named, never just any person
            sp = entity_span(a, sent, ("person",)) or entity_span(a, sent, ("org",)) or typed_alignment(a, sent)
        if sp is not None and "哪些" in a.text:
            lists = [e for e in spans.enumerations(text) if e.start <= sp.start < e.end or sp.start <= e.start < sp.end]
            sp = lists[0] if lists else sp
        return (sp.text, sp.kind, sp.start, sp.end, []) if sp else None
    if a.qtype == "when":
        sp = _best_span(a, text, spans.dates(text)) or entity_span(a, sent, ("date",), periods=False)
        return (sp.text, "date", sp.start, sp.end, []) if sp else None
    if a.qtype == "where":
        sp = _best_span(a, text, spans.places(text)) or entity_span(a, sent, ("place", "org"))
        return (sp.text, "place", sp.start, sp.end, []) if sp else None
    asked = _WHICH_KIND.search(a.text) if a.qtype == "which" else None
    if asked is not None:  # 哪个城市 asks for a place, 哪家企业 for an organisation: a term or slogan is not one
        kinds = ("place",) if asked.group("place") or asked.group("place_before") else ("org",)
        sp = entity_span(a, sent, kinds) or typed_alignment(a, sent)
        if sp is not None:
            return sp.text, kinds[0], sp.start, sp.end, []
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
    if a.qtype in ("which", "where", "when"):
        al = typed_alignment(a, sent)
        if al is not None:
            return al.text, "aligned", al.start, al.end, []
    sp = clause_span(a, text)
    if a.qtype == "whether":
        verdict = "否" if _NEGATION.search(sp.text) else "是"
        return f"{verdict}。{sp.text.rstrip('。')}。", "clause", sp.start, sp.end, []
    answer = sp.text.rstrip(",,;;") + ("" if sp.text.endswith("。") else "。")
    return answer, "clause", sp.start, sp.end, []


# The words a question asks with; the answer stands where they stand, between the question's other words.
_WH = re.compile(r"什么时候|哪一年|哪年|哪个|哪些|哪位|哪里|哪儿|哪家|哪种|哪一|什么|多少|几[个年月日名位张次种项条]?|谁|何时|何地|哪")
_EDGE = "是为于在有了的：:，,、 "
_STOP = re.compile(r"[，,。；;！!？?：:（(）)“”\"]")
MAX_ALIGNED = 40


def _contexts(a: QuestionAnalysis) -> tuple[str, str] | None:
    """The question's words before and after its wh-word."""
    q = re.sub(r"[？?。！!\s]+$", "", a.text)
    m = _WH.search(q)
    if m is None:
        return None
    return q[:m.start()].rstrip(_EDGE), q[m.end():].strip(_EDGE + "呢吗")


def anchored(a: QuestionAnalysis, text: str, span: Span, reach: int = 16) -> bool:
    """The words the question puts next to its wh-word stand next to `span` ("在哪里召开": 召开 near the place)."""
    sides = _contexts(a)
    if sides is None:
        return True
    left, right = sides
    window = text[max(0, span.start - reach):span.end + reach]
    probes = [left[-n:] for n in (3, 2) if len(left) >= n] + [right[:n] for n in (3, 2) if len(right) >= n]
    return not probes or any(p in window for p in probes)


def aligned_span(a: QuestionAnalysis, text: str) -> Span | None:
    """The words standing where the question's wh-word stands: "莎莉公司成立于哪一年" over "…成立于1939年…"
    gives 1939年. The longest tail of the words before the wh-word and the longest head of those after it
    are found in the sentence; the answer is what lies between (or runs on to the clause's end)."""
    sides = _contexts(a)
    if sides is None:
        return None
    left, right = sides
    start = end = None
    for n in range(min(len(left), 12), 1, -1):
        at = text.find(left[-n:])
        if at >= 0:
            start = at + n
            break
    if right:
        for n in range(min(len(right), 12), 1, -1):
            at = text.find(right[:n], start or 0)
            if at >= 0 and (start is None or at > start):
                end = at
                break
    if start is None and end is None:
        return None
    if start is None:  # only the words after the wh-word are found: the answer ends there
        assert end is not None
        stop = max((x.end() for x in _STOP.finditer(text, 0, end)), default=0)
        start = stop
    elif end is None:  # only the words before it: the answer runs to the clause's end
        boundary = _STOP.search(text, start)
        end = boundary.start() if boundary else len(text)
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    if not 0 < end - start <= MAX_ALIGNED:
        return None
    return Span(start, end, text[start:end], "aligned")


_PLACE_NOUN, _ORG_NOUN = r"城市|地市|设区市|市|县|区|省|地方|地区", r"企业|公司|单位|银行|机构|部门|高校|医院"
# "哪个城市", "副中心城市是哪个": the noun next to the wh-word says which kind of name answers.
_WHICH_KIND = re.compile(rf"哪一?[个座]?(?P<place>{_PLACE_NOUN})|(?P<place_before>{_PLACE_NOUN})(?:是|为)哪一?[个座]"
                         rf"|哪一?[家个]?(?P<org>{_ORG_NOUN})|(?P<org_before>{_ORG_NOUN})(?:是|为)哪一?[家个]")
_ALIGNED_KINDS = {"where": ("place", "org"), "when": ("date",), "who": ("person", "org"), "which": ("place", "org")}


def typed_alignment(a: QuestionAnalysis, sent: Sentence) -> Span | None:
    """An aligned span that holds an entity of the asked type (a place for 哪里, a time for 何时)."""
    span = aligned_span(a, sent.text)
    kinds = _ALIGNED_KINDS.get(a.qtype)
    if span is None or kinds is None:
        return span
    inside = sent.doc.entities_in(sent.start + span.start, sent.start + span.end, kinds)
    return span if inside else None
