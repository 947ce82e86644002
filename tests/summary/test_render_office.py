"""The clean 会议纪要 as an office sees it: .docx → PDF (LibreOffice) → PNG (pdftoppm), then measured.

Tier `office` (scripts/install_office.sh installs LibreOffice Writer, poppler-utils and the CJK fonts; `make test`
runs it). Off CI a missing tool skips; on CI it fails. `HUIYI_SCREENSHOTS=1` copies the pages to docs/screenshots.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from huiyi.summary import gongwen
from huiyi.summary.clean import minutes_title
from huiyi.summary.export import to_docx
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.office import available, docx_to_pdf, pdf_to_pngs
from tests.summary.samples import NOTICE

pytestmark = pytest.mark.office

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
TOLERANCE = 1.5  # points


@pytest.fixture(scope="module", autouse=True)
def office_tools():
    if not available():
        message = "LibreOffice or pdftoppm is not installed: run `make office` (scripts/install_office.sh)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def rendered(seed_docs, make_doc, tmp_path_factory):
    """(summary, docx bytes, pdf path, png paths) for a seed report and for a made-up notice."""
    out = {}
    tmp = tmp_path_factory.mktemp("office")
    for key, doc in (("seed", seed_docs["000_4803b7c4fa62c0f1"]), ("notice", make_doc(NOTICE, "notice"))):
        summary = summarize_offline(doc)
        body = to_docx(summary, variant="clean")
        path = tmp / f"{key}.docx"
        path.write_bytes(body)
        pdf = docx_to_pdf(path, tmp)
        pngs = pdf_to_pngs(pdf, tmp / f"{key}-page")
        out[key] = (summary, body, pdf, pngs)
        if os.environ.get("HUIYI_SCREENSHOTS"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            for i, png in enumerate(pngs[:2], 1):
                shutil.copy(png, SHOTS / f"minutes-{key}-page{i}.png")
    return out


def _words(pdf: Path) -> list[dict]:
    """Every word PDF text extraction finds, with its page and box in points."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    words, page = [], 0
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            words.append({"page": page, "x0": x0, "y0": y0, "x1": x1, "y1": y1, "text": m.group(5)})
    return words


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("key", ["seed", "notice"])
def test_page_is_a4_and_text_stays_inside_the_margins(rendered, key):
    _, _, pdf, pngs = rendered[key]
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    w, h = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(w - A4[0]) < TOLERANCE and abs(h - A4[1]) < TOLERANCE
    assert pngs, "pdftoppm wrote no page"
    page = gongwen.PAGE
    left, right = page["left"] * MM, A4[0] - page["right"] * MM
    top, bottom = page["top"] * MM, A4[1] - page["bottom"] * MM
    words = _words(pdf)
    body = [wd for wd in words if not re.fullmatch(r"[—\-–]*\d*[—\-–]*", wd["text"])]
    assert body
    assert min(wd["x0"] for wd in body) >= left - TOLERANCE
    assert max(wd["x1"] for wd in body) <= right + TOLERANCE
    assert min(wd["y0"] for wd in body) >= top - TOLERANCE
    assert max(wd["y1"] for wd in body) <= bottom + TOLERANCE
    numbers = [wd for wd in words if re.fullmatch(r"\d+", wd["text"]) and wd["y0"] > bottom]
    assert numbers, "no page number under the text block"


@pytest.mark.parametrize("key", ["seed", "notice"])
def test_body_is_fangsong_three_at_a_fixed_28_point_pitch(rendered, key):
    summary, body, pdf, _ = rendered[key]
    document = docx.Document(io.BytesIO(body))
    style = document.styles[gongwen.STYLE_NAMES["body"]]
    fonts = style.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋" and style.font.size.pt == 16
    assert style.paragraph_format.line_spacing.pt == 28
    title = document.styles[gongwen.STYLE_NAMES["title"]]
    assert title.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == gongwen.TITLE_FONT and title.font.size.pt == 22
    # Rendered: a CJK character of the body is 16 points wide, and lines of one paragraph sit 28 points apart.
    words = _words(pdf)
    singles = [wd for wd in words if len(wd["text"]) == 1 and "\u4e00" <= wd["text"] <= "\u9fff" and wd["y0"] > 150]
    assert singles and abs(sorted(wd["x1"] - wd["x0"] for wd in singles)[len(singles) // 2] - 16) < 0.6
    tops = sorted({(wd["page"], round(wd["y0"], 1)) for wd in words if wd["y0"] > 200 and wd["x0"] < 120})
    steps = [b[1] - a[1] for a, b in zip(tops, tops[1:]) if a[0] == b[0]]
    assert steps and min(abs(s - 28) for s in steps) < 0.6 and sum(abs(s - 28) < 0.6 for s in steps) >= len(steps) // 2
    fonts_used = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "NotoSerifCJK" in fonts_used  # 仿宋/小标宋 rendered through huiyi/summary/fonts.conf
    assert "NotoSansCJK" in fonts_used  # 黑体 headings and labels


@pytest.mark.parametrize("key", ["seed", "notice"])
def test_clean_copy_has_no_marks_and_one_title(rendered, key):
    summary, _, pdf, _ = rendered[key]
    text = _text(pdf)
    assert not re.search(r"\[\d+\]", text), "a citation mark in the clean copy"
    assert "字:“" not in text and "出处" not in text  # no offsets, no 出处 appendix by default
    flat = re.sub(r"\s", "", text)
    title = minutes_title(summary)
    assert flat.count(title) == 1 and "会议会议" not in flat and "纪要纪要" not in flat
    assert "发送" in flat and "印发" in flat  # 版记 lines for the office to fill
    assert "—1—" in flat


def test_notice_renders_its_headed_elements(rendered):
    summary, _, pdf, _ = rendered["notice"]
    flat = re.sub(r"\s", "", _text(pdf))
    assert flat.startswith("全县秋季森林防火工作部署会议纪要")
    for needle in ("时间：2025年10月16日", "地点：县政府三楼第一会议室", "会议议程", "县林业局通报今年以来全县森林防火工作情况", "会务要求"):
        assert needle in flat, needle
