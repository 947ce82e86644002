"""Markdown and .docx exports, audit and clean: every section present, the indicator table with withheld figures
collapsed, a CJK font, XML-safe text, a title that never doubles "会议"."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from huiyi.summary.clean import minutes_title
from huiyi.summary.export import FONT, INDICATOR_HEADER, SECTIONS, to_docx, to_markdown
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.models import MeetingSummary, TextField

DOC_IDS = ["000_4803b7c4fa62c0f1", "003_d2c5f6ae42d6725c", "004_85b44ce977ed7e00"]


def _headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_docx_reads_back_with_every_section(seed_docs, doc_id):
    summary = summarize_offline(seed_docs[doc_id])
    document = docx.Document(io.BytesIO(to_docx(summary, "audit")))
    headings = _headings(document)
    assert headings[0].endswith("纪要") and "会议会议" not in headings[0]
    for section in SECTIONS:
        assert section in headings
    disclosed = [i for i in summary.indicators if not i.undisclosed]
    if disclosed:
        table = document.tables[0]
        assert [c.text for c in table.rows[0].cells] == INDICATOR_HEADER
        assert len(table.rows) == len(disclosed) + 1
        assert table.rows[1].cells[0].text.startswith(disclosed[0].name)


def test_withheld_figures_collapse_to_one_line(seed_docs):
    summary = summarize_offline(seed_docs["004_85b44ce977ed7e00"])
    withheld = sum(1 for i in summary.indicators if i.undisclosed)
    assert withheld >= 10
    for variant in ("audit", "clean"):
        document = docx.Document(io.BytesIO(to_docx(summary, variant)))
        texts = [p.text for p in document.paragraphs]
        assert sum(f"另有{withheld}项指标未披露具体数值" in t for t in texts) == 1, variant
        assert not any("X" in c.text for t in document.tables for row in t.rows for c in row.cells)


def test_docx_uses_an_east_asian_font(seed_docs):
    document = docx.Document(io.BytesIO(to_docx(summarize_offline(seed_docs["000_4803b7c4fa62c0f1"]), "audit")))
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == FONT


def test_markdown_has_the_same_sections(seed_docs):
    summary = summarize_offline(seed_docs["000_4803b7c4fa62c0f1"])
    md = to_markdown(summary, "audit")
    assert md.startswith("# ") and md.splitlines()[0].endswith("讲评会纪要")
    for section in SECTIONS:
        assert f"## {section}" in md
    assert "| " + " | ".join(INDICATOR_HEADER) + " |" in md
    assert md.count("\n| ") == len([i for i in summary.indicators if not i.undisclosed]) + 1  # header + one row each
    assert "1. 要盯指标" in md and "应到30人" in md


def test_empty_summary_renders_with_not_found():
    summary = MeetingSummary(doc_id="x", title="无题")
    summary.not_found = summary.missing_fields()
    md = to_markdown(summary, "audit")
    assert "未找到" in md and "(未找到)" in md
    document = docx.Document(io.BytesIO(to_docx(summary, "audit")))
    assert set(SECTIONS) <= set(_headings(document))
    clean = to_markdown(summary)
    assert clean.startswith("# 无题纪要") and "发送" in clean
    docx.Document(io.BytesIO(to_docx(summary)))  # a clean .docx of nothing still opens


def test_control_characters_cannot_break_the_docx():
    summary = MeetingSummary(doc_id="x", title="标题\x00\x0b", name=TextField(value="会议\x01名称\ufffe"))
    document = docx.Document(io.BytesIO(to_docx(summary, "audit")))
    assert _headings(document)[0] == "会议名称纪要"
    assert "\x01" not in to_markdown(summary, "audit")
    clean = docx.Document(io.BytesIO(to_docx(summary)))
    assert clean.paragraphs[0].text == "会议名称纪要"


@pytest.mark.parametrize(("name", "title"), [
    ("中国共产党某某县第十四届委员会第四次全体会议暨全县重点工作讲评会", "中国共产党某某县第十四届委员会第四次全体会议暨全县重点工作讲评会纪要"),
    ("全县安全生产部署会议", "全县安全生产部署会议纪要"),
    ("全县安全生产部署会议纪要", "全县安全生产部署会议纪要"),
    ("县政府第12次常务会议", "县政府第12次常务会议纪要"),
])
def test_title_never_doubles(name, title):
    assert minutes_title(MeetingSummary(doc_id="x", title="t", name=TextField(value=name))) == title


def test_clean_copy_has_no_marks_and_a_header_block(seed_docs):
    summary = summarize_offline(seed_docs["001_715056be48430865"])
    md = to_markdown(summary)
    assert "[1]" not in md and "字:“" not in md and "## 出处" not in md
    assert "**主持**：区委常委会" in md and "## 一、" in md and "发送:" in md
    document = docx.Document(io.BytesIO(to_docx(summary)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert document.paragraphs[0].style.name == "纪要标题"
    with_sources = to_markdown(summary, sources_appendix=True)
    assert "附：出处" in with_sources


def test_an_office_template_supplies_page_and_styles(seed_docs, tmp_path):
    template = docx.Document()
    template.sections[0].left_margin = docx.shared.Mm(30)
    style = template.styles.add_style("纪要正文", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    style.font.size = docx.shared.Pt(15)
    path = tmp_path / "office.docx"
    template.save(path)
    summary = summarize_offline(seed_docs["001_715056be48430865"])
    document = docx.Document(io.BytesIO(to_docx(summary, template=path)))
    assert round(document.sections[0].left_margin.mm) == 30  # the office's page, not the built-in one
    assert document.styles["纪要正文"].font.size.pt == 15  # the office's body style
    assert any(p.style.name == "纪要正文" for p in document.paragraphs)
