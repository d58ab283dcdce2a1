#!/usr/bin/env bash
# The test command (npm test): installs what is missing, type-checks, lints, then runs the
# unit tests and the integration tests (which start real dockerd, CRIU and network
# namespaces, so they run one file at a time and need root).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
"$root/scripts/ensure-node.sh"
"$root/bin/ferry" doctor --fix
export PATH="$root/node_modules/.bin:$PATH"
echo "== type check"; tsc -p tsconfig.json
echo "== lint"; eslint .
echo "== dashboard (type check and build into dashboard/dist, which the controller serves)"
tsc -p dashboard/tsconfig.json && vite build --config dashboard/vite.config.ts --logLevel warn
echo "== tests"
exec node --disable-warning=ExperimentalWarning --test --test-concurrency=1 --test-reporter=spec \
  'src/**/*.test.ts' 'dashboard/src/**/*.test.ts' 'test/integration/**/*.test.ts'
