#!/usr/bin/env bash
# Install what is missing, idempotently: Debian packages, .venv, the project (editable).
# Usage: scripts/setup.sh [--browser]   (--browser also installs Debian's Chromium for the player tests)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

pkgs=(libcairo2-dev libpango1.0-dev pkg-config ffmpeg fonts-inter fonts-jetbrains-mono)
[ "$want_browser" = 1 ] && pkgs+=(chromium)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$py" -m venv .venv
fi

# Reinstall the project only when its metadata changed since the last install.
stamp=.venv/.explainers-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing the project into .venv (first time builds pycairo and ManimPango: a few minutes)" >&2
  # pip's warnings about this machine's optional local index folders are noise: drop them.
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 >/dev/null | grep -v "^WARNING: Location" >&2 || true
  .venv/bin/python -m pip install -q -e '.[dev,youtube]' 2>&1 | grep -v "^WARNING: Location" >&2 || true
  .venv/bin/python -c "import manim, explainers" || { echo "setup: install failed" >&2; exit 1; }
  touch "$stamp"
fi
