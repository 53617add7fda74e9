#!/usr/bin/env bash
# Long-form reliability runs (the short forms run in `make test`):
#   make soak  - SOAK_CALLS (default 100,000) mixed calls in headless Chromium against the sandbox
#   make fuzz  - PROPTEST_CASES (default 200,000) cases per parser property, release build
#   make fuzz-api - Schemathesis over the sandbox from CareCloud's spec, the long form (--long: many examples per
#                   operation; tier 1c of `make test` is the short one)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
./scripts/setup.sh
case "${1:-soak}" in
  fuzz)
    PROPTEST_CASES=${PROPTEST_CASES:-200000} cargo test --release --lib parser_fuzz -- --nocapture
    ;;
  fuzz-api)
    start_sandbox tests/out/fuzz-api-sandbox.log
    target/py/bin/python tests/sandbox/fuzz_api.py --long
    ;;
  soak)
    ./scripts/package.sh
    start_sandbox tests/out/soak-sandbox.log
    SOAK_CALLS=${SOAK_CALLS:-100000} node tests/reliability/soak.mjs
    ;;
esac
