#!/usr/bin/env bash
# Fuzzes kplay's inputs for a while (not part of the test suite, which runs a short smoke of the same
# targets): scripts/fuzz.sh [SECONDS_PER_TARGET] (default 300). Each target — order-flow scenarios and
# world scripts, as JSON — gets mutated inputs from a fresh seed until its time is up; it prints the
# cases run per target. A panicking input is saved under crates/core/tests/fuzz/regressions/<target>/
# (commit it: the suite replays every saved input first) and the run fails naming it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
kplay_env
cd "$KPLAY_ROOT"

seconds="${1:-300}"
seed="${FUZZ_SEED:-$(date +%s)}"
echo "fuzzing each target for ${seconds} s, seed ${seed}"
status=0
for target in scenarios_never_panic world_scripts_never_panic; do
  if ! FUZZ_CASES=18446744073709551615 FUZZ_SECONDS="$seconds" FUZZ_SEED="$seed" \
    cargo test --release --locked -q -p kplay-core --features json --test fuzz "$target" -- --nocapture \
    >"${TMPDIR:-/tmp}/kplay-fuzz.log" 2>&1; then
    status=1
  fi
  grep -E '^fuzz |panicked' "${TMPDIR:-/tmp}/kplay-fuzz.log" || tail -20 "${TMPDIR:-/tmp}/kplay-fuzz.log"
done
exit "$status"
