"""Stage 1 of ingest: read a file (bytes + name) into raw text, refusing what we cannot read.

Text formats are decoded strictly: UTF-8 first, then GB18030 (a superset of GBK/GB2312) when the
result looks like Chinese, then charset-normalizer as a last resort. HTML goes through
trafilatura so menus and footers stay out; .docx through python-docx; .pdf through pypdf's text
layer. The returned text is raw (before cleaning) with newlines normalised to "\\n".
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from huiyi.errors import BadInput, EmptyDocument, NotFound, TooLarge, UnsupportedFormat
from huiyi.index.records import LoadedText

FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
ACCEPTED = ".txt, .md, .html/.htm, .docx, .pdf"

# Leading bytes of common binary formats; a text-named file starting with one is not text.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (.docx/.xlsx/.zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document (.doc/.xls)"),
    (b"\x7fELF", "executable"),
    (b"MZ", "Windows executable"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!", "RAR archive"),
    (b"RIFF", "audio/video file"),
    (b"OggS", "audio file"),
    (b"ID3", "MP3 audio"),
    (b"{\\rtf", "RTF document"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Control characters other than tab/newline/form feed mean the bytes were not really text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class LoadLimits:
    """Bounds on what one untrusted file may cost to read (sizes the upload limit alone cannot see)."""

    max_pages: int = 2000  # PDF pages
    max_unzipped_bytes: int = 100 * 1024 * 1024  # .docx: sum of the declared sizes of its parts
    max_zip_ratio: float = 200.0  # .docx: declared size / compressed size of any part over 1 MiB
    max_zip_entries: int = 5000
    max_chars: int = 5_000_000  # extracted text


DEFAULT_LIMITS = LoadLimits()


def load_path(path: str | Path, *, max_bytes: int) -> LoadedText:
    """Read a file from disk; the size is checked before the bytes are read."""
    p = Path(path)
    if not p.exists():
        raise NotFound(f"文件不存在 / file not found: {p}")
    if not p.is_file():
        raise BadInput(f"不是文件 / not a file: {p} — pass a file, or a folder to `huiyi ingest`.")
    size = p.stat().st_size
    _check_size(size, p.name, max_bytes)
    return load_bytes(p.read_bytes(), p.name, max_bytes=max_bytes)


def load_bytes(data: bytes, name: str, *, max_bytes: int, limits: LoadLimits = DEFAULT_LIMITS) -> LoadedText:
    """Turn uploaded bytes into raw text according to the file name's extension."""
    fmt = precheck(data, name, max_bytes=max_bytes, limits=limits)
    readers = {"txt": _read_text, "md": _read_text, "html": _read_html, "docx": _read_docx, "pdf": _read_pdf}
    hidden: list[str] = []
    if fmt == "html":
        text, encoding = _read_html(data, name, hidden)
    elif fmt == "pdf":
        text, encoding = _read_pdf(data, name, limits)
    else:
        text, encoding = readers[fmt](data, name)
    if len(text) > limits.max_chars:
        raise TooLarge(
            f"文字过多 / {name} holds over {limits.max_chars} characters of text; split it into several files.",
            code="too_much_text",
        )
    text = _NEWLINES.sub("\n", text)
    if not text.strip():
        raise EmptyDocument(f"文件没有文字内容 / no text found in {name} — upload a report with text in it.")
    return LoadedText(text=text, source=name, format=fmt, encoding=encoding, hidden=hidden)


def precheck(data: bytes, name: str, *, max_bytes: int, limits: LoadLimits = DEFAULT_LIMITS) -> str:
    """The cheap checks, run before any parser sees the bytes: format, size, emptiness, zip bombs. Returns the format."""
    fmt = _format_of(name)
    _check_size(len(data), name, max_bytes)
    if not data.strip():
        raise EmptyDocument(f"文件为空 / the file is empty: {name} — upload a report with text in it.")
    if fmt in ("txt", "md", "html"):
        for magic, what in _MAGIC:
            if data.startswith(magic):
                raise _looks_binary(name, what)
    if fmt == "docx":
        check_zip(data, name, limits)
    return fmt


