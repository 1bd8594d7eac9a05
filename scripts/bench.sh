#!/usr/bin/env bash
# Prints kplay's performance figures (not a test; the figures depend on the machine):
# native model benchmarks (`kplay bench --hour`), the same simulation in the site's wasm in headless
# Chromium with its ratio to native, the playground's frame rate and longest task while a preset runs,
# and the site's download size.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
kplay_setup
cd "$KPLAY_ROOT"

cargo build --release --locked -q -p kplay-cli
trunk build --release --offline >/dev/null 2>&1 || trunk build --release --offline

echo "== native"
target/release/kplay bench --hour 2>/dev/null

echo "== wasm (headless Chromium) against native, measured back to back"
native_json="$(target/release/kplay bench --json 2>/dev/null)"
wasm_json="$(node tests/bench/wasm.mjs inventory-outage 3)"
node -e '
  const native = JSON.parse(process.argv[1]), wasm = JSON.parse(process.argv[2]);
  const ratio = wasm.wasm_events_per_s / native.simulated_events_per_s;
  console.log(`simulate:  ${(wasm.wasm_events_per_s / 1e6).toFixed(1)} M events/s in wasm vs ${(native.simulated_events_per_s / 1e6).toFixed(1)} M native (${wasm.preset}, best of 3): ${(ratio * 100).toFixed(0)} %`);
' "$native_json" "$wasm_json"

echo "== playground while each preset runs at 1000× (headless Chromium; frames and long tasks during the run)"
for preset in $(target/release/kplay presets | cut -d' ' -f1); do node tests/bench/ui.mjs "$preset"; done

echo "== the page while the order flow plays at 10× (layouts per second, main thread's busy share)"
node tests/bench/layout.mjs poison-message 3

echo "== partition view at scale: 1,000 partitions, 500 consumers, 1,000 records/s (5 s of frames)"
node tests/bench/scale.mjs 1000 500 5

echo "== partition diagram with three consumer groups: 64 partitions × 3 consumers each, 1,024 × 500 each (1,000 records/s)"
node tests/bench/scale.mjs 64 3 5 3
node tests/bench/scale.mjs 1024 500 5 3

echo "== landing on 100 moments of a 10,000-action world in the partition view (input to moment drawn)"
KPLAY_BIN=target/release/kplay node tests/bench/landing.mjs 100

echo "== site size (the first load before the first render, the full app loaded on demand, and the model's worker started after it)"
node tests/bench/size.mjs

echo "== first render of the landing view, navigation to the order-flow diagram drawn (budget 1.5 s)"
node tests/bench/first-render.mjs 5
