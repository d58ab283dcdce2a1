#!/usr/bin/env bash
# Installs the npm dependencies (which carry Node 24 as the `node` package) when they are
# missing or older than package-lock.json. Idempotent and quiet when nothing is to do.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
node="$root/node_modules/node/bin/node"
stamp="$root/node_modules/.ferry-installed"
if [[ -x "$node" && -f "$stamp" && "$stamp" -nt "$root/package-lock.json" ]]; then exit 0; fi
if ! command -v npm >/dev/null 2>&1; then
  echo "ferry: npm is missing; install Node.js and npm (Debian: apt-get install nodejs npm), then retry" >&2
  exit 10
fi
echo "ferry: installing npm dependencies (Node 24 comes from the registry's node package)" >&2
(cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
touch "$stamp"