def check_zip(data: bytes, name: str, limits: LoadLimits) -> None:
    """Refuse a .docx whose parts would inflate past the limits, reading only the zip's directory."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnsupportedFormat(f"无法读取 .docx / {name} is not a valid .docx file; open it in Word and save it as .docx again.") from exc
    if len(infos) > limits.max_zip_entries:
        raise TooLarge(f"{name}: {len(infos)} parts in one .docx (limit {limits.max_zip_entries}).", code="decompressed_too_large")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unzipped_bytes:
        raise TooLarge(
            f"解压后过大 / {name} would inflate to {total} bytes (limit {limits.max_unzipped_bytes}); "
            "save the report without embedded media, or split it.",
            code="decompressed_too_large",
        )
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
            raise TooLarge(
                f"压缩比异常 / {name}: part {info.filename[:60]!r} inflates {info.file_size // max(info.compress_size, 1)}× "
                f"(limit {limits.max_zip_ratio:.0f}×) — a zip bomb, not a report.",
                code="zip_bomb",
            )


def _format_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "(no extension)"
        raise UnsupportedFormat(f"不支持的文件格式 / unsupported format {shown} for {name}; accepted formats: {ACCEPTED}.")
    return FORMATS[suffix]


def _check_size(size: int, name: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise TooLarge(
            f"文件过大 / {name} is {size} bytes, over the limit of {max_bytes} bytes; "
            "split the file or raise HUIYI_MAX_UPLOAD_BYTES."
        )


def _looks_binary(name: str, what: str) -> UnsupportedFormat:
    return UnsupportedFormat(
        f"文件看起来是二进制文件而不是文本 / {name} looks binary ({what}), not text; "
        f"save it as one of {ACCEPTED} and upload again."
    )


def decode_text(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode text bytes strictly; returns (text, encoding) or raises UnsupportedFormat for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise _looks_binary(name, f"invalid {encoding}") from exc
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _looks_binary(name, what)
    if b"\x00" in data[:8192]:
        raise _looks_binary(name, "contains NUL bytes")
    text, encoding = _decode_without_bom(data)
    if text is None:
        raise _looks_binary(name, "no text encoding fits")
    if len(_CONTROL.findall(text)) > max(2, len(text) // 1000):
        raise _looks_binary(name, "control characters")
    return text, encoding


def _decode_without_bom(data: bytes) -> tuple[str | None, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # GBK is a subset of GB18030; report the narrower name when it suffices (what users call it).
    for encoding in ("gbk", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible_chinese(text):
            return text, encoding
    from charset_normalizer import from_bytes  # lazy: only odd encodings need it

    best = from_bytes(data).best()
    if best is None:
        return None, ""
    return str(best), best.encoding


def _plausible_chinese(text: str) -> bool:
    """True when almost every character is CJK, ASCII or common punctuation (GB18030 decodes noise too)."""
    if not text:
        return False
    ok = sum(1 for ch in text if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u206f")
    return ok / len(text) >= 0.95


def _read_text(data: bytes, name: str) -> tuple[str, str | None]:
    return decode_text(data, name)


def _read_html(data: bytes, name: str, hidden: list[str] | None = None) -> tuple[str, str | None]:
    import trafilatura  # lazy: heavy import, only HTML needs it

    from huiyi.index.hidden import drop_hidden

    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _looks_binary(name, what)
    text, encoding = decode_text(data, name)
    text, dropped = drop_hidden(text)  # text a reader cannot see is not part of the report
    if hidden is not None:
        hidden.extend(dropped)
    extracted = trafilatura.extract(text, include_comments=False, include_tables=True, favor_recall=True)
    if not extracted or not extracted.strip():
        extracted = _html_plain_text(text)
    return extracted, encoding


def _html_plain_text(html: str) -> str:
    """Fallback when trafilatura finds no main text: every visible block, minus scripts and navigation."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # lxml raises several types on junk input; the caller reports "empty"
        return ""
    for bad in root.xpath("//script|//style|//noscript|//nav|//header|//footer|//head"):
        bad.drop_tree()
    lines = (line.strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _read_docx(data: bytes, name: str) -> tuple[str, str | None]:
    import docx  # python-docx, lazy
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnsupportedFormat(f"无法读取 .docx / {name} is not a valid .docx file; open it in Word and save it as .docx again.") from exc
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_rows(item))
        else:
            blocks.append(item.text)
    return "\n".join(blocks), None


def _table_rows(table) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            value = cell.text.strip()
            if not cells or cells[-1] != value:  # merged cells repeat their text in python-docx
                cells.append(value)
        rows.append("\t".join(cells))
    return rows


def _read_pdf(data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise _looks_binary(name, "not a PDF")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedFormat(f"PDF 已加密 / {name} is password-protected; remove the password and upload again.")
        count = len(reader.pages)
        if count > limits.max_pages:
            raise TooLarge(
                f"页数过多 / {name} has {count} pages (limit {limits.max_pages}); split it into several files.",
                code="too_many_pages",
            )
        pages, chars = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            chars += len(pages[-1])
            if chars > limits.max_chars:
                break  # load_bytes reports too_much_text
    except PdfReadError as exc:
        raise UnsupportedFormat(f"无法读取 PDF / {name} is damaged or not a PDF; export it again and retry.") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise UnsupportedFormat(
            f"PDF 没有文字层 / {name} has no text layer (a scan); run OCR on it (e.g. ocrmypdf) and upload the result.",
            code="no_text_layer",
        )
    return text, None
