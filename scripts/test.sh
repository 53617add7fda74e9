#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every tier against a sandbox on a free loopback port:
#   lint  - cargo fmt --check, clippy -D warnings and rustdoc -D warnings (host and wasm32)
#   1     - native cargo test of the pure-Rust core and the sandbox
#   1b    - the sandbox's responses validated against CareCloud's openapi.yaml (tests/sandbox/spec) (openapi-core)
#   2     - wasm tests in Node
#   3     - wasm tests in a headless Chromium page
#   4     - wasm tests in a headless Chromium dedicated worker, and a service worker (afterPush clamp)
#   5     - the built npm package: Node consumer (import + require), esbuild browser bundle, workerd Worker
#   6     - Playwright run of the demo page in Chromium
#   7     - soak: mixed calls in Chromium, memory flat, no timers or in-flight entries left
# Ends with one line: `N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

mkdir -p tests/out
passed=0; failed=0; summary=()
record() { # tier-name passed failed
  passed=$((passed + $2)); failed=$((failed + $3))
  summary+=("$(printf '%-28s %4d passed, %d failed' "$1" "$2" "$3")")
  printf '== %s: %d passed, %d failed\n' "$1" "$2" "$3"
}
# Sums "test result: ok. N passed; M failed" lines of cargo / wasm-bindgen-test output.
count_cargo() { # logfile rc
  local p f
  p=$(grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}')
  f=$(grep -oE '[0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a build or runner failure counts as a failure
  echo "$p $f"
}

# --- lint gates
lint_fail=0
cargo fmt --all -- --check >tests/out/fmt.log 2>&1 || { cat tests/out/fmt.log | head -40; lint_fail=$((lint_fail+1)); }
cargo clippy --workspace --all-targets -q -- -D warnings >tests/out/clippy.log 2>&1 || { head -60 tests/out/clippy.log; lint_fail=$((lint_fail+1)); }
cargo clippy --target wasm32-unknown-unknown --all-targets -q -- -D warnings >tests/out/clippy-wasm.log 2>&1 || { head -60 tests/out/clippy-wasm.log; lint_fail=$((lint_fail+1)); }
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -q >tests/out/doc.log 2>&1 || { head -40 tests/out/doc.log; lint_fail=$((lint_fail+1)); }
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -q --target wasm32-unknown-unknown >tests/out/doc-wasm.log 2>&1 || { head -40 tests/out/doc-wasm.log; lint_fail=$((lint_fail+1)); }
record "lint (fmt, clippy x2, doc x2)" $((5 - lint_fail)) "$lint_fail"

# --- tier 1: native
cargo test --workspace >tests/out/native.log 2>&1; rc=$?
[ $rc -ne 0 ] && grep -E 'panicked|FAILED|error' tests/out/native.log | head -30
read -r p f < <(count_cargo tests/out/native.log $rc); record "1 native (core, sandbox)" "$p" "$f"

# --- the sandbox, on a free port
cargo build -q --release -p carecloud-sandbox || { echo "sandbox build failed"; exit 1; }
./target/release/carecloud-sandbox --addr 127.0.0.1:0 --static www --mount /pkg=dist --mount /out=tests/out --mount /bench=bench >tests/out/sandbox.log 2>&1 &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q '^listening on ' tests/out/sandbox.log && break; sleep 0.1; done
export SANDBOX_URL=$(awk '/^listening on /{print $3; exit}' tests/out/sandbox.log)
[ -n "$SANDBOX_URL" ] || { echo "sandbox did not start"; cat tests/out/sandbox.log; exit 1; }
echo "sandbox at $SANDBOX_URL"
reset_sandbox() { node -e 'fetch(process.argv[1], { method: "POST" }).then((r) => process.exit(r.ok ? 0 : 1))' "$SANDBOX_URL/__sandbox/reset"; }
# Runs a tier that prints `ok N - …` / `not ok N - …` lines: tap_tier NAME LOG COMMAND...
tap_tier() {
  local name=$1 log=$2; shift 2
  "$@" >"$log" 2>&1; local rc=$?
  grep -E '^(ok|not ok|#)' "$log" | tail -40
  local p f
  p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then tail -20 "$log"; f=1; fi
  record "$name" "$p" "$f"
}

# --- tier 1b: the sandbox's responses against CareCloud's openapi.yaml
tap_tier "1b sandbox vs openapi.yaml" tests/out/conformance.log target/py/bin/python tests/sandbox/conformance.py

# --- tiers 2-4: wasm in Node, Chromium page, Chromium worker
export WASM_BINDGEN_TEST_TIMEOUT=120
for t in "2 wasm in Node:wasm_node" "3 wasm in Chromium page:wasm_browser" \
         "4 wasm in Chromium workers:wasm_worker wasm_service_worker"; do
  name=${t%%:*}; bins=${t##*:}; bin=${bins%% *}
  reset_sandbox
  args=(); for b in $bins; do args+=(--test "$b"); done
  cargo test --target wasm32-unknown-unknown "${args[@]}" >"tests/out/$bin.log" 2>&1; rc=$?
  [ $rc -ne 0 ] && grep -E 'panicked|FAIL|error' -A3 "tests/out/$bin.log" | head -40
  read -r p f < <(count_cargo "tests/out/$bin.log" $rc); record "$name" "$p" "$f"
done

# --- tier 5: the npm package in a Node consumer, a bundled browser page, and workerd
reset_sandbox
if ./scripts/package.sh >tests/out/package.log 2>&1; then
  tap_tier "5 package (node, bundle, workerd)" tests/out/package-tests.log node tests/package/run.mjs
else
  tail -30 tests/out/package.log; record "5 package (node, bundle, workerd)" 0 1
fi

# --- tier 6: Playwright on the demo
reset_sandbox
tap_tier "6 demo e2e (Playwright)" tests/out/e2e.log node tests/e2e/demo.mjs

# --- tier 7: soak (short form; SOAK_CALLS=100000 for the long form)
reset_sandbox
tap_tier "7 soak (Chromium)" tests/out/soak.log node tests/reliability/soak.mjs

echo
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
