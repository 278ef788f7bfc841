#!/usr/bin/env bash
# Installs every Debian package formscan needs to build, test and run.
# Idempotent: safe to run again. Needs root (or sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libopencv-dev
  libtesseract-dev tesseract-ocr tesseract-ocr-chi-sim libleptonica-dev
  libpoco-dev libpq-dev libsqlite3-dev postgresql
  libgtest-dev libgmock-dev
  libtiff-dev libpng-dev libjpeg-dev
  libpoppler-glib-dev poppler-utils
  libcairo2-dev libpango1.0-dev fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-wqy-microhei fonts-wqy-zenhei
  libqrencode-dev libzbar-dev
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  libargon2-dev libxlsxwriter-dev libssl-dev
  unpaper
  chromium openssl
  iproute2
)

stamp=/var/lib/apt/periodic/formscan-updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
  $SUDO apt-get update -qq
  $SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp"
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm only serve the browser tests and the training data; a machine that already
# has them (e.g. from another vendor's package) keeps its own, since Debian's npm conflicts.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "formscan setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
