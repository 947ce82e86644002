"""Render a MeetingSummary as a 会议纪要, in two variants from one summary:

- `clean`: the 纪要 an office can send (huiyi.summary.clean): no marks, 公文 layout in .docx (huiyi.summary.gongwen);
- `audit`: every field and 纪要 sentence with its [n] mark, and the 出处 notes with character offsets.

Both formats of a variant walk one layout, so Markdown and .docx never drift apart.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from huiyi.cite.models import Citation
from huiyi.summary.clean import clean_lines, clean_markdown, indicator_rows, minutes_title, withheld_line
from huiyi.summary.models import MeetingSummary

SECTIONS = ("基本情况", "纪要正文", "主要内容", "工作要求", "附表:主要指标", "出处")
VARIANTS = ("clean", "audit")
INDICATOR_HEADER = ["指标", "数值", "时期", "比较/排名", "出处"]
FIELD_LABELS = {
    "name": "会议名称", "meeting_type": "会议类型", "date": "时间", "place": "地点", "region": "地区/主办",
    "host": "主持", "speakers": "讲话人", "attendance": "出席情况", "indicators": "主要指标", "decisions": "决定事项",
    "tasks": "工作要求", "honours": "表彰", "slogans": "提法与口号", "placeholders": "未披露数值", "key_sentences": "关键语句",
}
FONT, FONT_FALLBACK = "宋体", "Noto Sans CJK SC"
QUOTE_CHARS = 120  # 出处 lines quote at most this much; the offsets locate the rest
# XML 1.0 forbids these; a report pasted from anywhere may carry them.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _BAD_XML.sub("", text)


@dataclass
class Block:
    kind: Literal["title", "h2", "h3", "p", "li", "ol", "break", "table"]
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


class Refs:
    """Numbers citations in reading order; the same span gets the same number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def mark(self, citations: list[Citation]) -> str:
        nums = []
        for c in citations[:3]:
            key = (c.doc_id, c.start, c.end)
            if key not in self._index:
                self.items.append(c)
                self._index[key] = len(self.items)
            nums.append(self._index[key])
        return "".join(f"[{n}]" for n in nums)


def layout(summary: MeetingSummary) -> list[Block]:
    refs = Refs()
    blocks = [Block("title", minutes_title(summary))]
    blocks += _section("基本情况", _basics(summary, refs))
    blocks += _section("纪要正文", _prose(summary, refs))
    blocks += _section("主要内容", _content(summary, refs))
    blocks += _section("工作要求", _tasks(summary, refs))
    blocks += _section("附表:主要指标", _indicator_table(summary, refs))
    if summary.fallback:
        blocks.append(Block("p", f"说明:{summary.fallback}"))
    if summary.not_found:
        blocks.append(Block("p", "未找到:" + "、".join(FIELD_LABELS.get(f, f) for f in summary.not_found)))
    blocks.append(Block("h2", "出处"))
    blocks.append(Block("p", f"引文均摘自《{summary.title}》清洗后正文,位置以字符计。"))
    for n, c in enumerate(refs.items, 1):
        quote = c.quote if len(c.quote) <= QUOTE_CHARS else c.quote[:QUOTE_CHARS] + "…"
        source = "" if c.title == summary.title else f"《{c.title}》"
        blocks.append(Block("p", f"[{n}] {source}第{c.start}–{c.end}字:“{quote}”"))
    return blocks


def _section(heading: str, body: list[Block]) -> list[Block]:
    """A section under its heading; "(未找到)" when it has nothing to show."""
    return [Block("h2", heading), *(body or [Block("p", "(未找到)")])]


def _prose(s: MeetingSummary, refs: Refs) -> list[Block]:
    out: list[Block] = []
    for section in s.minutes:
        if section.key != "opening":
            out.append(Block("h3", section.heading))
        out += [Block("p", f"{x.text}{refs.mark(x.citations)}") for x in section.sentences]
    return out


