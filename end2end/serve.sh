#!/usr/bin/env bash
# Starts the release build for the end-to-end run: a fresh database with the demo data, on
# port 3100 (or $PORT, in end2end/$RUN_DIR for the phone benchmark). The demo's printed logins
# and API key are kept for the tests to read.
set -euo pipefail
cd "$(dirname "$0")/.."
run="end2end/${RUN_DIR:-.run}"
rm -rf "$run"
mkdir -p "$run"
export DATABASE_URL="sqlite:$run/e2e.db"
export LEPTOS_SITE_ADDR="127.0.0.1:${PORT:-3100}"
export LEPTOS_OUTPUT_NAME=leadline LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
# Test-only: lets the journeys move the clock through days. Never set in production.
export LEADLINE_TEST_CLOCK=1
# The journeys move that clock by days with people signed in: sessions do not go idle here.
export LEADLINE_SESSION_IDLE_MINUTES=525600
# The webhook journey runs its receiver on this machine: let webhooks reach it (never in
# production, where an admin's webhook must not reach into the server's own network).
export LEADLINE_WEBHOOKS_PRIVATE=1
target/release/leadline demo > "$run/demo.txt"
# The journeys run at any hour of any day: this team works around the clock and calls at any
# hour. (Working hours and calling windows are proven by the HTTP tests, on a driven clock.)
target/release/leadline policy hours --days Mon-Sun --opens 00:00 --closes 24:00 > /dev/null
target/release/leadline policy calling-window --any-hour > /dev/null
# For the hostile-text journey: a source and a manager whose names are markup.
target/release/leadline source add --name '<img src=x onerror="window.__pwned=1">Expo' \
  | tail -n 1 > "$run/hostile-source-key.txt"
echo 'leadline-demo' | target/release/leadline user add --role manager \
  --email mal@leadline.demo --name '<img src=x onerror="window.__pwned=2">Mal' > /dev/null
exec target/release/leadline serve
