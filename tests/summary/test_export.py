"""Markdown and .docx exports: every section present, the indicator table, a CJK font, XML-safe text."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from huiyi.summary.export import FONT, INDICATOR_HEADER, SECTIONS, to_docx, to_markdown
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.models import MeetingSummary, TextField

DOC_IDS = ["000_4803b7c4fa62c0f1", "003_d2c5f6ae42d6725c", "004_85b44ce977ed7e00"]


def _headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_docx_reads_back_with_every_section(seed_docs, doc_id):
    summary = summarize_offline(seed_docs[doc_id])
    document = docx.Document(io.BytesIO(to_docx(summary)))
    headings = _headings(document)
    assert headings[0].endswith("会议纪要")
    for section in SECTIONS:
        assert section in headings
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == INDICATOR_HEADER
    assert len(table.rows) == len(summary.indicators) + 1
    assert table.rows[1].cells[0].text == summary.indicators[0].name


def test_docx_table_values_and_undisclosed(seed_docs):
    document = docx.Document(io.BytesIO(to_docx(summarize_offline(seed_docs["004_85b44ce977ed7e00"]))))
    values = [row.cells[1].text for row in document.tables[0].rows[1:]]
    assert values and all(v.startswith("未披露") for v in values)


def test_docx_uses_an_east_asian_font(seed_docs):
    document = docx.Document(io.BytesIO(to_docx(summarize_offline(seed_docs["000_4803b7c4fa62c0f1"]))))
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == FONT


def test_markdown_has_the_same_sections(seed_docs):
    summary = summarize_offline(seed_docs["000_4803b7c4fa62c0f1"])
    md = to_markdown(summary)
    assert md.startswith("# ") and "会议纪要" in md.splitlines()[0]
    for section in SECTIONS:
        assert f"## {section}" in md
    assert "| " + " | ".join(INDICATOR_HEADER) + " |" in md
    assert md.count("\n| ") == len(summary.indicators) + 1  # header + one row per indicator
    assert "1. 要盯指标" in md and "应到30人" in md


def test_empty_summary_renders_with_not_found():
    summary = MeetingSummary(doc_id="x", title="无题")
    summary.not_found = summary.missing_fields()
    md = to_markdown(summary)
    assert "未找到" in md and "(未找到)" in md
    document = docx.Document(io.BytesIO(to_docx(summary)))
    assert set(SECTIONS) <= set(_headings(document))


def test_control_characters_cannot_break_the_docx():
    summary = MeetingSummary(doc_id="x", title="标题\x00\x0b", name=TextField(value="会议\x01名称\ufffe"))
    document = docx.Document(io.BytesIO(to_docx(summary)))
    assert _headings(document)[0] == "会议名称会议纪要"
    assert "\x01" not in to_markdown(summary)
