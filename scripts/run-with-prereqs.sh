#!/usr/bin/env bash
# Installs everything a fresh Debian machine lacks (npm packages with Node 24, then the
# system prerequisites through `ferry doctor --fix`), then runs `ferry <args>`.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
"$root/scripts/ensure-node.sh"
"$root/bin/ferry" doctor --fix >&2
exec "$root/bin/ferry" "$@"
