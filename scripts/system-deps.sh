#!/usr/bin/env bash
# System packages the test suite needs: a DejaVu font for generated PDFs, Debian's chromium for the browser test.
set -euo pipefail
need=()
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v chromium >/dev/null || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Saknar systempaket: ${need[*]} — installera dem (sudo apt-get install ${need[*]}) och kör igen." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
