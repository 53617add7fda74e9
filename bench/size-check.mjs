// The size guard: fails when the built package (dist/, `./scripts/package.sh`) is more than `toleranceBytes` over the
// total gzip recorded in bench/size-budget.json. Raising the budget is a reviewed change to that file.
// Usage: node bench/size-check.mjs            (after ./scripts/package.sh)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { measureOurs, root } from "./size.mjs";

const budget = JSON.parse(readFileSync(join(root, "bench/size-budget.json"), "utf8"));
const { wasm, glue, total } = measureOurs();
const limit = budget.totalGzipBytes + budget.toleranceBytes;
const line = `total gzip ${total.gz} B (wasm ${wasm.gz} + JS ${glue.gz}); budget ${budget.totalGzipBytes} B + ${budget.toleranceBytes} B tolerance`;
if (total.gz > limit) {
  console.log(`not ok 1 - package size: ${line}: ${total.gz - limit} B over`);
  process.exit(1);
}
console.log(`ok 1 - package size: ${line}`);
