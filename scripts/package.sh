#!/usr/bin/env bash
# `make package`: builds the npm package into dist/ from the release wasm and pkg-templates/.
# Assumes scripts/setup.sh has run (the Makefile target does that).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
NAME=carecloud_customer
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
# The spec-derived files (openapi.d.ts, readonly.js) must match the vendored spec: regenerate with scripts/gen-types.mjs.
node scripts/gen-types.mjs --check

cargo build -q --release --lib --target wasm32-unknown-unknown
rm -rf dist target/pkg && mkdir -p dist target/pkg
wasm-bindgen --target web --out-dir target/pkg --out-name "$NAME" \
  "target/wasm32-unknown-unknown/release/$NAME.wasm"
# Binaryen from npm (never Debian's wasm-opt 108, which corrupts wasm-bindgen output), with the flags
# `wasm-pack build` would use: Cargo.toml's [package.metadata.wasm-pack.profile.release] wasm-opt list.
mapfile -t wasm_opt_flags < <(cargo metadata -q --no-deps --format-version 1 | node -e '
  const pkg = JSON.parse(require("fs").readFileSync(0, "utf8")).packages.find((p) => p.name === process.argv[1]);
  for (const flag of pkg?.metadata?.["wasm-pack"]?.profile?.release?.["wasm-opt"] ?? []) console.log(flag);
' carecloud-customer)
[ "${#wasm_opt_flags[@]}" -gt 1 ] || { echo "no wasm-opt flags in Cargo.toml's wasm-pack metadata"; exit 1; }
wasm-opt "${wasm_opt_flags[@]}" -o "dist/${NAME}_bg.wasm" "target/pkg/${NAME}_bg.wasm"
cp "target/pkg/$NAME.js" dist/
cp pkg-templates/client.js pkg-templates/readonly.js pkg-templates/browser.js pkg-templates/node.mjs \
   pkg-templates/workerd.js pkg-templates/index.d.ts pkg-templates/openapi.d.ts pkg-templates/README.md LICENSE dist/
sed -i "s/__VERSION__/$VERSION/" dist/client.js
# Node `require`: one CommonJS file bundling the glue and the wrapper (the wasm stays a separate file).
rm -rf target/cjs && mkdir -p target/cjs
cp dist/$NAME.js dist/client.js dist/readonly.js pkg-templates/node-cjs-entry.mjs target/cjs/
esbuild target/cjs/node-cjs-entry.mjs --bundle --platform=node --format=cjs --keep-names --log-level=error \
  --outfile=dist/node.cjs
sed "s/\"version\": \"0.0.0\"/\"version\": \"$VERSION\"/" pkg-templates/package.json > dist/package.json
echo "dist/ built: carecloud-customer@$VERSION, wasm $(wc -c < "dist/${NAME}_bg.wasm") bytes"
