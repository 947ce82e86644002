"""Field-level score of meeting summaries against the gold summaries (huiyi/evals/gold/summaries.json).

Rules: exact match for dates, counts and names (after whitespace normalisation, any listed alternative);
number match through huiyi.genre.numbers for indicator values; recall (containment) for lists. A value is
*invented* when the text does not support it, or when gold says the report has none and the output
has one. Placeholders (X-values, template values) must never appear as numbers.

Run: `python -m huiyi.evals.summary_score` (prints a table; exit 1 under the thresholds).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huiyi.genre.numbers import NumberValue, extract_numbers, normalize_number, same_number
from huiyi.summary.indicators import _key_of
from huiyi.summary.models import Indicator, MeetingSummary

GOLD_PATH = Path(__file__).resolve().parent / "gold" / "seeds" / "summaries.json"
MIN_ACCURACY = 0.9
_PUNCT = re.compile(r"[\s,，、;；:：。“”\"'‘’()（）《》【】\-—–~～]")


@dataclass
class SummaryScore:
    doc_id: str
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.total += 1
        self.right += int(ok)
        if not ok:
            self.misses.append(f"{name}: {detail}" if detail else name)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


def load_gold(path: Path = GOLD_PATH) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def norm(text: str | None) -> str:
    return _PUNCT.sub("", text or "").replace("份", "")


def _contains(haystack: str, needle: str) -> bool:
    return norm(needle) in norm(haystack)


def score_summary(summary: MeetingSummary, gold: dict[str, Any], text: str) -> SummaryScore:
    """Score one summary of the cleaned `text` against its gold entry."""
    sc = SummaryScore(summary.doc_id)
    _scalars(sc, summary, gold, text)
    _date(sc, summary, gold)
    _speakers(sc, summary, gold, text)
    _attendance(sc, summary, gold)
    _indicators(sc, summary, gold, text)
    _lists(sc, summary, gold, text)
    _placeholders(sc, summary, gold)
    _citations(sc, summary, text)
    return sc


def _scalars(sc: SummaryScore, s: MeetingSummary, gold: dict, text: str) -> None:
    for f in ("name", "meeting_type", "place", "region", "host"):
        out = getattr(s, f)
        want = gold.get(f)
        if want is None:
            sc.check(f, out is None, f"gold empty, got {out.value!r}" if out else "")
            if out is not None:
                sc.invented.append(f"{f}={out.value}")
            continue
        got = out.value if out else None
        sc.check(f, got is not None and norm(got) in {norm(w) for w in want}, f"got {got!r}, want {want}")
        if got is not None and f != "meeting_type" and norm(got) not in norm(text):
            sc.invented.append(f"{f}={got}")


def _date(sc: SummaryScore, s: MeetingSummary, gold: dict) -> None:
    want = gold.get("date")
    if want is None:
        sc.check("date", s.date is None, f"gold empty, got {s.date.text!r}" if s.date else "")
        if s.date is not None:
            sc.invented.append(f"date={s.date.text}")
        return
    got = s.date
    sc.check("date.text", got is not None and got.text in want["text"], f"got {got.text if got else None!r}")
    iso = got.iso.isoformat() if got and got.iso else None
    sc.check("date.iso", iso == want["iso"], f"got {iso}, want {want['iso']}")
    if want.get("year_inferred") is not None and got is not None:
        sc.check("date.year_inferred", got.year_inferred == want["year_inferred"], f"got {got.year_inferred}")


def _speakers(sc: SummaryScore, s: MeetingSummary, gold: dict, text: str) -> None:
    want = gold.get("speakers", [])
    for g in want:
        match = next((o for o in s.speakers if (o.name == g["name"]) and (g["name"] or o.role == g["role"])), None)
        ok = match is not None and norm(match.role) == norm(g["role"]) and all(a in match.act for a in g["acts"])
        sc.check(f"speaker {g['name'] or g['role']}", ok, f"got {match.model_dump(include={'name', 'role', 'act'}) if match else None}")
    for o in s.speakers:
        # "韦 韬": a name typeset with a space is the same name without it
        if (o.name and norm(o.name) not in norm(text)) or (not want and o.name):
            sc.invented.append(f"speaker={o.name or o.role}")


def _attendance(sc: SummaryScore, s: MeetingSummary, gold: dict) -> None:
    want, att = gold.get("attendance", {}), s.attendance
    for f in ("members_expected", "members_present", "alternates_expected", "alternates_present", "present_total"):
        got, exp = getattr(att, f), want.get(f)
        sc.check(f"attendance.{f}", got == exp, f"got {got}, want {exp}")
        if got is not None and exp is None:
            sc.invented.append(f"attendance.{f}={got}")
    q = want.get("quorum_statement")
    sc.check("attendance.quorum", (att.quorum_statement is None) == (q is None), f"got {att.quorum_statement!r}")
    for g in want.get("attendees_groups", []):
        sc.check(f"列席 {g[:12]}", any(_contains(o, g) for o in att.attendees_groups))
    for g in want.get("leaders_present", []):
        sc.check(f"出席 {g}", g in att.leaders_present)


def _numbers_of(ind: Indicator) -> list[NumberValue]:
    vals = [v for v in (ind.number, ind.change_number) if v is not None]
    if not ind.undisclosed:
        for t in ind.comparison:
            vals += [m.value for m in extract_numbers(t) if m.value is not None]
    return vals


def _name_match(gold_name: str, name: str) -> bool:
    """Same indicator: one name contains the other, or both resolve to one synonym group (GDP = 地区生产总值)."""
    g, n = norm(gold_name), norm(name)
    if g in n or n in g:
        return True
    key = _key_of(gold_name)
    return key is not None and key == _key_of(name)


def _indicators(sc: SummaryScore, s: MeetingSummary, gold: dict, text: str) -> None:
    for g in gold.get("indicators", []):
        wanted = [normalize_number(g[k]) for k in ("value", "change", "rank") if g.get(k)]
        found = False
        for ind in s.indicators:
            if ind.undisclosed or not _name_match(g["name"], ind.name):
                continue
            if g.get("period") and norm(ind.period) != norm(g["period"]):
                continue
            have = _numbers_of(ind)
            if all(any(same_number(w, h) for h in have) for w in wanted):
                found = True
                break
        sc.check(f"indicator {g['name']} {g.get('period') or ''}", found)
    for name in gold.get("undisclosed_indicators", []):
        ok = any(ind.undisclosed and norm(name) in norm(ind.name) for ind in s.indicators)
        sc.check(f"undisclosed {name}", ok)
    stated = [m.value for m in extract_numbers(text) if m.value is not None]
    for ind in s.indicators:
        if ind.undisclosed:
            continue
        if "X" in f"{ind.value}{ind.change}" or any(v not in stated for v in _numbers_of(ind)):
            sc.invented.append(f"indicator {ind.name}={ind.value or ind.change}")
    if not gold.get("indicators"):
        sc.invented += [f"indicator {i.name} (gold has none)" for i in s.indicators if not i.undisclosed]


def _lists(sc: SummaryScore, s: MeetingSummary, gold: dict, text: str) -> None:
    outputs = {
        "decisions": [d.text for d in s.decisions],
        "honours": [h.text for h in s.honours],
        "slogans": [x.text for x in s.slogans],
    }
    for f, got in outputs.items():
        for g in gold.get(f, []):
            sc.check(f"{f[:-1]} {g[:14]}", any(_contains(o, g) for o in got))
        if not gold.get(f) and f != "slogans":
            sc.invented += [f"{f}={o[:20]} (gold has none)" for o in got]
        sc.invented += [f"{f}={o[:20]} (not in text)" for o in got if o not in text]
    for group in gold.get("tasks", []):
        pool = [i.text for g in s.tasks if _same_speaker(g.speaker, group.get("speaker")) for i in g.items]
        for item in group["items"]:
            sc.check(f"task {group.get('speaker')}: {item[:12]}", any(_contains(o, item) for o in pool))
        if group.get("heading"):
            ok = any(group["heading"] in (g.heading or "") for g in s.tasks)
            sc.check(f"task heading {group['heading']}", ok)
    if not gold.get("tasks"):
        sc.invented += [f"task={i.text[:20]} (gold has none)" for g in s.tasks for i in g.items]


def _same_speaker(got: str | None, want: str | None) -> bool:
    return want is None or got == want


def _placeholders(sc: SummaryScore, s: MeetingSummary, gold: dict) -> None:
    want = gold.get("placeholders", {})
    lo, hi = want.get("min_count", 0), want.get("max_count")
    ok = s.placeholder_count >= lo and (hi is None or s.placeholder_count <= hi)
    sc.check("placeholders.count", ok, f"got {s.placeholder_count}, want {lo}..{hi}")
    leaked = [i.name for i in s.indicators if i.undisclosed and (i.number is not None or i.change_number is not None)]
    leaked += [i.name for i in s.indicators if not i.undisclosed and re.search(r"X", f"{i.value}{i.change}")]
    if lo:
        sc.check("placeholders never numbers", not leaked, f"leaked {leaked}")
    sc.invented += [f"placeholder as number: {n}" for n in leaked]


def _citations(sc: SummaryScore, s: MeetingSummary, text: str) -> None:
    bad = [c for c in _all_citations(s) if text[c.start : c.end] != c.quote]
    sc.check("citations verbatim", not bad, f"{len(bad)} bad")
    sc.invented += [f"citation {c.start}-{c.end}" for c in bad]


def _all_citations(s: MeetingSummary) -> list:
    out = []

    def walk(obj: Any) -> None:
        if isinstance(obj, list):
            for x in obj:
                walk(x)
        elif hasattr(obj, "citations"):
            out.extend(obj.citations)
            for name in type(obj).model_fields:
                if name != "citations":
                    walk(getattr(obj, name))

    for name in type(s).model_fields:
        walk(getattr(s, name))
    return out


# ---- command line ------------------------------------------------------------------------------------
def seed_documents(seeds_dir: Path) -> list:
    """The seeds through the same stages ingest uses (load → clean → meta), without a store."""
    from huiyi.index.clean import clean_text
    from huiyi.index.ids import doc_id_from_name, sha256_hex
    from huiyi.index.load import load_path
    from huiyi.index.meta import extract_meta
    from huiyi.index.records import Document

    docs = []
    for path in sorted(seeds_dir.glob("*.txt")):
        loaded = load_path(path, max_bytes=20 * 1024 * 1024)
        cleaned = clean_text(loaded.text)
        meta = extract_meta(cleaned.text, loaded.source, cleaned.removed)
        docs.append(Document(id=doc_id_from_name(path.name), source=loaded.source, content_hash=sha256_hex(cleaned.text),
                             raw_hash=sha256_hex(path.read_bytes()), text=cleaned.text, meta=meta, removed=cleaned.removed))
    return docs


def main(argv: list[str] | None = None) -> int:
    from huiyi.config import Settings
    from huiyi.summary.extractive import summarize_offline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Settings().seeds_dir)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss and invented value")
    args = parser.parse_args(argv)
    gold = load_gold()
    right = total = invented = 0
    print(f"{'doc':<24} {'fields':>7} {'right':>6} {'score':>6} {'invented':>8}")
    for doc in seed_documents(args.seeds):
        if doc.id not in gold:
            continue
        sc = score_summary(summarize_offline(doc), gold[doc.id], doc.text)
        right, total, invented = right + sc.right, total + sc.total, invented + len(sc.invented)
        print(f"{doc.id:<24} {sc.total:>7} {sc.right:>6} {sc.accuracy:>6.1%} {len(sc.invented):>8}")
        if args.verbose:
            for m in sc.misses:
                print(f"    miss: {m}")
            for m in sc.invented:
                print(f"    invented: {m}")
    accuracy = right / total if total else 0.0
    print(f"{'all':<24} {total:>7} {right:>6} {accuracy:>6.1%} {invented:>8}")
    return 0 if accuracy >= MIN_ACCURACY and invented == 0 else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
