#!/usr/bin/env bash
# Long-form reliability runs (the short forms run in `make test`):
#   make soak  - SOAK_CALLS (default 100,000) mixed calls in headless Chromium against the sandbox
#   make fuzz  - PROPTEST_CASES (default 200,000) cases per parser property, release build
set -euo pipefail
source "$(dirname "$0")/lib.sh"
./scripts/setup.sh
case "${1:-soak}" in
  fuzz)
    PROPTEST_CASES=${PROPTEST_CASES:-200000} cargo test --release --lib parser_fuzz -- --nocapture
    ;;
  soak)
    ./scripts/package.sh
    start_sandbox tests/out/soak-sandbox.log
    SOAK_CALLS=${SOAK_CALLS:-100000} node tests/reliability/soak.mjs
    ;;
esac
