"""The clean 会议纪要 an office can send: no [n] marks, no offsets; a 纪要 header block, the prose sections under
一、二、 headings, the main figures as an attachment, and the 版记 lines for the office to fill.

Its lines feed both the 公文 .docx (huiyi.summary.gongwen) and the clean Markdown.
"""

from __future__ import annotations

import re

from huiyi.genre.numbers import CN_DIGITS
from huiyi.summary.gongwen import Line
from huiyi.summary.models import Indicator, MeetingSummary

MAX_LEADERS = 30
ATTACHMENT_ROWS = 30  # a 纪要's attachment lists the main figures; the audit copy has them all
BANJI_SEND = "发送:"
BANJI_PRINT = "（印发机关）\t　　年　月　日印发"  # left for the office to fill
_TRAILING_MINUTES = re.compile(r"(?:会议)?纪要$")


def minutes_title(summary: MeetingSummary) -> str:
    """"<meeting name>纪要", never "…会议会议纪要" nor "…纪要纪要"."""
    base = summary.name.value if summary.name else summary.title
    base = _TRAILING_MINUTES.sub(lambda m: "会议" if m.group(0).startswith("会议") else "", base.strip())
    if not base:
        return "会议纪要"
    return f"{base}纪要"


def clean_lines(summary: MeetingSummary, sources_appendix: bool = False) -> list[Line]:
    lines = [Line("title", minutes_title(summary))]
    lines += _header(summary)
    n = 0
    for section in summary.minutes:
        if section.key == "opening":
            lines += [Line("p", s.text) for s in section.sentences]
            continue
        if n < len(CN_DIGITS):
            lines.append(Line("h1", f"{CN_DIGITS[n]}、{section.heading}"))
            n += 1
        lines += [Line("p", s.text) for s in section.sentences]
    if not summary.minutes:
        lines.append(Line("p", "（原文未载明可整理为纪要的会议内容。）"))
    lines += _attachment(summary)
    if sources_appendix:
        lines += _sources(summary)
    lines += [Line("break"), Line("banji", BANJI_SEND), Line("banji", BANJI_PRINT)]
    return lines


def _date_text(summary: MeetingSummary) -> str | None:
    d = summary.date
    if d is None:
        return None
    if d.iso and d.year_inferred and not re.search(r"\d{4}|[〇○零]", d.text):
        return f"{d.text}（{d.iso.year}年，年份据原文推断）"
    return d.text


def _header(summary: MeetingSummary) -> list[Line]:
    out = []
    date = _date_text(summary)
    if date:
        out.append(Line("meta", date, label="时间"))
    if summary.place:
        out.append(Line("meta", summary.place.value, label="地点"))
    if summary.host:
        out.append(Line("meta", _with_role(summary, summary.host.value), label="主持"))
    a = summary.attendance
    verbs = a.attendees_verbs if len(a.attendees_verbs) == len(a.attendees_groups) else ["列席"] * len(a.attendees_groups)
    groups = {v: [g for g, w in zip(a.attendees_groups, verbs) if w == v] for v in ("参会", "参加", "列席")}
    present = [_with_role(summary, n) for n in a.leaders_present[:MAX_LEADERS]]
    counts = _counts(summary)
    if present or counts or groups["参加"]:
        out.append(Line("meta", "；".join(x for x in ("、".join(present), counts, "；".join(groups["参加"])) if x), label="出席"))
    if groups["参会"]:
        out.append(Line("meta", "；".join(groups["参会"]), label="参会"))
    if groups["列席"]:
        out.append(Line("meta", "；".join(groups["列席"]), label="列席"))
    speakers = [f"{sp.role or ''}{sp.name or ''}（{sp.act}）" for sp in summary.speakers
                if sp.act and sp.act != "主持" and (sp.name or sp.role)]
    if speakers:
        out.append(Line("meta", "；".join(speakers), label="讲话" if summary.kind != "notice" else "议程讲话"))
    return out


def _with_role(summary: MeetingSummary, name: str) -> str:
    sp = next((s for s in summary.speakers if s.name == name and s.role), None)
    return f"{sp.role}{name}" if sp else name


def _counts(summary: MeetingSummary) -> str:
    a = summary.attendance
    parts = []
    for label, exp, pres in (("委员", a.members_expected, a.members_present), ("候补委员", a.alternates_expected, a.alternates_present)):
        bits = [f"应到{exp}人" if exp is not None else "", f"实到{pres}人" if pres is not None else ""]
        if any(bits):
            parts.append(label + "，".join(b for b in bits if b))
    if a.present_total is not None:
        parts.append(f"实到{a.present_total}人")
    if a.quorum_statement:
        parts.append(a.quorum_statement)
    return "，".join(parts)


def indicator_rows(indicators: list[Indicator]) -> tuple[list[list[str]], int]:
    """Rows of the disclosed figures (name, value, period, comparison) and the count of withheld ones."""
    rows = []
    for ind in indicators:
        if ind.undisclosed:
            continue
        value = "，".join(x for x in (ind.value, ind.change if ind.change != ind.value else None) if x)
        rows.append([ind.name + ("（目标）" if ind.target else ""), value, ind.period or "", "；".join(ind.comparison)])
    return rows, sum(1 for i in indicators if i.undisclosed)


def withheld_line(count: int) -> str:
    return f"另有{count}项指标未披露具体数值（原文以“X”等代替）。"


def _attachment(summary: MeetingSummary) -> list[Line]:
    rows, withheld = indicator_rows(summary.indicators)
    if not rows and not withheld:
        return []
    out = [Line("break"), Line("h1", "附件：主要指标")]
    if rows:
        out.append(Line("table", rows=[["指标", "数值", "时期", "比较/排名"], *rows[:ATTACHMENT_ROWS]]))
    if len(rows) > ATTACHMENT_ROWS:
        out.append(Line("note", f"另有{len(rows) - ATTACHMENT_ROWS}项指标从略，见审核稿。"))
    if withheld:
        out.append(Line("note", withheld_line(withheld)))
    return out


def _sources(summary: MeetingSummary) -> list[Line]:
    out = [Line("break"), Line("h1", "附：出处")]
    n = 0
    for section in summary.minutes:
        for s in section.sentences:
            for c in s.citations[:1]:
                n += 1
                out.append(Line("note", f"{n}. “{c.quote[:120]}{'…' if len(c.quote) > 120 else ''}”"))
    return out


def clean_markdown(summary: MeetingSummary, sources_appendix: bool = False) -> str:
    md: list[str] = []
    previous = ""
    for line in clean_lines(summary, sources_appendix):
        if previous == "meta" and line.kind != "meta":
            md.append("")  # the header block ends; the opening paragraph is its own paragraph
        previous = line.kind
        if line.kind == "title":
            md += [f"# {line.text}", ""]
        elif line.kind == "meta":
            md.append(f"**{line.label}**：{line.text}  ")
        elif line.kind == "h1":
            md += ["", f"## {line.text}", ""]
        elif line.kind in ("p", "note"):
            md += [line.text, ""]
        elif line.kind == "table" and line.rows:
            header, *body = line.rows
            md += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            md += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
            md.append("")
        elif line.kind == "banji":
            md.append(line.text.replace("\t", "　　"))
        elif line.kind == "break":
            md.append("")
    text = "\n".join(md)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
