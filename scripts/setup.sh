#!/usr/bin/env bash
# Installs what `make demo` / `make test` / `make bench` need, skipping what is present.
# Idempotent: on a warm machine it takes seconds. See ../README.md ("The two commands").
set -euo pipefail
source "$(dirname "$0")/lib.sh"

WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1
say() { printf '[setup] %s\n' "$*"; }

# 1. Rust: the wasm target and the lint components.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for c in clippy rustfmt; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done
# The pinned nightly the package's release wasm is built with (scripts/package.sh: build-std with panics as an
# immediate abort, ~10 KB gzip less). Minimal profile + rust-src: std is built from source, so no wasm32 rust-std.
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 || \
   ! rustup component list --installed --toolchain "$NIGHTLY" | grep -q '^rust-src'; then
  say "installing rust $NIGHTLY (minimal, rust-src)"
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src
fi

# 2. The browsers the wasm tests run in, from Debian (never a downloaded browser): Chromium + ChromeDriver,
#    Firefox ESR (its geckodriver comes from crates.io, step 4), WebKitGTK's WebDriver + Xvfb for its display.
#    One apt-get for whatever is missing.
missing=()
for want in /usr/bin/chromium:chromium "$CHROMEDRIVER_BIN":chromium-driver /usr/bin/firefox-esr:firefox-esr \
            "$WEBKITDRIVER_BIN":webkit2gtk-driver /usr/bin/Xvfb:xvfb; do
  [ -x "${want%%:*}" ] || missing+=("${want##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  apt_get() { # waits for another apt/dpkg to release its lock, retrying a few times
    local try
    for try in 1 2 3 4 5 6; do
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=120 "$@" && return 0
      say "apt-get $1 failed (try $try), retrying in 20 s"; sleep 20
    done
    return 1
  }
  apt_get update -qq
  apt_get install -y -qq "${missing[@]}" >/dev/null
fi

# 3. wasm-bindgen-cli: exactly the wasm-bindgen version in Cargo.lock (no --locked: the lockfile it ships names a
# crate version the registry mirror here does not have, so --locked fails to resolve).
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  cargo install -q wasm-bindgen-cli --version "=$WB_VERSION" --force
fi

# 4. wasm-pack (for `wasm-pack test`; `make package` does not use it: scripts/package.sh runs wasm-bindgen and
#    npm's wasm-opt itself) and geckodriver (Firefox's WebDriver, for tier 3b).
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION"
  cargo install -q --locked wasm-pack --version "=$WASM_PACK_VERSION" --force
fi
if [ "$("$GECKODRIVER_BIN" --version 2>/dev/null | awk 'NR==1{print $2}')" != "$GECKODRIVER_VERSION" ]; then
  say "installing geckodriver $GECKODRIVER_VERSION"
  cargo install -q --locked geckodriver --version "=$GECKODRIVER_VERSION" --force
fi

# 5. npm dev tools pinned in package-lock.json: binaryen (wasm-opt), workerd, playwright-core, esbuild, peers.
stamp=node_modules/.setup-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "npm ci (dev tools pinned in package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# 6. Python venv for the sandbox's OpenAPI conformance test (openapi-core from PyPI), pinned in requirements.txt.
pystamp=target/py/.setup-stamp
pywant=$(sha256sum tests/sandbox/requirements.txt | cut -d' ' -f1)
if [ ! -f "$pystamp" ] || [ "$(cat "$pystamp")" != "$pywant" ]; then
  say "python venv for the conformance test (openapi-core)"
  python3 -m venv target/py
  target/py/bin/pip install -q --disable-pip-version-check -r tests/sandbox/requirements.txt
  echo "$pywant" > "$pystamp"
fi

say "ready: $(wasm-bindgen --version), $(wasm-pack --version), wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}'), $(chromium --version 2>/dev/null | head -1),"
say "       $(firefox-esr --version 2>/dev/null | head -1), geckodriver $GECKODRIVER_VERSION, WebKitGTK $(dpkg-query -W -f '${Version}' webkit2gtk-driver 2>/dev/null)"
