"""Render a .docx the way an office will see it: LibreOffice (headless) to PDF, pdftoppm to PNG.

Used by the document-rendering tests and to refresh docs/screenshots; not needed to serve. The 公文 fonts are
mapped to free CJK fonts through huiyi/summary/fonts.conf (FONTCONFIG_FILE), so a machine without Word's
fonts renders the same layout. Install the tools with `scripts/install_office.sh` (or `make office`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FONTS_CONF = Path(__file__).resolve().parent / "fonts.conf"
TIMEOUT = 180  # seconds; a cold LibreOffice start on two busy cores takes tens of seconds


class OfficeMissing(RuntimeError):
    """soffice or pdftoppm is not installed."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None and shutil.which("pdftoppm") is not None


def _env(profile: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    env["HOME"] = str(profile)  # a private profile: parallel runs and a user's own LibreOffice never collide
    return env


def docx_to_pdf(docx: Path, outdir: Path) -> Path:
    """Convert with a private LibreOffice profile; returns the PDF's path."""
    binary = soffice()
    if binary is None:
        raise OfficeMissing("LibreOffice is not installed: run scripts/install_office.sh (apt-get install libreoffice-writer-nogui).")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="huiyi-lo-") as profile:
        cmd = [binary, f"-env:UserInstallation=file://{profile}/lo", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=TIMEOUT, env=_env(Path(profile)))
    pdf = outdir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {docx}")
    return pdf


def pdf_to_pngs(pdf: Path, prefix: Path, dpi: int = 80) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        raise OfficeMissing("pdftoppm is not installed: run scripts/install_office.sh (apt-get install poppler-utils).")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, capture_output=True, timeout=TIMEOUT)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))
