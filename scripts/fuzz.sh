#!/usr/bin/env bash
# Fuzzes kplay's inputs for a while (not part of the test suite, which runs a short smoke of the same
# targets): scripts/fuzz.sh [SECONDS_PER_TARGET] (default 300). Each target — order-flow scenarios and
# world scripts and assignment requests as JSON, lesson files, links as the address bar holds them, and documents packed into links — gets
# mutated inputs from a fresh seed until its time is up; it prints the cases run per target. A panicking
# input is saved under crates/<crate>/tests/fuzz/regressions/<target>/ (commit it: the suite replays
# every saved input first) and the run fails naming it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
kplay_env
cd "$KPLAY_ROOT"

seconds="${1:-300}"
seed="${FUZZ_SEED:-$(date +%s)}"
echo "fuzzing each target for ${seconds} s, seed ${seed}"
status=0
# crate, test binary (with its features), test name: each test is one target.
targets=(
  "kplay-core --features json --test fuzz scenarios_never_panic"
  "kplay-core --features json --test fuzz world_scripts_never_panic"
  "kplay-core --features json --test fuzz assign_requests_never_panic"
  "kplay-core --features json --test fuzz lesson_files_never_panic"
  "kplay-web --test fuzz links_never_panic"
  "kplay-web --test fuzz packed_documents_never_panic"
)
for target in "${targets[@]}"; do
  read -r crate rest <<<"$target"
  name="${rest##* }"
  # shellcheck disable=SC2086 # the test binary's flags are words
  if ! FUZZ_CASES=18446744073709551615 FUZZ_SECONDS="$seconds" FUZZ_SEED="$seed" \
    cargo test --release --locked -q -p "$crate" ${rest% *} "$name" -- --nocapture \
    >"${TMPDIR:-/tmp}/kplay-fuzz.log" 2>&1; then
    status=1
  fi
  grep -E '^fuzz |panicked' "${TMPDIR:-/tmp}/kplay-fuzz.log" || tail -20 "${TMPDIR:-/tmp}/kplay-fuzz.log"
done
exit "$status"
