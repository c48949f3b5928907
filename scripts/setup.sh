#!/usr/bin/env bash
# Installs what Leadline needs to build, run and test, then puts the tools on PATH.
# Safe to run again: every step is skipped when its tool is already there at the right version.
# Source it (`. scripts/setup.sh [--with-browser]`) so PATH changes reach the caller.
#
# Why these versions (checked on Rust 1.95, no internet beyond crates.io/npm/PyPI/apt):
# - wasm-bindgen-cli must equal the wasm-bindgen crate pinned in Cargo.toml, or cargo-leptos
#   tries to download a matching one (which fails here). Installed without --locked: its
#   lockfile names a crate version the registry does not serve.
# - cargo-leptos 0.3.11 needs rustc 1.96 (cargo-util-schemas 0.14); 0.3.10's lockfile pins
#   cargo-util-schemas 0.10, which builds on 1.95. `no_downloads` makes it use the tools on
#   PATH instead of fetching binaries.
# - wasm-opt 132 from npm's `binaryen`: Debian's binaryen 108 builds a page that never
#   hydrates (`WebAssembly.Table.set(): Argument 1 is invalid`).
# - Chromium from Debian for Playwright; `npx playwright install` would try to download one.

set -euo pipefail
LEADLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' "$LEADLINE_ROOT/Cargo.toml")"
export PATH="$HOME/.cargo/bin:$LEADLINE_ROOT/end2end/node_modules/.bin:$PATH"

say() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

need() {
  command -v "$1" >/dev/null 2>&1 || { say "missing $1: $2"; exit 1; }
}

need cargo "install Rust with rustup first"
need npm "install Node.js 20 and npm first"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (15-20 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads --force
fi

# twiggy names the crates that weigh most in the browser build (the test command's size report).
if ! command -v twiggy > /dev/null; then
  say "installing twiggy 0.7.0 (about a minute)"
  cargo install twiggy --version 0.7.0
fi

stamp="$LEADLINE_ROOT/end2end/node_modules/.leadline-lock"
lock_sum="$(sha256sum "$LEADLINE_ROOT/end2end/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  say "installing npm packages (Playwright test runner, binaryen's wasm-opt)"
  (cd "$LEADLINE_ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$lock_sum" > "$stamp"
fi

if [ "${1:-}" = "--with-browser" ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's Chromium"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
say "tools ready"
