#!/usr/bin/env bash
# Long-form reliability runs (the short forms run in `make test`):
#   make soak  - SOAK_CALLS (default 100,000) mixed calls in headless Chromium against the sandbox
#   make fuzz  - PROPTEST_CASES (default 200,000) cases per parser property, release build
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
case "${1:-soak}" in
  fuzz)
    PROPTEST_CASES=${PROPTEST_CASES:-200000} cargo test --release --lib parser_fuzz -- --nocapture
    ;;
  soak)
    ./scripts/package.sh
    cargo build -q --release -p carecloud-sandbox
    mkdir -p tests/out
    ./target/release/carecloud-sandbox --addr 127.0.0.1:0 --static www --mount /pkg=dist --mount /bench=bench \
      >tests/out/soak-sandbox.log 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null' EXIT
    for _ in $(seq 50); do grep -q '^listening on ' tests/out/soak-sandbox.log && break; sleep 0.1; done
    export SANDBOX_URL=$(awk '/^listening on /{print $3; exit}' tests/out/soak-sandbox.log)
    SOAK_CALLS=${SOAK_CALLS:-100000} node tests/reliability/soak.mjs
    ;;
esac
