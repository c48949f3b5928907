#!/usr/bin/env bash
# README command 2: set up and run every test — format, lints, unit, store and HTTP tests, the
# release build, and the end-to-end journeys in Chromium. `.ci/run` runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh --with-browser
# A one-off build (CI, a fresh clone) gains nothing from incremental artefacts but their disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

step() { printf '\n==> %s\n' "$*"; }

step "format"
cargo fmt --check

step "clippy (server)"
cargo clippy --all-targets --features ssr -- -D warnings

step "clippy (browser)"
cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

step "unit, store and HTTP tests"
cargo test --features ssr

step "release build"
cargo leptos build --release --precompress --split

step "size report"
bash scripts/size-report.sh

step "end-to-end journeys"
(cd end2end && npx playwright test)

step "phone benchmark (Fast 3G, CPU 4x slower, 360 px)"
(cd end2end && npx playwright test -c bench.config.ts)
