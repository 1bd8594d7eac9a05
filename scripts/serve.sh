#!/usr/bin/env bash
# Serves the playground at http://127.0.0.1:8080 with live reload, installing whatever is missing first.
# Extra arguments go to `trunk serve` (for example `--port 9000` or `--release`).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
kplay_setup
cd "$KPLAY_ROOT"
exec trunk serve --offline "$@"
