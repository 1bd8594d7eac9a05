#!/usr/bin/env bash
# Installs every tool kplay builds, serves and tests with, skipping what is already there. Safe to run
# again and again: with everything present it only checks versions (a second or two).
#
# Installs: the pinned Rust toolchain with rustfmt, clippy and the wasm32 target (rustup); Trunk 0.21.14 and
# wasm-bindgen-cli at the exact wasm-bindgen version of Cargo.lock (cargo install); wasm-opt and
# playwright-core (npm ci, from package-lock.json); Chromium and ChromeDriver (Debian's packages, as root).
#
# Source it (`. scripts/setup.sh`) to also get the environment the other scripts use, or run it directly.
set -euo pipefail

KPLAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
RUST_TOOLCHAIN="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$KPLAY_ROOT/rust-toolchain.toml")"

kplay_log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
kplay_fail() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# The exact wasm-bindgen version the lock file resolved; the CLI and Trunk.toml must match it.
kplay_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$KPLAY_ROOT/Cargo.lock"
}

kplay_setup_rust() {
  command -v rustup >/dev/null || kplay_fail "rustup is missing; kplay needs Rust $RUST_TOOLCHAIN installed by rustup"
  if ! rustup toolchain list | grep -q "^$RUST_TOOLCHAIN"; then
    kplay_log "installing Rust $RUST_TOOLCHAIN"
    rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal --component rustfmt,clippy
  fi
  local installed
  installed="$(rustup component list --installed --toolchain "$RUST_TOOLCHAIN")"
  for component in rustfmt clippy; do
    grep -q "^$component" <<<"$installed" || rustup component add --toolchain "$RUST_TOOLCHAIN" "$component"
  done
  if ! rustup target list --installed --toolchain "$RUST_TOOLCHAIN" | grep -qx wasm32-unknown-unknown; then
    kplay_log "adding the wasm32-unknown-unknown target"
    rustup target add --toolchain "$RUST_TOOLCHAIN" wasm32-unknown-unknown
  fi
}

kplay_setup_cargo_tools() {
  local bindgen
  bindgen="$(kplay_wasm_bindgen_version)"
  [ -n "$bindgen" ] || kplay_fail "no wasm-bindgen in Cargo.lock"
  grep -q "^wasm_bindgen = \"$bindgen\"" "$KPLAY_ROOT/Trunk.toml" ||
    kplay_fail "Trunk.toml [tools] wasm_bindgen must be \"$bindgen\", the version in Cargo.lock"

  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    kplay_log "installing Trunk $TRUNK_VERSION (about 8 minutes on 2 cores)"
    cargo "+$RUST_TOOLCHAIN" install trunk --version "$TRUNK_VERSION" --locked
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen" ]; then
    kplay_log "installing wasm-bindgen-cli $bindgen (about 2 minutes)"
    # Not --locked: one dependency version in its lock file is no longer on the registry.
    cargo "+$RUST_TOOLCHAIN" install wasm-bindgen-cli --version "$bindgen" --force
  fi
}

kplay_setup_node() {
  command -v npm >/dev/null || kplay_fail "npm is missing; install Node.js 20 or newer (apt-get install nodejs npm)"
  local stamp="$KPLAY_ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$KPLAY_ROOT/package-lock.json" -nt "$stamp" ]; then
    kplay_log "installing wasm-opt (binaryen) and playwright-core from package-lock.json"
    (cd "$KPLAY_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

kplay_setup_chromium() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    return
  fi
  local install="apt-get update && apt-get install -y chromium chromium-driver"
  if [ "$(id -u)" -ne 0 ]; then
    kplay_fail "Chromium and ChromeDriver are missing; as root run:  $install"
  fi
  kplay_log "installing Debian's chromium and chromium-driver"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
}

kplay_env() {
  export PATH="$KPLAY_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
  export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || echo /usr/bin/chromedriver)}"
  export CHROMIUM="${CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
}

kplay_setup() {
  kplay_env
  kplay_setup_rust
  kplay_setup_node
  kplay_setup_chromium
  kplay_setup_cargo_tools
  [ "$(wasm-opt --version)" = "wasm-opt version 132 (version_132)" ] ||
    kplay_fail "wasm-opt on PATH is not version 132: $(command -v wasm-opt)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  kplay_setup
  kplay_log "ready: trunk $(trunk --version | cut -d' ' -f2), wasm-bindgen $(kplay_wasm_bindgen_version), $(chromium --version)"
fi
