#!/usr/bin/env bash
# Install the browser the web-page tests drive: Debian's chromium plus a CJK font so Chinese
# renders in screenshots. Never `playwright install` (it downloads its own build).
# Idempotent: does nothing when both packages are already installed.
set -euo pipefail

PACKAGES=(chromium fonts-noto-cjk)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ -x /usr/bin/chromium ] && [ ${#missing[@]} -eq 0 ]; then
  echo "browser ready: /usr/bin/chromium and fonts-noto-cjk are installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
test -x /usr/bin/chromium
echo "browser ready: /usr/bin/chromium installed"
