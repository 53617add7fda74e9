#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every tier against a sandbox on a free loopback port:
#   lint  - cargo fmt --check, clippy -D warnings and rustdoc -D warnings (host and wasm32)
#   1     - native cargo test of the pure-Rust core and the sandbox
#   1b    - the sandbox's responses validated against CareCloud's openapi.yaml (tests/sandbox/spec) (openapi-core)
#   1c    - Schemathesis fuzzing of the strict sandbox from the spec (short form; FUZZ_LONG=1 for the long one)
#   2     - wasm tests in Node
#   3     - wasm tests in a headless Chromium page
#   3b    - the page, dedicated-worker and service-worker wasm tests in headless Firefox
#   3c    - the same in WebKit (WebKitGTK's WebKitWebDriver on a virtual X display)
#   4     - wasm tests in a headless Chromium dedicated worker, and a service worker (afterPush clamp)
#   5     - the built npm package: Node consumer (import + require), esbuild browser bundle, workerd Worker
#   6     - Playwright run of the demo portal and the kiosk page in Chromium
#   6b    - Playwright: two tabs of one browser share one device token (reload, renewal, logout)
#   6c    - Playwright: offline catalogue answered stale, customer calls fail with kind offline, recovery
#   7     - soak: mixed calls in Chromium, memory flat, no timers or in-flight entries left
# Tier 1b and every tier from 2 on end with check_violations (scripts/lib.sh); tiers from 2 on start from a reset
# sandbox. Not 1c: Schemathesis sends spec-invalid requests on purpose.
# Ends with one line: `N passed, M failed`.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
./scripts/setup.sh
export CARGO_TERM_COLOR=never

