#!/usr/bin/env bash
# `make package`: builds the npm package into dist/ from the wasm and pkg-templates/.
#   dist/        the release build: the pinned nightly ($NIGHTLY in lib.sh) rebuilds std with panics as an immediate
#                abort and no Debug/location formatting (~10 KB gzip less; nothing in the client panics, so nothing
#                is lost but a message that is never printed)
#   dist/debug/  `carecloud-customer/debug`: the stable toolchain with the `debug` feature (console_error_panic_hook,
#                names kept), so an integrator who meets `unreachable` can switch the import and read the message
# Both builds have the same exports; each has its own wasm-bindgen glue. Assumes scripts/setup.sh has run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
NAME=carecloud_customer
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
# The spec-derived files (openapi.d.ts, readonly.js) must match the vendored spec: regenerate with scripts/gen-types.mjs.
node scripts/gen-types.mjs --check

# Binaryen from npm (never Debian's wasm-opt 108, which corrupts wasm-bindgen output), with the flags
# `wasm-pack build` would use: Cargo.toml's [package.metadata.wasm-pack.profile.release] wasm-opt list.
mapfile -t wasm_opt_flags < <(cargo metadata -q --no-deps --format-version 1 | node -e '
  const pkg = JSON.parse(require("fs").readFileSync(0, "utf8")).packages.find((p) => p.name === process.argv[1]);
  for (const flag of pkg?.metadata?.["wasm-pack"]?.profile?.release?.["wasm-opt"] ?? []) console.log(flag);
' carecloud-customer)
[ "${#wasm_opt_flags[@]}" -gt 1 ] || { echo "no wasm-opt flags in Cargo.toml's wasm-pack metadata"; exit 1; }

# bindgen WASM OUT [WASM-OPT FLAGS...]: glue + optimised wasm + the JS templates into OUT, and OUT/node.cjs.
bindgen() {
  local wasm=$1 out=$2; shift 2
  local tmp="target/pkg/$(basename "$out")"
  rm -rf "$tmp" && mkdir -p "$tmp" "$out"
  wasm-bindgen --target web --out-dir "$tmp" --out-name "$NAME" "$wasm"
  wasm-opt "${wasm_opt_flags[@]}" "$@" -o "$out/${NAME}_bg.wasm" "$tmp/${NAME}_bg.wasm"
  cp "$tmp/$NAME.js" "$out/"
  cp pkg-templates/client.js pkg-templates/copies.js pkg-templates/readonly.js pkg-templates/browser.js pkg-templates/node.mjs \
     pkg-templates/workerd.js "$out/"
  sed -i "s/__VERSION__/$VERSION/" "$out/client.js"
  # Node `require`: one CommonJS file bundling the glue and the wrapper (the wasm stays a separate file).
  rm -rf "$tmp/cjs" && mkdir -p "$tmp/cjs"
  cp "$out/$NAME.js" "$out/client.js" "$out/copies.js" "$out/readonly.js" pkg-templates/node-cjs-entry.mjs "$tmp/cjs/"
  esbuild "$tmp/cjs/node-cjs-entry.mjs" --bundle --platform=node --format=cjs --keep-names --log-level=error \
    --outfile="$out/node.cjs"
  # Browsers: one module (entry, wrapper and glue), so a page fetches the JavaScript in one round trip and the
  # wasm fetch starts as soon as it runs (three nested imports cost two more round trips before it).
  # `new URL("./…wasm", import.meta.url)` stays as written: bundlers and browsers resolve it beside this file.
  rm -rf "$tmp/esm" && mkdir -p "$tmp/esm"
  cp "$out/$NAME.js" "$out/client.js" "$out/copies.js" "$out/readonly.js" pkg-templates/browser.js "$tmp/esm/"
  esbuild "$tmp/esm/browser.js" --bundle --format=esm --log-level=error --outfile="$out/browser.js"
}

rm -rf dist && mkdir -p dist
RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none" \
  CARGO_TARGET_DIR=target/nightly \
  cargo "+$NIGHTLY" build -q --release --lib --target wasm32-unknown-unknown -Z build-std=std,panic_abort
bindgen "target/nightly/wasm32-unknown-unknown/release/$NAME.wasm" dist

cargo build -q --release --lib --target wasm32-unknown-unknown --features debug
bindgen "target/wasm32-unknown-unknown/release/$NAME.wasm" dist/debug --debuginfo

cp pkg-templates/index.d.ts pkg-templates/openapi.d.ts pkg-templates/README.md LICENSE dist/
sed "s/\"version\": \"0.0.0\"/\"version\": \"$VERSION\"/" pkg-templates/package.json > dist/package.json
echo "dist/ built: carecloud-customer@$VERSION, wasm $(wc -c < "dist/${NAME}_bg.wasm") bytes" \
  "(debug build: $(wc -c < "dist/debug/${NAME}_bg.wasm") bytes)"
