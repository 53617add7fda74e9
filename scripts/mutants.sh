#!/usr/bin/env bash
# Mutation testing of the pure-Rust core with cargo-mutants: each mutant is one small bug put into one function,
# and the native unit tests (`cargo test --lib`) must fail on it. Settings: .cargo/mutants.toml. Results and the
# survivors judged equivalent: docs/mutants.md.
#
#   scripts/mutants.sh                               every core file (src/wasm/ and test-only files are skipped)
#   scripts/mutants.sh src/retry.rs src/cache.rs     only these files, one baseline for the group
#   MUTANTS_SHARD=3/8 scripts/mutants.sh             shard 3 of 0..7, to run a full pass piecewise
#   scripts/mutants.sh src/retry.rs -- --baseline=skip --iterate    more cargo-mutants options after `--`
#
# Environment: MUTANTS_JOBS (default 1; the machine has 2 cores), MUTANTS_TIMEOUT (seconds for one test run,
# default 60), PROPTEST_CASES (default 64 here: the property tests still run, shorter).
# Output: mutants.out/<files or shard>/mutants.out/ (caught.txt, missed.txt, timeout.txt, unviable.txt,
# outcomes.json); the exit status is cargo-mutants' (0 all caught, 2 some missed, 3 some timed out).
set -euo pipefail
cd "$(dirname "$0")/.."
readonly VERSION=27.1.0
export PATH="$HOME/.cargo/bin:$PATH"
if [ "$(cargo mutants --version 2>/dev/null)" != "cargo-mutants $VERSION" ]; then
  cargo install --locked cargo-mutants --version "=$VERSION"
fi

files=() extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; extra=("$@"); break ;;
    *) files+=("$1"); shift ;;
  esac
done
args=(--jobs "${MUTANTS_JOBS:-1}" --timeout "${MUTANTS_TIMEOUT:-60}")
label=all
if [ ${#files[@]} -gt 0 ]; then
  for f in "${files[@]}"; do args+=(--file "$f"); done
  label=$(basename -s .rs "${files[@]}" | paste -sd+)
fi
if [ -n "${MUTANTS_SHARD:-}" ]; then
  args+=(--shard "$MUTANTS_SHARD")
  label="$label-shard-${MUTANTS_SHARD/\//-of-}"
fi
mkdir -p "mutants.out/$label"
export PROPTEST_CASES=${PROPTEST_CASES:-64}
exec cargo mutants "${args[@]}" --output "mutants.out/$label" "${extra[@]}"
