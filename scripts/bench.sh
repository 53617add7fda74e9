#!/usr/bin/env bash
# `make bench`: builds the package, starts the sandbox, runs bench/run.mjs (Chromium + workerd) and rewrites
# BENCHMARKS.md. BENCH_N (default 2000) sets the overhead sample size.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/package.sh
cargo build -q --release -p carecloud-sandbox
mkdir -p tests/out
./target/release/carecloud-sandbox --addr 127.0.0.1:0 --static www --mount /pkg=dist --mount /out=tests/out \
  --mount /bench=bench >tests/out/bench-sandbox.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q '^listening on ' tests/out/bench-sandbox.log && break; sleep 0.1; done
export SANDBOX_URL=$(awk '/^listening on /{print $3; exit}' tests/out/bench-sandbox.log)
node bench/run.mjs --write