def _basics(s: MeetingSummary, refs: Refs) -> list[Block]:
    out: list[Block] = []
    if s.name:
        out.append(Block("li", f"会议名称:{s.name.value}{refs.mark(s.name.citations)}"))
    if s.meeting_type:
        out.append(Block("li", f"会议类型:{s.meeting_type.value}"))
    if s.date:
        iso = f"({s.date.iso.isoformat()}{',年份为推断' if s.date.year_inferred else ''})" if s.date.iso else ""
        out.append(Block("li", f"时间:{s.date.text}{iso}{refs.mark(s.date.citations)}"))
    for label, f in (("地点", s.place), ("地区/主办", s.region), ("主持", s.host)):
        if f:
            out.append(Block("li", f"{label}:{f.value}{refs.mark(f.citations)}"))
    a = s.attendance
    if not a.is_empty():
        out.append(Block("li", f"出席:{_attendance_line(a)}{refs.mark(a.citations[:1])}"))
        if a.leaders_present:
            out.append(Block("li", f"出席领导:{'、'.join(a.leaders_present)}"))
        if a.attendees_groups:
            out.append(Block("li", f"列席:{';'.join(a.attendees_groups)}"))
    return out


def _attendance_line(a) -> str:
    parts = []
    for label, exp, pres in (("委员", a.members_expected, a.members_present), ("候补委员", a.alternates_expected, a.alternates_present)):
        if exp is not None or pres is not None:
            bits = [f"应到{exp}人" if exp is not None else "", f"实到{pres}人" if pres is not None else ""]
            parts.append(label + ",".join(b for b in bits if b))
    if a.present_total is not None:
        parts.append(f"实到{a.present_total}人(原文未分组)")
    if a.quorum_statement:
        parts.append(a.quorum_statement)
    return ";".join(parts) or "见原文"


def _content(s: MeetingSummary, refs: Refs) -> list[Block]:
    out: list[Block] = []
    for sp in s.speakers:
        who = "".join(x for x in (sp.role, sp.name) if x)
        topic = f"({sp.topic})" if sp.topic else ""
        out.append(Block("li", f"{who}:{sp.act}{topic}{refs.mark(sp.citations)}"))
    if s.decisions:
        out.append(Block("h3", "决定事项"))
        out += [Block("li", f"{d.kind}:{d.text}{refs.mark(d.citations)}") for d in s.decisions]
    if s.honours:
        out.append(Block("h3", "表彰"))
        out += [Block("li", f"{h.text}{refs.mark(h.citations)}") for h in s.honours]
    if s.slogans:
        out.append(Block("h3", "提法与口号"))
        out.append(Block("p", "、".join(f"“{x.text}”" for x in s.slogans)))
    if s.key_sentences:
        out.append(Block("h3", "关键语句"))
        out += [Block("li", f"{k.text}{refs.mark(k.citations)}") for k in s.key_sentences]
    if s.placeholder_count:
        examples = "、".join(dict.fromkeys(p.text for p in s.placeholders[:40]))
        out.append(Block("h3", "未披露数值"))
        out.append(Block("p", f"原文有{s.placeholder_count}处数值以占位符代替(如:{examples}),不作为事实引用。"))
    return out


def _tasks(s: MeetingSummary, refs: Refs) -> list[Block]:
    out: list[Block] = []
    speaker = object()
    for g in s.tasks:
        if g.speaker != speaker:
            speaker = g.speaker
            out.append(Block("h3", f"{g.speaker or '讲话人'}提出"))
        out.append(Block("p", f"{g.heading}{refs.mark(g.citations[:1])}") if g.heading else Block("break"))
        out += [Block("ol", f"{item.text}{refs.mark(item.citations)}") for item in g.items]
    return out


