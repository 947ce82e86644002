"""Parsing untrusted files in the sandbox: every limit breached gives a clear code, the parent stays small."""

from __future__ import annotations

import resource
import time

import pytest

from huiyi.errors import HuiyiError
from huiyi.index.load import LoadLimits, load_bytes
from huiyi.index.sandbox import SandboxLimits, load_isolated
from tests.support.hostile import HIDDEN_HTML, many_page_pdf, zip_bomb_docx

MB = 1 << 20


def _code(call) -> tuple[str, int]:
    with pytest.raises(HuiyiError) as err:
        call()
    return err.value.code, err.value.http_status


def test_ordinary_files_parse_in_the_sandbox():
    loaded = load_isolated("某县召开全会。上半年GDP增长5.9%。".encode("gbk"), "a.txt", max_bytes=MB)
    assert loaded.text.startswith("某县召开全会") and loaded.encoding == "gbk"
    html = load_isolated(HIDDEN_HTML.encode(), "b.html", max_bytes=MB)
    assert len(html.hidden) == 5  # the cleaning report survives the trip through the child


def test_errors_from_the_child_keep_their_codes():
    assert _code(lambda: load_isolated(b"\x89PNG\r\n\x1a\n\x00\x00", "x.txt", max_bytes=MB)) == ("unsupported_format", 415)
    assert _code(lambda: load_isolated(b"PK\x03\x04broken", "x.docx", max_bytes=MB))[1] == 415
    assert _code(lambda: load_isolated(b"%PDF-1.4 garbage", "x.pdf", max_bytes=MB))[1] in (415, 422)


def test_zip_bomb_is_refused_from_the_directory_alone():
    bomb = zip_bomb_docx(1024 * MB)  # ~1 MB that inflates to 1 GiB
    assert len(bomb) < 2 * MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    assert _code(lambda: load_bytes(bomb, "bomb.docx", max_bytes=20 * MB)) == ("decompressed_too_large", 413)
    ratio_bomb = zip_bomb_docx(90 * MB)  # under the total, but 1000:1
    assert _code(lambda: load_bytes(ratio_bomb, "bomb.docx", max_bytes=20 * MB)) == ("zip_bomb", 413)
    assert time.perf_counter() - t0 < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: nothing was inflated


def test_memory_limit_stops_a_bomb_that_passes_the_ratio_checks():
    bomb = zip_bomb_docx(300 * MB)
    lax = SandboxLimits(memory_bytes=128 * MB, load=LoadLimits(max_unzipped_bytes=10**12, max_zip_ratio=10**9))
    assert _code(lambda: load_isolated(bomb, "bomb.docx", max_bytes=20 * MB, limits=lax)) == ("parse_memory", 422)


def test_page_cap_and_timeout():
    pdf = many_page_pdf(5000)
    t0 = time.perf_counter()
    assert _code(lambda: load_isolated(pdf, "big.pdf", max_bytes=20 * MB)) == ("too_many_pages", 413)
    assert time.perf_counter() - t0 < 20
    slow = SandboxLimits(seconds=0.05, load=LoadLimits(max_pages=10**6))
    assert _code(lambda: load_isolated(pdf, "big.pdf", max_bytes=20 * MB, limits=slow)) == ("parse_timeout", 422)
    # The helper survives a killed child and parses the next file.
    assert load_isolated("之后的文件。".encode(), "c.txt", max_bytes=MB).text == "之后的文件。"
