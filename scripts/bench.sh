#!/usr/bin/env bash
# `make bench`: builds the package, starts the sandbox, runs bench/run.mjs (Chromium + workerd) and rewrites
# BENCHMARKS.md. BENCH_N (default 2000) sets the overhead sample size.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
./scripts/setup.sh
./scripts/package.sh
start_sandbox tests/out/bench-sandbox.log
node bench/run.mjs --write
