#!/usr/bin/env bash
# README command 1: set up, build, load the demo team and leads, and run Leadline.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

cargo leptos build --release --precompress --split

export DATABASE_URL="${DATABASE_URL:-sqlite:leadline.db}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_OUTPUT_NAME=leadline LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg

target/release/leadline demo
echo
echo "Open http://$LEPTOS_SITE_ADDR and sign in with one of the logins above (Ctrl-C stops)."
exec target/release/leadline serve
