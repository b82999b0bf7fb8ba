#!/bin/sh
# Installs the system packages the project needs, on Debian, when run as root.
#   scripts/system-packages.sh site   Graphviz's dot and a CJK font (building the site)
#   scripts/system-packages.sh test   the above, plus Chromium and its driver (browser tests)
# Not root: prints the command to run instead, and fails if something is missing.
set -eu
need=""
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

have_cmd dot || need="$need graphviz"
have_pkg fonts-noto-cjk || need="$need fonts-noto-cjk"
if [ "${1:-site}" = test ]; then
  have_cmd chromium || need="$need chromium"
  have_cmd chromedriver || need="$need chromium-driver"
fi
python3 -c 'import ensurepip, venv' 2>/dev/null || need="$need python3-venv"

[ -z "$need" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages:$need" >&2
  echo "install them with: sudo apt-get install -y$need" >&2
  exit 1
fi
echo "installing system packages:$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
