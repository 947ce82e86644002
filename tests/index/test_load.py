"""load_bytes / load_path: formats, encodings and the inputs we refuse."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest

from huiyi.errors import EmptyDocument, NotFound, TooLarge, UnsupportedFormat
from huiyi.index import load as load_mod
from huiyi.index.load import load_bytes, load_path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
MAX = 1_000_000


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def png_bytes() -> bytes:
    """A real 1x1 PNG: signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf_with_text(line: str) -> bytes:
    """A one-page PDF whose content stream draws `line` in Helvetica (a real text layer)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({line}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_without_text() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_files_load_as_utf8_unchanged(prefix):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    loaded = load_path(path, max_bytes=MAX)
    assert loaded.text == path.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert loaded.format == "txt" and loaded.encoding == "utf-8"
    assert loaded.source == path.name


def test_gbk_encoded_seed_loads_back_equal():
    text = seed_text("001")
    loaded = load_bytes(text.encode("gbk"), "report.txt", max_bytes=MAX)
    assert loaded.text == text
    assert loaded.encoding in {"gbk", "gb18030"}


def test_gb18030_only_characters_decode():
    text = seed_text("000")[:500] + "\n生僻字𠮷与㐀也要保留。\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    loaded = load_bytes(text.encode("gb18030"), "report.md", max_bytes=MAX)
    assert loaded.text == text
    assert loaded.encoding == "gb18030" and loaded.format == "md"


def test_utf8_bom_is_dropped():
    text = seed_text("002")
    loaded = load_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.txt", max_bytes=MAX)
    assert loaded.text == text and not loaded.text.startswith("\ufeff")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(encoding):
    text = "衡东县委十四届五次全体会议召开。\n全县GDP增长5.9 %。"
    data = text.encode(encoding) if encoding == "utf-16" else b"\xfe\xff" + text.encode(encoding)
    assert load_bytes(data, "a.txt", max_bytes=MAX).text == text


def test_newlines_are_normalised():
    loaded = load_bytes("第一行\r\n第二行\r第三行\n".encode(), "a.txt", max_bytes=MAX)
    assert loaded.text == "第一行\n第二行\n第三行\n"


@pytest.mark.parametrize("data", [b"", b"   \n\t \r\n", "\u3000\u3000\n".encode()])
def test_empty_or_whitespace_only(data):
    with pytest.raises(EmptyDocument) as err:
        load_bytes(data, "empty.txt", max_bytes=MAX)
    assert err.value.code == "empty_document"


def test_png_renamed_txt_is_refused_as_binary():
    with pytest.raises(UnsupportedFormat) as err:
        load_bytes(png_bytes(), "photo.txt", max_bytes=MAX)
    assert "binary" in err.value.message and "PNG" in err.value.message


def test_nul_bytes_under_text_name_are_binary():
    with pytest.raises(UnsupportedFormat, match="binary"):
        load_bytes(b"abc\x00\x01\x02def" * 10, "data.txt", max_bytes=MAX)


def test_undecodable_noise_is_binary():
    noise = bytes(range(128, 256)) * 8  # no NUL, no magic, not UTF-8, not plausible GB18030
    with pytest.raises(UnsupportedFormat, match="binary"):
        load_bytes(noise, "noise.txt", max_bytes=MAX)


def test_over_the_limit_names_limit_and_setting(tmp_path):
    data = "会议".encode() * 60
    with pytest.raises(TooLarge) as err:
        load_bytes(data, "big.txt", max_bytes=100)
    assert "100" in err.value.message and "HUIYI_MAX_UPLOAD_BYTES" in err.value.message
    assert err.value.http_status == 413
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    with pytest.raises(TooLarge):
        load_path(path, max_bytes=100)


@pytest.mark.parametrize("name", ["setup.exe", "report", "sheet.xlsx"])
def test_unknown_extension_lists_accepted_formats(name):
    with pytest.raises(UnsupportedFormat) as err:
        load_bytes(b"hello", name, max_bytes=MAX)
    assert err.value.code == "unsupported_format"
    assert ".docx" in err.value.message and ".pdf" in err.value.message and ".txt" in err.value.message


def test_missing_path_is_not_found(tmp_path):
    with pytest.raises(NotFound):
        load_path(tmp_path / "nope.txt", max_bytes=MAX)


NAV_PAGE = """<!doctype html><html><head><meta charset="{charset}"><title>衡东县召开全县经济运行分析会</title></head>
<body><nav><ul><li><a href="/">网站首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/bsfw">办事服务</a></li>
<li><a href="/hdjl">互动交流</a></li></ul></nav>
<div class="sidebar"><a href="/map">网站地图</a> <a href="/lx">联系我们</a></div>
<article><h1>衡东县召开全县经济运行分析会</h1>
<p>7月28日,全县经济运行分析会在县政府召开。县委书记出席会议并讲话,会议通报了上半年全县经济运行情况。</p>
<p>上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%;固定资产投资增长15.3 %。会议要求,全县上下要全力以赴抓落实。</p>
</article><footer>版权所有 衡东县人民政府 备案号12345</footer></body></html>"""


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_html_keeps_main_text_and_drops_menus(charset):
    page = NAV_PAGE.format(charset=charset)
    loaded = load_bytes(page.encode(charset), "news.html", max_bytes=MAX)
    assert loaded.format == "html"
    assert "上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%" in loaded.text
    for menu in ("政务公开", "办事服务", "网站地图", "联系我们"):
        assert menu not in loaded.text


def test_html_falls_back_to_plain_text_when_trafilatura_finds_nothing(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    loaded = load_bytes(NAV_PAGE.format(charset="utf-8").encode(), "news.htm", max_bytes=MAX)
    assert "全县GDP增长5.9 %" in loaded.text
    assert "政务公开" not in loaded.text  # <nav> is dropped in the fallback too


def test_docx_paragraphs_and_tables_in_order():
    import docx

    document = docx.Document()
    document.add_heading("县委十四届五次全体会议", level=1)
    document.add_paragraph("1月10日,衡东县委十四届五次全体会议召开。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "增速"
    table.cell(1, 0).text, table.cell(1, 1).text = "地区生产总值", "5.7%"
    document.add_paragraph("会议号召全县上下团结奋斗。")
    buf = io.BytesIO()
    document.save(buf)
    loaded = load_bytes(buf.getvalue(), "纪要.docx", max_bytes=MAX)
    assert loaded.format == "docx"
    lines = loaded.text.split("\n")
    assert lines[0] == "县委十四届五次全体会议"
    assert "地区生产总值\t5.7%" in lines
    assert lines.index("地区生产总值\t5.7%") < lines.index("会议号召全县上下团结奋斗。")


def test_invalid_docx_is_refused():
    with pytest.raises(UnsupportedFormat, match="docx"):
        load_bytes("这不是一个docx文件".encode(), "fake.docx", max_bytes=MAX)


def test_pdf_with_text_layer():
    loaded = load_bytes(pdf_with_text("Hengdong county GDP grew 5.9% in H1 2023"), "report.pdf", max_bytes=MAX)
    assert loaded.format == "pdf"
    assert "Hengdong county GDP grew 5.9% in H1 2023" in loaded.text


def test_pdf_without_text_layer_asks_for_ocr():
    with pytest.raises(UnsupportedFormat) as err:
        load_bytes(pdf_without_text(), "scan.pdf", max_bytes=MAX)
    assert err.value.code == "no_text_layer"
    assert "OCR" in err.value.message


def test_png_renamed_pdf_is_refused():
    with pytest.raises(UnsupportedFormat, match="binary"):
        load_bytes(png_bytes(), "scan.pdf", max_bytes=MAX)


def test_format_table_covers_contract_formats():
    assert set(load_mod.FORMATS.values()) == {"txt", "md", "html", "docx", "pdf"}
