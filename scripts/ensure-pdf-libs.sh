#!/usr/bin/env bash
# The value report's PDF is drawn by WeasyPrint, which loads Pango (with its FreeType backend), HarfBuzz's subsetter,
# fontconfig and GLib at run time, and needs a font. Debian 12 names them below; install those that are missing.
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 libglib2.0-0 fonts-dejavu-core)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "The PDF reports need Pango, HarfBuzz and a font (Debian: ${missing[*]}); install them." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "Installing ${missing[*]} needs root (or sudo)." >&2
    exit 1
  fi
fi
echo "Installing the libraries the PDF reports need: ${missing[*]}…"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
