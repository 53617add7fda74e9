// The package's size as an app ships it: the wasm (dist/, after wasm-opt) plus the package's JS bundled and minified
// by esbuild from bench/ours-entry.js. One measurement for `make bench` (bench/run.mjs) and the size guard
// (bench/size-check.mjs).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "..");
export const out = join(root, "tests/out/bench");
export const esbuild = join(root, "node_modules/.bin/esbuild");

/** raw, gzip (level 9) and brotli (quality 11) byte counts of a buffer. */
export const sizes = (buf) => ({
  raw: buf.length,
  gz: gzipSync(buf, { level: 9 }).length,
  br: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

/** Bundles and minifies an entry for the browser (ESM) into tests/out/bench/<name>.js; returns its bytes. */
export function bundle(entry, name) {
  mkdirSync(out, { recursive: true });
  const file = join(out, `${name}.js`);
  execFileSync(esbuild, [join(root, entry), "--bundle", "--minify", "--format=esm", "--platform=browser",
    "--target=es2022", `--outfile=${file}`, "--log-level=error"]);
  return readFileSync(file);
}

/** The built package (dist/): the wasm, the bundled JS, and their total. */
export function measureOurs() {
  const wasm = sizes(readFileSync(join(root, "dist/carecloud_customer_bg.wasm")));
  const glue = sizes(bundle("bench/ours-entry.js", "ours"));
  const total = { raw: wasm.raw + glue.raw, gz: wasm.gz + glue.gz, br: wasm.br + glue.br };
  return { wasm, glue, total };
}
