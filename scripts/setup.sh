#!/usr/bin/env bash
# Installs everything flatcar-k3s-lab needs on a Debian 12 host, idempotently:
# the Debian packages listed in scripts/packages/*.txt, then the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "setup: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (try: sudo bash scripts/setup.sh)"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script needs Debian 12 (bookworm)"
command -v node >/dev/null 2>&1 || die "node not found: install Node.js 20 or newer"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || die "Node.js $(node --version) is too old: need 20 or newer"

wanted=$(grep -hv '^\s*#' scripts/packages/*.txt | awk 'NF { print $1 }' | sort -u)
missing=()
for pkg in $wanted; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all $(echo "$wanted" | wc -l) Debian packages present"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "setup: npm dependencies up to date"
fi
echo "setup: done"
