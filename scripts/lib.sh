# Shared by the scripts in this directory: `source "$(dirname "$0")/lib.sh"` (not run on its own).
# Moves to the repository root, puts the project's tools first on PATH, and starts/stops the sandbox.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

# npm's binaryen (never Debian's wasm-opt) and the cargo-installed wasm-bindgen / wasm-pack come first.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# on_exit COMMAND: runs COMMAND when the script exits (after those registered before it).
EXIT_HOOKS=()
on_exit() {
  EXIT_HOOKS+=("$1")
  trap 'for hook in "${EXIT_HOOKS[@]}"; do eval "$hook"; done' EXIT
}

# The nightly the package's release wasm is built with (scripts/package.sh; installed by setup.sh).
NIGHTLY=nightly-2026-05-19

# The WebDriver servers of the three browser engines the wasm tests run in (installed by setup.sh).
CHROMEDRIVER_BIN=/usr/bin/chromedriver
GECKODRIVER_BIN=$HOME/.cargo/bin/geckodriver
WEBKITDRIVER_BIN=/usr/bin/WebKitWebDriver

SANDBOX_BIN=target/release/carecloud-sandbox
# What the demo serves: the portal at / and the built package at /pkg.
SANDBOX_SITE=(--static www --mount /pkg=dist)
# What the test, bench and soak pages load on top of that.
SANDBOX_TEST_MOUNTS=(--mount /out=tests/out --mount /bench=bench)

build_sandbox() {
  cargo build -q --release -p carecloud-sandbox
}

# start_sandbox LOGFILE: builds and starts the sandbox on a free loopback port with the site and test mounts,
# waits for its `listening on URL` line, exports SANDBOX_URL and stops the sandbox when the script exits.
start_sandbox() {
  local log=$1
  build_sandbox || { echo "sandbox build failed"; return 1; }
  mkdir -p tests/out "$(dirname "$log")"
  "$SANDBOX_BIN" --addr 127.0.0.1:0 "${SANDBOX_SITE[@]}" "${SANDBOX_TEST_MOUNTS[@]}" >"$log" 2>&1 &
  SANDBOX_PID=$!
  on_exit stop_sandbox
  for _ in $(seq 50); do grep -q '^listening on ' "$log" && break; sleep 0.1; done
  SANDBOX_URL=$(awk '/^listening on /{print $3; exit}' "$log")
  export SANDBOX_URL
  [ -n "$SANDBOX_URL" ] || { echo "sandbox did not start:"; cat "$log"; return 1; }
  echo "sandbox at $SANDBOX_URL"
}

stop_sandbox() {
  [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null
  SANDBOX_PID=""
}

# Seeded data back to its initial state (redeeming tests spend points), faults and logs cleared.
reset_sandbox() {
  node -e 'fetch(process.argv[1], { method: "POST" }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "$SANDBOX_URL/__sandbox/reset"
}

# --- tier counting for scripts/test.sh. `record TIER PASSED FAILED` adds to TIER's counts (a tier may be recorded
# more than once, e.g. by check_violations); `print_summary` prints one line per tier and `N passed, M failed`.
passed=0; failed=0
TIERS=(); declare -A TIER_PASSED=() TIER_FAILED=()
record() {
  local name=$1
  [ -n "${TIER_PASSED[$name]+x}" ] || { TIERS+=("$name"); TIER_PASSED[$name]=0; TIER_FAILED[$name]=0; }
  TIER_PASSED[$name]=$((TIER_PASSED[$name] + $2)); TIER_FAILED[$name]=$((TIER_FAILED[$name] + $3))
  passed=$((passed + $2)); failed=$((failed + $3))
  printf '== %s: %d passed, %d failed\n' "$name" "$2" "$3"
}
print_summary() {
  local name
  echo
  for name in "${TIERS[@]}"; do
    printf '%-44s %4d passed, %d failed\n' "$name" "${TIER_PASSED[$name]}" "${TIER_FAILED[$name]}"
  done
  echo "$passed passed, $failed failed"
}

# check_violations TIER: when tests/sandbox/violations.py exists, asks it for the spec violations the sandbox
# logged (it prints each one and exits 1 if there are any) and counts its verdict as one more pass or fail of TIER.
# Does nothing when the file is absent.
check_violations() {
  local name=$1 checker=tests/sandbox/violations.py
  [ -f "$checker" ] || return 0
  if target/py/bin/python "$checker" "$SANDBOX_URL" >tests/out/violations.log 2>&1; then
    record "$name" 1 0
  else
    echo "spec violations logged by the sandbox during '$name':"; head -40 tests/out/violations.log
    record "$name" 0 1
  fi
}
