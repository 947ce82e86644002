"""A .docx in 公文 layout (GB/T 9704-2012) for the clean 会议纪要.

A4; 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (bottom 35 mm, right 26 mm); title 二号 (22 pt) in a 小标宋-style
font; body 三号 (16 pt) 仿宋 at a fixed 28-point line pitch, first lines indented two characters; headings 一、 in
黑体, (一) in 楷体, 1. in 仿宋 bold; page numbers "— 1 —" in 四号 宋体, right on odd pages and left on even ones;
a 版记 with 发送/印发 lines for the office to fill.

Fonts are named as Word and WPS on Chinese Windows know them (仿宋, 黑体, 楷体, 方正小标宋简体 with 宋体 as its
alternate); on Linux huiyi/summary/fonts.conf maps each to a free CJK font so LibreOffice renders it.
An office template (a .docx, setting `minutes_template`) replaces the default page and styles: its styles named in
`STYLE_NAMES` are used when present, and created with the defaults below when not.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from docx import Document as new_document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, TITLE_ALT = "方正小标宋简体", "宋体"
BODY_FONT, HEI_FONT, KAI_FONT, SONG_FONT = "仿宋", "黑体", "楷体", "宋体"
LATIN_FONT = "Times New Roman"
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, TABLE_PT = 22, 16, 14, 12  # 二号, 三号, 四号, 小四
LINE_PT = 28  # fixed line pitch of the body
TITLE_LINE_PT = 36
PAGE = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26, "footer": 24}  # mm
STYLE_NAMES = {
    "title": "纪要标题", "body": "纪要正文", "h1": "纪要一级标题", "h2": "纪要二级标题", "h3": "纪要三级标题",
    "label": "纪要标注", "table": "纪要表格", "banji": "纪要版记", "page": "纪要页码",
}


@dataclass
class Line:
    """One line of the clean 纪要: kind decides its style."""

    kind: str  # title | meta | p | h1 | h2 | h3 | table | note | banji | break
    text: str = ""
    label: str = ""  # meta lines: "时间", "地点" … (黑体 label, 仿宋 value)
    rows: list[list[str]] | None = None


def render(lines: list[Line], template: Path | None = None) -> bytes:
    doc = new_document(str(template)) if template else new_document()
    if template:
        _clear_body(doc)
    else:
        _page_setup(doc)
    styles = _styles(doc)
    _page_numbers(doc, styles)
    for line in lines:
        _write(doc, styles, line)
    _font_table_alternates(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- page, styles ----------------------------------------------------------------------------------------
def _page_setup(doc) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE["width"]), Mm(PAGE["height"])
        section.top_margin, section.bottom_margin = Mm(PAGE["top"]), Mm(PAGE["bottom"])
        section.left_margin, section.right_margin = Mm(PAGE["left"]), Mm(PAGE["right"])
        section.footer_distance = Mm(PAGE["footer"])
        section.start_type = WD_SECTION.NEW_PAGE


def _clear_body(doc) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _fonts(target, east_asian: str, latin: str = LATIN_FONT) -> None:
    rpr = target.element.get_or_add_rPr() if hasattr(target.element, "get_or_add_rPr") else target._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)


def _style(doc, key: str, east_asian: str, size: float, *, bold: bool = False, align=None, line_pt: float = LINE_PT,
           indent_chars: int = 2, kind=WD_STYLE_TYPE.PARAGRAPH):
    name = STYLE_NAMES[key]
    existing = next((s for s in doc.styles if s.name == name), None)
    if existing is not None:  # an office template's own style wins
        return existing
    style = doc.styles.add_style(name, kind)
    if kind == WD_STYLE_TYPE.PARAGRAPH:
        style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.name = LATIN_FONT
    _fonts(style, east_asian)
    if kind == WD_STYLE_TYPE.CHARACTER:
        return style
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line_pt)
    pf.space_before = pf.space_after = Pt(0)
    if align is not None:
        pf.alignment = align
    if indent_chars:
        pf.first_line_indent = Pt(size * indent_chars)
        ind = pf._element.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
    return style


def _styles(doc) -> dict:
    normal = doc.styles["Normal"]
    if not any(s.name == STYLE_NAMES["body"] for s in doc.styles):
        normal.font.size = Pt(BODY_PT)
        _fonts(normal, BODY_FONT)
    return {
        "title": _style(doc, "title", TITLE_FONT, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=TITLE_LINE_PT, indent_chars=0),
        "body": _style(doc, "body", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY),
        "h1": _style(doc, "h1", HEI_FONT, BODY_PT),
        "h2": _style(doc, "h2", KAI_FONT, BODY_PT),
        "h3": _style(doc, "h3", BODY_FONT, BODY_PT, bold=True),
        "label": _style(doc, "label", HEI_FONT, BODY_PT, kind=WD_STYLE_TYPE.CHARACTER, indent_chars=0),
        "table": _style(doc, "table", BODY_FONT, TABLE_PT, line_pt=20, indent_chars=0),
        "banji": _style(doc, "banji", BODY_FONT, 14, line_pt=LINE_PT, indent_chars=0),
        "page": _style(doc, "page", SONG_FONT, PAGE_NUMBER_PT, line_pt=PAGE_NUMBER_PT + 4, indent_chars=0),
    }


def _font_table_alternates(doc) -> None:
    """fontTable entries naming an alternate, so Word substitutes 宋体 where 方正小标宋简体 is not installed."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    try:
        font_part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    root = etree.fromstring(font_part.blob)
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    for name, alt, family in ((TITLE_FONT, TITLE_ALT, "roman"), (BODY_FONT, "FangSong", "modern"),
                              (HEI_FONT, "SimHei", "modern"), (KAI_FONT, "KaiTi", "modern"), (SONG_FONT, "SimSun", "auto")):
        if root.find(f"w:font[@w:name='{name}']", ns) is not None:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), family)
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---- page numbers ----------------------------------------------------------------------------------------
def _page_numbers(doc, styles: dict) -> None:
    """"— 1 —": 四号, right-aligned on odd pages, left on even ones, one character in from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            for r in list(p.runs):
                r._element.getparent().remove(r._element)
            p.style = styles["page"]
            p.alignment = align
            pf = p.paragraph_format
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                pf.right_indent = Pt(PAGE_NUMBER_PT)
            else:
                pf.left_indent = Pt(PAGE_NUMBER_PT)
            p.add_run("— ")
            _field(p, "PAGE")
            p.add_run(" —")


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    number = OxmlElement("w:t")
    number.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, separate, number, end):
        run._element.append(el)


# ---- lines ---------------------------------------------------------------------------------------------------
def _write(doc, styles: dict, line: Line) -> None:
    if line.kind == "title":
        p = doc.add_paragraph(line.text, style=styles["title"])
        doc.add_paragraph("", style=styles["body"])  # a blank line under the title, as the standard sets
        del p
    elif line.kind == "meta":
        p = doc.add_paragraph(style=styles["body"])
        p.add_run(f"{line.label}：", style=styles["label"])
        p.add_run(line.text)
    elif line.kind in ("p", "note"):
        doc.add_paragraph(line.text, style=styles["body"])
    elif line.kind in ("h1", "h2", "h3"):
        p = doc.add_paragraph(line.text, style=styles[line.kind])
        p.paragraph_format.keep_with_next = True  # a heading never ends a page
    elif line.kind == "break":
        doc.add_paragraph("", style=styles["body"])
    elif line.kind == "table" and line.rows:
        _table(doc, styles, line.rows)
    elif line.kind == "banji":
        _banji(doc, styles, line.text)


def _table(doc, styles: dict, rows: list[list[str]]) -> None:
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(rows):
        for cell, value in zip(table.add_row().cells, row):
            p = cell.paragraphs[0]
            p.style = styles["table"]
            run = p.add_run(value)
            if r == 0:
                run.bold = True
                _fonts(run, HEI_FONT)


def _banji(doc, styles: dict, text: str) -> None:
    """A 版记 line between rules: "发送:", "…印发"."""
    p = doc.add_paragraph(style=styles["banji"])
    left, _, right = text.partition("\t")
    p.add_run(left)
    if right:
        pf = p.paragraph_format
        tab_stops = pf.tab_stops
        tab_stops.add_tab_stop(Mm(PAGE["width"] - PAGE["left"] - PAGE["right"] - 4), alignment=2)  # right tab
        p.add_run("\t" + right)
    ppr = p._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "bottom"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    ppr.append(borders)