def _indicator_table(s: MeetingSummary, refs: Refs) -> list[Block]:
    """Disclosed figures one row each; the withheld ones collapse into one line ("N 项指标未披露具体数值")."""
    out: list[Block] = []
    if not s.indicators:
        return out
    disclosed = [i for i in s.indicators if not i.undisclosed]
    rows, _ = indicator_rows(disclosed)
    if rows:
        out.append(Block("table", rows=[INDICATOR_HEADER] + [[*r, refs.mark(i.citations)] for r, i in zip(rows, disclosed)]))
    withheld = sum(1 for i in s.indicators if i.undisclosed)
    if withheld:
        examples = "、".join(dict.fromkeys(i.name for i in s.indicators if i.undisclosed))
        out.append(Block("p", withheld_line(withheld) + f"涉及:{examples[:200]}"))
    return out


# ---- Markdown ---------------------------------------------------------------------------------------
def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(summary: MeetingSummary, variant: str = "clean", sources_appendix: bool = False) -> str:
    if variant == "clean":
        return clean_markdown(summary, sources_appendix)
    lines: list[str] = []
    number = 0
    for b in layout(summary):
        text = clean(b.text)
        number = number + 1 if b.kind == "ol" else 0
        if b.kind in ("title", "h2", "h3", "p", "table", "break") and lines and lines[-1] != "":
            lines.append("")  # Markdown blocks need a blank line between them
        if b.kind == "title":
            lines += [f"# {text}", ""]
        elif b.kind in ("h2", "h3"):
            lines += [f"{'##' if b.kind == 'h2' else '###'} {text}", ""]
        elif b.kind == "li":
            lines.append(f"- {text}")
        elif b.kind == "ol":
            lines.append(f"{number}. {text}")
        elif b.kind == "p":
            lines += [text, ""]
        elif b.kind == "table":
            header, *body = b.rows
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(_md_cell(clean(c)) for c in row) + " |" for row in body]
            lines.append("")
    return "\n".join(lines).strip() + "\n"


# ---- .docx ---------------------------------------------------------------------------------------------
def _set_font(style_or_run, size_pt: float | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style_or_run.font
    font.name = FONT
    if size_pt:
        font.size = Pt(size_pt)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    # East-Asian text uses w:eastAsia; hAnsi/ascii fall back to a CJK font that ships on Linux too.
    fonts.set(qn("w:eastAsia"), FONT)
    fonts.set(qn("w:ascii"), FONT_FALLBACK)
    fonts.set(qn("w:hAnsi"), FONT_FALLBACK)


def to_docx(summary: MeetingSummary, variant: str = "clean", template: Path | None = None,
            sources_appendix: bool = False) -> bytes:
    if variant == "clean":
        from huiyi.summary.gongwen import render

        return render([_clean_line(x) for x in clean_lines(summary, sources_appendix)], template)
    return _audit_docx(summary)


def _clean_line(line):
    line.text = clean(line.text)
    line.label = clean(line.label)
    if line.rows:
        line.rows = [[clean(c) for c in row] for row in line.rows]
    return line


def _audit_docx(summary: MeetingSummary) -> bytes:
    from docx import Document as DocxDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = DocxDocument()
    for name, size in (("Normal", 11), ("Title", 20), ("Heading 1", 16), ("Heading 2", 14), ("List Bullet", 11)):
        _set_font(doc.styles[name], size)
    number = 0
    for b in layout(summary):
        text = clean(b.text)
        number = number + 1 if b.kind == "ol" else 0
        if b.kind == "break":
            continue
        if b.kind == "title":
            doc.add_heading(text, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif b.kind in ("h2", "h3"):
            doc.add_heading(text, level=1 if b.kind == "h2" else 2)
        elif b.kind == "li":
            doc.add_paragraph(text, style="List Bullet")
        elif b.kind == "ol":  # numbered by hand: Word's list numbering would run on across groups
            doc.add_paragraph(f"{number}. {text}").paragraph_format.left_indent = Cm(0.75)
        elif b.kind == "p":
            doc.add_paragraph(text)
        else:
            _table(doc, b.rows)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc, rows: list[list[str]]) -> None:
    # add_row().cells per row: table.cell(r, c) re-walks the whole grid and turns a big table quadratic.
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for cell, value in zip(table.add_row().cells, row):
            cell.text = clean(value)
            if r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
