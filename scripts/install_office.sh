#!/usr/bin/env bash
# Install what the document-rendering tests convert with: LibreOffice Writer (headless, no GUI),
# poppler-utils (pdftoppm, pdfinfo, pdffonts, pdftotext) and free CJK fonts the 公文 fonts fall back to
# on Linux (Noto Serif/Sans CJK for 宋体/仿宋/黑体, AR PL UKai for 楷体; see huiyi/summary/fonts.conf).
# Idempotent: does nothing when every package is already installed. Root (or sudo), as on CI.
set -euo pipefail

PACKAGES=(libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ] && command -v soffice >/dev/null && command -v pdftoppm >/dev/null; then
  echo "office ready: soffice and pdftoppm are installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
command -v soffice >/dev/null
command -v pdftoppm >/dev/null
echo "office ready: $(soffice --version 2>/dev/null | head -1)"