mkdir -p tests/out
# Sums "test result: ok. N passed; M failed" lines of cargo / wasm-bindgen-test output.
count_cargo() { # logfile rc
  local p f
  p=$(grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}')
  f=$(grep -oE '[0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a build or runner failure counts as a failure
  echo "$p $f"
}
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
# Runs wasm test binaries from a reset sandbox: wasm_tier NAME "BINARIES" [VAR=VALUE...]. The VAR=VALUE pairs
# choose the runner (e.g. GECKODRIVER=… for Firefox); without a driver variable the binaries run in Node.
wasm_tier() {
  local name=$1 bins=$2; shift 2
  local log="tests/out/wasm-${name%% *}.log" args=() b rc p f
  for b in $bins; do args+=(--test "$b"); done
  reset_sandbox
  env "$@" cargo test --target wasm32-unknown-unknown "${args[@]}" >"$log" 2>&1; rc=$?
  [ $rc -ne 0 ] && grep -E 'panicked|FAIL|error' -A3 "$log" | head -40
  read -r p f < <(count_cargo "$log" $rc); record "$name" "$p" "$f"
  check_violations "$name"
}
# A virtual X display for WebKitGTK (it has no headless mode); reuses $DISPLAY when there is one.
start_display() {
  [ -n "${DISPLAY:-}" ] && return 0
  local fdfile=tests/out/xvfb.display
  Xvfb -displayfd 3 -nolisten tcp 3>"$fdfile" >tests/out/xvfb.log 2>&1 &
  XVFB_PID=$!
  on_exit 'kill $XVFB_PID'
  for _ in $(seq 50); do [ -s "$fdfile" ] && break; sleep 0.1; done
  [ -s "$fdfile" ] || { echo "Xvfb did not start"; cat tests/out/xvfb.log; return 1; }
  export DISPLAY=":$(head -1 "$fdfile")"
}

# --- lint gates
lint_fail=0
cargo fmt --all -- --check >tests/out/fmt.log 2>&1 || { head -40 tests/out/fmt.log; lint_fail=$((lint_fail+1)); }
cargo clippy --workspace --all-targets -q -- -D warnings >tests/out/clippy.log 2>&1 || { head -60 tests/out/clippy.log; lint_fail=$((lint_fail+1)); }
cargo clippy --target wasm32-unknown-unknown --all-targets -q -- -D warnings >tests/out/clippy-wasm.log 2>&1 || { head -60 tests/out/clippy-wasm.log; lint_fail=$((lint_fail+1)); }
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -q >tests/out/doc.log 2>&1 || { head -40 tests/out/doc.log; lint_fail=$((lint_fail+1)); }
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -q --target wasm32-unknown-unknown >tests/out/doc-wasm.log 2>&1 || { head -40 tests/out/doc-wasm.log; lint_fail=$((lint_fail+1)); }
# The spec-derived files are what their generators write (the reduced spec; the TypeScript types).
target/py/bin/python tests/sandbox/spec/reduce.py --check >tests/out/spec-check.log 2>&1 || { cat tests/out/spec-check.log; lint_fail=$((lint_fail+1)); }
node scripts/gen-types.mjs --check >tests/out/types-check.log 2>&1 || { cat tests/out/types-check.log; lint_fail=$((lint_fail+1)); }
record "lint (fmt, clippy x2, doc x2, generated x2)" $((7 - lint_fail)) "$lint_fail"

# --- tier 1: native
cargo test --workspace >tests/out/native.log 2>&1; rc=$?
[ $rc -ne 0 ] && grep -E 'panicked|FAILED|error' tests/out/native.log | head -30
read -r p f < <(count_cargo tests/out/native.log $rc); record "1 native (core, sandbox)" "$p" "$f"

# --- the sandbox, on a free port
start_sandbox tests/out/sandbox.log || exit 1

# --- tier 1b: the sandbox's responses against CareCloud's openapi.yaml
tap_tier "1b sandbox vs openapi.yaml" tests/out/conformance.log target/py/bin/python tests/sandbox/conformance.py
check_violations "1b sandbox vs openapi.yaml"

# --- tier 1c: Schemathesis over the spec against the strict sandbox (no 5xx, negative data refused, valid responses)
reset_sandbox
if target/py/bin/python tests/sandbox/fuzz_api.py >tests/out/fuzz-api.log 2>&1; then
  record "1c spec fuzzing (Schemathesis)" 1 0
else
  tail -30 tests/out/fuzz-api.log; record "1c spec fuzzing (Schemathesis)" 0 1
fi
tail -1 tests/out/fuzz-api.log

# --- tiers 2-4: wasm in Node, and in Chromium, Firefox and WebKit (page, dedicated worker, service worker)
export WASM_BINDGEN_TEST_TIMEOUT=120
wasm_tier "2 wasm in Node" "wasm_node"
wasm_tier "3 wasm in Chromium page" "wasm_browser" CHROMEDRIVER="$CHROMEDRIVER_BIN"
wasm_tier "3b wasm in Firefox (page, workers)" "wasm_browser wasm_worker wasm_service_worker" \
  GECKODRIVER="$GECKODRIVER_BIN"
if start_display; then
  wasm_tier "3c wasm in WebKit (page, workers)" "wasm_browser wasm_worker wasm_service_worker" \
    SAFARIDRIVER="$WEBKITDRIVER_BIN"
else
  record "3c wasm in WebKit (page, workers)" 0 1
fi
wasm_tier "4 wasm in Chromium workers" "wasm_worker wasm_service_worker" CHROMEDRIVER="$CHROMEDRIVER_BIN"

# --- tier 5: the npm package in a Node consumer, a bundled browser page, and workerd
reset_sandbox
if ./scripts/package.sh >tests/out/package.log 2>&1; then
  tap_tier "5 package (node, bundlers, workerd, Miniflare)" tests/out/package-tests.log node tests/package/run.mjs
else
  tail -30 tests/out/package.log; record "5 package (node, bundlers, workerd, Miniflare)" 0 1
fi
check_violations "5 package (node, bundlers, workerd, Miniflare)"
# The size guard: total gzip (wasm + minified JS) at most 2 KB over bench/size-budget.json.
tap_tier "5 package (node, bundlers, workerd, Miniflare)" tests/out/size-check.log node bench/size-check.mjs

# --- tier 6: Playwright on the demo
reset_sandbox
tap_tier "6 demo e2e (Playwright)" tests/out/e2e.log node tests/e2e/demo.mjs
check_violations "6 demo e2e (Playwright)"
reset_sandbox
tap_tier "6 demo e2e (Playwright)" tests/out/e2e-kiosk.log node tests/e2e/kiosk.mjs
check_violations "6 demo e2e (Playwright)"

# --- tier 6b: one device per browser (two tabs of one Chromium context share one token)
reset_sandbox
tap_tier "6b tabs e2e (Playwright)" tests/out/e2e-tabs.log node tests/e2e/tabs.mjs
check_violations "6b tabs e2e (Playwright)"

# --- tier 6c: offline (catalogue answered stale, customer calls fail fast, recovery without duplicate writes)
reset_sandbox
tap_tier "6c offline e2e (Playwright)" tests/out/e2e-offline.log node tests/e2e/offline.mjs
check_violations "6c offline e2e (Playwright)"

# --- tier 7: soak (short form; SOAK_CALLS=100000 for the long form)
reset_sandbox
tap_tier "7 soak (Chromium)" tests/out/soak.log node tests/reliability/soak.mjs
check_violations "7 soak (Chromium)"

print_summary
[ "$failed" -eq 0 ]
