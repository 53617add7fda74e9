// The JS peers doing the same job as carecloud-customer: fetch wrapper with retries (ky), dedupe + cache
// (TanStack query-core), retry/backoff/circuit breaker/timeout policies (cockatiel). Bundled and minified by
// esbuild for the size comparison and loaded by the benchmark page.
export { default as ky } from "ky";
export { QueryClient } from "@tanstack/query-core";
export {
  retry, circuitBreaker, timeout, wrap, handleAll, handleWhen, ExponentialBackoff, ConsecutiveBreaker, TimeoutStrategy,
} from "cockatiel";
