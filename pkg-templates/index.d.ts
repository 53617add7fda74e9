// Type definitions for carecloud-customer; the runtime is Rust compiled to WebAssembly. Request and response shapes
// come from ./openapi.d.ts, generated from CareCloud's customer-interface spec by scripts/gen-types.mjs.
import type { paths, components, operations } from "./openapi.js";
export type { paths, components, operations };

/** Stable error kinds (`error.kind`). */
export type ErrorKind =
  | "network" | "timeout" | "aborted" | "unauthorized" | "forbidden" | "not_found" | "bad_request" | "conflict"
  | "rate_limited" | "server" | "unavailable" | "circuit_open" | "decode" | "config"
  /** The browser reports no network (`navigator.onLine === false`): failed fast, nothing was sent. */
  | "offline";

/** One entry of CareCloud's `error.error_data.invalid_params[]`. */
export interface InvalidParam {
  name: string;
  /** e.g. `required`, `invalid_value_format`, `not_found`, `not_belong_to_logged_in_customer`, `not_enough_points_for_voucher`. */
  reason: string;
  message?: string;
}

/** Every failed call rejects with a CareCloudError. Never carries a token or password. */
export class CareCloudError extends Error {
  constructor(kind: ErrorKind, message: string, extra?: Partial<CareCloudError>);
  readonly name: "CareCloudError";
  /** What went wrong, as a stable code to switch on. */
  readonly kind: ErrorKind;
  /** Same as `kind`. */
  readonly code: ErrorKind;
  /** HTTP status when a response arrived. */
  readonly status?: number;
  /** First `invalid_params[].reason`, else CareCloud's `exception`, else a client reason such as `session_expired`. */
  readonly reason?: string;
  readonly invalidParams: InvalidParam[];
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
  /** A write that may have been applied although the call failed (response lost). Check before repeating it. */
  readonly outcomeUnknown: boolean;
  /** The server's `X-Request-Id`, when sent. */
  readonly requestId?: string;
  /** Network attempts made. */
  readonly attempts: number;
}

/** Where the device token lives. Never localStorage. */
export type TokenStore =
  | "memory"
  | "session"
  | {
      get(key: string): string | null | undefined | Promise<string | null | undefined>;
      set(key: string, value: string): void | Promise<void>;
      remove(key: string): void | Promise<void>;
    };

/** One structured entry per attempt, cache hit and joined read. PII and tokens masked. */
export interface LogEntry {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path relative to the API base, token and PII segments masked (`/tokens/***`). */
  path: string;
  /** Query string with PII values masked. */
  query: string;
  /** HTTP status, 0 when no response (or a cache hit / joined read). */
  status: number;
  ms: number;
  /** 1 = first attempt; 0 for cache hits and joined reads. */
  attempt: number;
  /** The call's correlation id (also sent in the `correlationHeader`, when configured). */
  correlationId: string;
  /** `stale`: a failed catalogue read answered with its last good response. */
  source: "network" | "cache" | "dedupe" | "shared-cache" | "stale";
  outcome: "ok" | "retry" | "renew" | "error";
  errorKind?: ErrorKind;
  requestId?: string;
  /** CareCloud's reason for a failed attempt (e.g. `not_enough_points_for_voucher`). */
  reason?: string;
  /** The failure's message, e-mails and phone/card numbers masked. */
  detail?: string;
  /** The error body's `type` (`about:blank`, a URI or an exception name), masked, at most 64 characters. */
  errorType?: string;
  /** The error body's `invalid_params`: at most 10, name and reason only (each at most 64 characters), never the
   *  value, which can hold personal data. Absent when the body had none. */
  invalidParams?: { name: string; reason: string }[];
  /** Epoch ms. */
  time: number;
}

export type ClientEvent =
  | { type: "deprecation"; path: string; deprecatedAt?: number; sunsetAt?: number }
  | { type: "circuit_open" }
  | { type: "circuit_closed" }
  | { type: "token_renewed" }
  /** The customer must log in again: the token was replaced or invalid, or another tab sharing the token logged out. */
  | { type: "session_expired" }
  /** `Sunset` without `Deprecation` (RFC 8594): the path goes away at `sunsetAt` (epoch ms). Once per path. */
  | { type: "sunset"; path: string; sunsetAt: number }
  /** The server answered 429 (every time it does). `retryAfterMs` is its `Retry-After`, when sent. */
  | { type: "rate_limited"; source: "server"; status: number; retryAfterMs?: number; path: string }
  /** The server's `RateLimit` / `X-RateLimit-*` headers said nothing remains: sending pauses for `pauseMs`. */
  | { type: "rate_limited"; source: "window"; pauseMs: number; path: string }
  /** The client's own rate limiter (or a server window) holds a call back for `waitMs`; `queueLength` calls are
   *  waiting now, this one included. */
  | { type: "rate_limited"; source: "limiter"; queueLength: number; waitMs: number }
  | ({ type: "stale" } & StaleInfo);

/** A catalogue read answered with its last good response (the `stale` event; what `onStale` receives). */
export interface StaleInfo {
  /** Masked path, e.g. `/rewards`. */
  path: string;
  /** How long ago that response was received, ms. */
  ageMs: number;
  /** What it stands in for. */
  reason: "network" | "timeout" | "server" | "unavailable" | "circuit_open" | "offline";
}

export interface ClientOptions {
  /** `https://your-project.crmcarecloud.com` (or a bare host). The base becomes projectUrl + /webservice/rest-api/customer-interface/v1.0. */
  projectUrl?: string;
  /** The full base URL instead of projectUrl. https only; plain http is accepted only to loopback. */
  baseUrl?: string;
  /** Encoded id of a *customer* external application (CareCloud admin → External applications, type 2). */
  externalApplicationId: string;
  device?: { deviceId?: string; deviceSystem?: string; deviceName?: string; deviceType?: string };
  setup?: { languageId?: string; allowedGps?: boolean; allowedNotifications?: boolean };
  /** APNs/FCM token registered with the device token. */
  pushToken?: string;
  /** `Accept-Language`, e.g. `cs, en-gb;q=0.8`. */
  acceptLanguage?: string;
  /** Same as `acceptLanguage` (used when `acceptLanguage` is absent). */
  language?: string;
  /** Default "memory". */
  tokenStore?: TokenStore;
  /** Per attempt, default 15000. */
  timeoutMs?: number;
  /** Whole call including retries, default 60000. */
  totalTimeoutMs?: number;
  /** Default `{maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30000, maxRetryAfterMs: 120000}` (= `true`); `false` disables. */
  retry?: boolean | { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** Default `{maxEntries: 500, maxBytes: 4 MiB, ttlMs: {"/languages": 3600000, "/stores": 300000, "/products": 300000, "/rewards": 60000}}` (= `true`); `false` disables. */
  cache?: boolean | { maxEntries?: number; maxBytes?: number; ttlMs?: Record<string, number> };
  /** Default `{requestsPerSecond: 10, burst: 20, maxConcurrent: 6}` (= `true`); `false` disables. */
  rateLimit?: boolean | { requestsPerSecond?: number; burst?: number; maxConcurrent?: number };
  /** Default `{failureThreshold: 5, openMs: 30000}` (= `true`); `false` disables. */
  circuitBreaker?: boolean | { failureThreshold?: number; openMs?: number };
  /**
   * Offline catalogue (stale-if-error): the last good response of a read of these paths, made with no customer
   * logged in, answers that read when it fails (network, timeout, 5xx, circuit open, offline), for at most
   * `maxStaleMs`. Default `{paths: ["/rewards", "/stores", "/products", "/languages"], maxStaleMs: 86400000,
   * maxEntries: 200, maxBytes: 2 MiB, persist: false}` (= `true`); `false` disables. Never customer data.
   * `persist: true` (browser pages) also keeps the copies in `localStorage`
   * (`{storagePrefix}:{externalApplicationId}:copy:{API base URL}{path?query}`), within the same bounds, so a reload or a browser
   * restart still has them: for kiosks. Elsewhere it changes nothing.
   */
  stale?: boolean | { paths?: string[]; maxStaleMs?: number; maxEntries?: number; maxBytes?: number; persist?: boolean };
  /** A header name (e.g. "Idempotency-Key") sent on writes with the same key on every retry; `true` = "Idempotency-Key"; default off. */
  idempotencyHeader?: boolean | string;
  /**
   * Also send each call's correlation id in this header (`true` = "X-Correlation-Id"). Default off: a custom header
   * must be allowed by the server's CORS preflight, which CareCloud does not document.
   */
  correlationHeader?: boolean | string;
  /** Share identical concurrent reads. Default true (false in Cloudflare Workers). */
  dedupe?: boolean;
  /**
   * Never let one call's completion wake another (a Cloudflare Workers rule: a promise created in one request must
   * not be resolved from another). Default false; true in Cloudflare Workers.
   */
  isolateSafe?: boolean;
  /** Prefix of token-store keys, default "carecloud". */
  storagePrefix?: string;
  /**
   * Keep the generated device id in `localStorage` under `${storagePrefix}:${externalApplicationId}:device` (browser
   * pages only), so a reload is the same device and its new token invalidates the previous one server-side. The
   * device id is not a secret; tokens never go to `localStorage`. `device.deviceId` wins. Default true; `false`
   * keeps the id in the token store (a new device per page load with the default memory store).
   */
  persistDeviceId?: boolean;
  /**
   * Share the device token in memory with the other tabs and workers of this origin that have the same device id
   * (`BroadcastChannel` + `navigator.locks`, both required): a new tab takes the open tabs' token, creation and
   * renewal are single-flight across tabs, and a login or logout applies to every tab. Never in Node (no
   * `navigator.locks`) or Cloudflare Workers. Default true.
   */
  shareToken?: boolean;
  /**
   * A cache shared beyond this client for catalogue reads (`/rewards`, `/stores`, `/products`, `/languages`) made
   * with no customer logged in: `{match(key), put(key, text, ttlSeconds)}`, e.g. `workersSharedCache()` in Workers.
   * Failures are misses. Customer data never goes there.
   */
  sharedCache?: SharedCache;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
  onLog?: (entry: LogEntry) => void;
  onEvent?: (event: ClientEvent) => void;
}

/** Query values: arrays become `name[]=a&name[]=b`; `null`/`undefined` are skipped. */
export type QueryValue = string | number | boolean | null | undefined | Array<string | number | boolean>;

/** Options of every call, whatever the path. */
export interface BaseCallOptions {
  signal?: AbortSignal;
  /**
   * "no-cache" (or "reload") skips the cache lookup (the answer still refreshes the cache, and a failure may still be
   * answered stale); "no-store" bypasses the cache and the stale copies entirely.
   */
  cache?: "default" | "no-cache" | "reload" | "no-store";
  /** Per-attempt timeout for this call. */
  timeoutMs?: number;
  /** Idempotency key for this write (with `idempotencyHeader` on). */
  idempotencyKey?: string;
  /**
   * A result is parsed once and shared, deeply frozen, by every caller of that response (joined reads, cache hits):
   * changing it throws a `TypeError` in strict mode. `true` returns a private mutable copy (`structuredClone`).
   */
  mutable?: boolean;
  /** Called when this read is answered with a stale response instead of failing (see `stale`). */
  onStale?: (info: StaleInfo) => void;
}

/** Options of a call on a concrete path (a `string` that is not one of the spec's paths): nothing is checked. */
export interface CallOptions extends BaseCallOptions {
  /** Query parameters. */
  query?: Record<string, QueryValue>;
  /** Values for `{name}` placeholders in the path (each percent-encoded). */
  path?: Record<string, string | number>;
}

export interface PaginateOptions extends CallOptions {
  /** The list's key in `data` (e.g. "rewards"); default: the first array in `data`. */
  listKey?: string;
  /** Items per request (`count`), default 100. */
  pageSize?: number;
  /** Start offset, default 0. */
  offset?: number;
}

/** Counters since construction; reads answered by the facade itself (a remembered hit, a joined read) count too. */
export interface Stats {
  /** Calls made (including cache hits and joined reads). */
  requests: number;
  /** Requests that reached the network (each attempt). */
  networkRequests: number;
  /** Calls that joined an identical read in flight. */
  dedupedRequests: number;
  cacheHits: number;
  retries: number;
  tokenRenewals: number;
  cacheEntries: number;
  inFlight: number;
  circuitState: "closed" | "open" | "half_open";
}

// ---- Calls typed by path, in the manner of openapi-fetch: the path picks the operation of ./openapi.d.ts; its
// path parameters, query and body are checked, and the result is the operation's `data`.

export type HttpMethod = "get" | "post" | "put" | "delete";
/** The spec's paths that have an operation for `M` (e.g. `PathsWithMethod<"post">`). */
export type PathsWithMethod<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];
/** The operation of `M path`, e.g. `Operation<"/rewards", "get">` = `operations["getRewards"]`. */
export type Operation<P extends keyof paths, M extends HttpMethod> = paths[P] extends { [K in M]: infer O } ? O : never;

type ParamsOf<O> = O extends { parameters: infer X } ? X : {};
type PathOption<O> = ParamsOf<O> extends { path: infer X } ? { path: X } : { path?: never };
type QueryOption<O> = ParamsOf<O> extends { query: infer X }
  ? { query: X }
  : ParamsOf<O> extends { query?: infer X }
    ? [NonNullable<X>] extends [never] ? { query?: never } : { query?: X }
    : { query?: never };
/** The options of a call to operation `O`: `path` and `query` as the operation defines them. */
export type RequestOptions<O> = BaseCallOptions & PathOption<O> & QueryOption<O>;
/** The JSON request body of operation `O` (`never` when it takes none). */
export type RequestBody<O> = O extends { requestBody: { content: { "application/json": infer B } } } ? B : never;

type SuccessOf<O> = O extends { responses: infer R }
  ? 200 extends keyof R ? R[200] : 201 extends keyof R ? R[201] : 204 extends keyof R ? R[204] : never
  : never;
/** What a call to operation `O` resolves to: its success response's `data` (`null` for 204 No Content). */
export type ResponseData<O> = SuccessOf<O> extends { content: { "application/json": infer J } }
  ? J extends { data?: infer D } ? NonNullable<D> : unknown
  : null;
/** The item type of a list operation: the element of the array(s) in its `data`. */
export type ListItem<O> = { [K in keyof ResponseData<O>]-?: NonNullable<ResponseData<O>[K]> extends Array<infer I> ? I : never }[keyof ResponseData<O>];

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
/** `[options]`, optional unless the operation has required path or query parameters. */
type OptionsArg<T> = [RequiredKeys<T>] extends [never] ? [options?: T] : [options: T];
/** The options argument(s) of `M path`. */
export type OptionsArgs<P extends keyof paths, M extends HttpMethod> = OptionsArg<RequestOptions<Operation<P, M>>>;
/**
 * A `string` path that is not one of the spec's paths: those are checked exactly by the typed overload (and a spec
 * path with a method it does not have is an error, not an unchecked call).
 */
type UncheckedPath<P extends string> = P & (P extends keyof paths ? never : unknown);

type Schemas = components["schemas"];
type Data<P extends keyof paths, M extends HttpMethod = "get"> = ResponseData<Operation<P, M>>;
type Query<P extends keyof paths, M extends HttpMethod = "get"> = NonNullable<RequestOptions<Operation<P, M>>["query"]>;
type Body<P extends keyof paths, M extends HttpMethod> = RequestBody<Operation<P, M>>;
/** Query of a helper that fills `customer_id` itself. */
type CustomerQuery<P extends keyof paths> = Omit<Query<P>, "customer_id">;

// Resource shapes, from the spec's schemas. Unknown fields may appear at any time (minor versions add them).
export type Address = Schemas["Address"];
export type Store = Schemas["Store"];
export type Reward = Schemas["Reward"];
export type Voucher = Schemas["Voucher"];
export type Customer = Schemas["Customer"];
export type PointRecord = Schemas["Point"];
export type PointHistoryRecord = Schemas["PointHistoryRecord"];
export type PointsOverview = Data<"/wallet/actions/points-overview">;
export type Product = Schemas["Product"];
export type Purchase = Schemas["Purchase"];
export type PurchaseItem = Schemas["PurchaseItem"];
export type Message = Schemas["Message"];
export type MessageDetail = Schemas["MessageDetail"];
export type Language = Schemas["Language"];
export type Card = Schemas["Card"];
export type Tag = Schemas["Tag"];
export type Agreement = Schemas["AgreementList"];
export type Country = Schemas["Country"];
export type CommunicationChannel = Schemas["CommunicationChannel"];
export type CustomerSourceRecord = Schemas["CustomerSourceRecord"];
export type PropertyRecord = Schemas["PropertyRecord"];
export type GiftCardBalance = Schemas["VoucherGiftCardBalance"];

/**
 * Walks a list page by page. Handed out by `pages()` at once; made before the wasm module is ready (browser entry),
 * it waits for it on the first `next()`, which then also reports option errors such as a bad `pageSize`.
 */
export class Pages {
  private constructor();
  /** The next page's items, or undefined when exhausted. */
  next(): Promise<unknown[] | undefined>;
  free(): void;
}

type RegisterBody = Body<"/customers", "post">;

/**
 * In Node and Workers the wasm module is instantiated when the package is imported. In browsers its fetch and
 * compile start then and finish a little later: a client made before that is usable at once (every call waits for
 * the module) and binds to the wasm on first use. Until then `stats()` reports an idle client, `customerId` is
 * undefined, `clearCache()` has nothing to clear and `pushDelayMs()` throws; `await ready()` first to avoid the
 * difference.
 */
export class CustomerClient {
  /**
   * Validates options (throws CareCloudError "config"); touches no network, timer or randomness. Before the wasm
   * module is ready (browser entry, see `ready()`) the options are checked on first use instead, and every call
   * then rejects with that error.
   */
  constructor(options: ClientOptions);
  /** Device token: reuse the stored one or `POST /tokens`. Optional: any call connects first. */
  connect(): Promise<void>;
  /** Customer login on the device token. The password is sent once and never kept. */
  login(args: { loginType?: "email" | "card" | "phone"; loginValue: string; password: string; signal?: AbortSignal }): Promise<{ customerId: string }>;
  /** Logs out and forgets every customer-specific cached response (rotates the token if the server is unreachable). */
  logout(): Promise<void>;
  /** Registration (`POST /customers`); with `autologin: true` the customer is logged in. */
  register(args: {
    customer: RegisterBody["customer"];
    password?: string;
    autologin: boolean;
    /** Where the registration came from (required by CareCloud): `{customer_source_id, …}`, or just that id. */
    customerSource: string | RegisterBody["customer_source"];
    propertyRecords?: RegisterBody["property_records"];
    referralCode?: string;
  }): Promise<{ customerId: string }>;
  /**
   * `POST /tokens/{token_id}/actions/send-password-setup-email`. The channel: `communicationChannelId` (an id from
   * `GET /communication-channels`), or `channel`, a channel's `text_id` (default `"email"`), looked up for its id.
   */
  sendPasswordSetupEmail(args: { recipient: string; communicationChannelId?: string; channel?: string }): Promise<null>;
  updateToken(args: { setup: { languageId?: string; allowedGps?: boolean; allowedNotifications?: boolean }; pushToken?: string }): Promise<void>;
  /** Hands the logged-in customer to another application. */
  authToken(args: { externalApplicationId: string; tokenType?: 1 | 2 }): Promise<Data<"/tokens/{token_id}/actions/auth-token">>;

  /**
   * `GET path` → the response's `data`. A spec path (`"/customers/{customer_id}/cards"`) is checked: `path` fills
   * its placeholders, `query` is the operation's; the result is typed. Any other string is sent as it is (result
   * `unknown`, or `T`).
   */
  get<P extends PathsWithMethod<"get">>(path: P, ...options: OptionsArgs<P, "get">): Promise<Data<P>>;
  get<T = unknown, P extends string = string>(path: UncheckedPath<P>, options?: CallOptions): Promise<T>;
  /** `POST path` with a JSON body → `data` (`null` for 204). */
  post<P extends PathsWithMethod<"post">>(path: P, body: Body<P, "post">, ...options: OptionsArgs<P, "post">): Promise<Data<P, "post">>;
  post<T = unknown, P extends string = string>(path: UncheckedPath<P>, body?: unknown, options?: CallOptions): Promise<T>;
  /** CareCloud's PUT replaces the whole record: omitted fields are cleared. */
  put<P extends PathsWithMethod<"put">>(path: P, body: Body<P, "put">, ...options: OptionsArgs<P, "put">): Promise<Data<P, "put">>;
  put<T = unknown, P extends string = string>(path: UncheckedPath<P>, body?: unknown, options?: CallOptions): Promise<T>;
  delete<P extends PathsWithMethod<"delete">>(path: P, ...options: OptionsArgs<P, "delete">): Promise<Data<P, "delete">>;
  delete<T = unknown, P extends string = string>(path: UncheckedPath<P>, options?: CallOptions): Promise<T>;
  /** A page walker (`paginate` is built on it); a bad path parameter throws here. */
  pages<P extends PathsWithMethod<"get">>(path: P, options: PaginateOptions & RequestOptions<Operation<P, "get">>): Pages;
  pages<P extends string = string>(path: UncheckedPath<P>, options?: PaginateOptions): Pages;
  /** Every item of a list (async iterator); ends quietly on abort. */
  paginate<P extends PathsWithMethod<"get">>(path: P, ...options: OptionsArg<Omit<PaginateOptions, "query" | "path"> & RequestOptions<Operation<P, "get">>>): AsyncGenerator<ListItem<Operation<P, "get">>, void, undefined>;
  paginate<T = unknown, P extends string = string>(path: UncheckedPath<P>, options?: PaginateOptions): AsyncGenerator<T, void, undefined>;
  /**
   * Disables `element` + `aria-busy` until `action` settles and for at least `minBusyMs` (default 500, the usual
   * double-click interval) after the press; a press in that time joins the first instead of running again.
   */
  guard<T>(element: object, action: () => T | Promise<T>, options?: { minBusyMs?: number }): Promise<T>;
  /** Keyed guard for non-DOM code. */
  guardKey<T>(key: string, action: () => T | Promise<T>, options?: { minBusyMs?: number }): Promise<T>;
  /**
   * Runs `action` after a uniform random 0–maxDelayMs delay (default 60 s; ≤ 25 s in a service worker). `delayMs` is
   * set when the delay is drawn: at once, or, before the wasm module is ready, as soon as it is.
   */
  afterPush<T>(action: () => T | Promise<T>, options?: { maxDelayMs?: number; signal?: AbortSignal }): Promise<T> & { delayMs: number };
  /** One sample of the afterPush delay (CSPRNG). Throws a `config` CareCloudError before the wasm module is ready. */
  pushDelayMs(maxDelayMs: number): number;
  stats(): Stats;
  /** Drops every cached response and every response kept for stale answers. */
  clearCache(): void;
  readonly customerId: string | undefined;
  /** Frees the wasm client; later calls reject with a `config` CareCloudError. */
  free(): void;

  // Helpers: path sugar over get/post/put (same checks, same results). "Needs a logged-in customer" = fills
  // `customer_id` itself and rejects with a `config` CareCloudError when no customer is logged in.
  readonly rewards: {
    list(query?: Query<"/rewards">, options?: BaseCallOptions): Promise<Data<"/rewards">>;
    all(query?: Query<"/rewards">, options?: PaginateBase): AsyncGenerator<Reward, void, undefined>;
    get(rewardId: string, options?: BaseCallOptions): Promise<Data<"/rewards/{reward_id}">>;
    /** `POST /rewards/{id}/actions/create-voucher` for the logged-in customer (needs one) → `{voucher_id}`. */
    redeem(rewardId: string, body?: Omit<Body<"/rewards/{reward_id}/actions/create-voucher", "post">, "customer_id">, options?: BaseCallOptions): Promise<Data<"/rewards/{reward_id}/actions/create-voucher", "post">>;
    /** `GET /rewards/tags`: tags to filter rewards by. */
    tags(query?: Query<"/rewards/tags">, options?: BaseCallOptions): Promise<Data<"/rewards/tags">>;
    /** `GET /rewards/{id}/stores`: where the reward can be applied. */
    stores(rewardId: string, query?: Query<"/rewards/{reward_id}/stores">, options?: BaseCallOptions): Promise<Data<"/rewards/{reward_id}/stores">>;
    /** `GET /rewards/{id}/products`. */
    products(rewardId: string, query?: Query<"/rewards/{reward_id}/products">, options?: BaseCallOptions): Promise<Data<"/rewards/{reward_id}/products">>;
  };
  readonly customers: {
    /** The logged-in customer's record (`GET /customers` returns only them). */
    me(options?: BaseCallOptions): Promise<Customer | null>;
    /** `GET /customers/{id}`. */
    get(customerId: string, query?: Query<"/customers/{customer_id}">, options?: BaseCallOptions): Promise<Data<"/customers/{customer_id}">>;
    /**
     * `PUT /customers/{id}` of the logged-in customer (needs one). PUT replaces the whole record: send every field
     * back (`update(await me())` with your changes). The spec's readOnly fields (customer_id, state, last_change, …)
     * are left out of the request.
     */
    update(customer: Customer, extra?: Omit<Body<"/customers/{customer_id}", "put">, "customer">, options?: BaseCallOptions): Promise<null>;
    /** `POST /customers/actions/check-registration-ability`: `{type: "email" | "phone", value}` → `{registration_ability}`. */
    checkRegistrationAbility(body: Body<"/customers/actions/check-registration-ability", "post">, options?: BaseCallOptions): Promise<Data<"/customers/actions/check-registration-ability", "post">>;
    /** `POST /customers/actions/validate-customer-data`: `{type: "password" | "referral_code", value}` → `{is_valid}`. */
    validateCustomerData(body: Body<"/customers/actions/validate-customer-data", "post">, options?: BaseCallOptions): Promise<Data<"/customers/actions/validate-customer-data", "post">>;
  };
  readonly cards: {
    /** The logged-in customer's cards (`GET /customers/{id}/cards`; needs a customer). */
    list(query?: Query<"/customers/{customer_id}/cards">, options?: BaseCallOptions): Promise<Data<"/customers/{customer_id}/cards">>;
    all(query?: Query<"/customers/{customer_id}/cards">, options?: PaginateBase): AsyncGenerator<Card, void, undefined>;
    get(cardId: string, options?: BaseCallOptions): Promise<Data<"/cards/{card_id}">>;
    /** `POST /cards/actions/generate-digital-card-file` → `{file_url}`: a barcode/QR PNG or an Apple Wallet pass. */
    digitalFile(cardId: string, fileType: Body<"/cards/actions/generate-digital-card-file", "post">["file_type"], options?: BaseCallOptions): Promise<Data<"/cards/actions/generate-digital-card-file", "post">>;
  };
  readonly points: {
    /** `GET /customers/{id}/points` (needs a customer). */
    list(query?: Query<"/customers/{customer_id}/points">, options?: BaseCallOptions): Promise<Data<"/customers/{customer_id}/points">>;
    /** `GET /wallet/actions/points-overview` (needs a customer): `{earned_points, redeemed_points, available_points, …}`. */
    overview(query?: CustomerQuery<"/wallet/actions/points-overview">, options?: BaseCallOptions): Promise<PointsOverview>;
    /** `GET /point-history` (needs a customer): the point transactions. */
    history(query?: CustomerQuery<"/point-history">, options?: BaseCallOptions): Promise<Data<"/point-history">>;
    historyAll(query?: CustomerQuery<"/point-history">, options?: PaginateBase): AsyncGenerator<PointHistoryRecord, void, undefined>;
  };
  readonly vouchers: {
    /** `GET /customers/{id}/vouchers` (needs a customer). */
    list(query?: Query<"/customers/{customer_id}/vouchers">, options?: BaseCallOptions): Promise<Data<"/customers/{customer_id}/vouchers">>;
    all(query?: Query<"/customers/{customer_id}/vouchers">, options?: PaginateBase): AsyncGenerator<Voucher, void, undefined>;
    get(voucherId: string, options?: BaseCallOptions): Promise<Data<"/vouchers/{voucher_id}">>;
    /** `POST /vouchers/{id}/actions/apply-voucher`: marks it applied; `date_applied` defaults to now (local time). */
    apply(voucherId: string, body?: Partial<Body<"/vouchers/{voucher_id}/actions/apply-voucher", "post">>, options?: BaseCallOptions): Promise<null>;
    /** `POST /vouchers/actions/gift-card-balance` with `{code}` or `{voucher_id}`. */
    giftCardBalance(body: Body<"/vouchers/actions/gift-card-balance", "post">, options?: BaseCallOptions): Promise<Data<"/vouchers/actions/gift-card-balance", "post">>;
  };
  readonly purchases: {
    /** `GET /customers/{id}/purchases` (needs a customer). */
    list(query?: Query<"/customers/{customer_id}/purchases">, options?: BaseCallOptions): Promise<Data<"/customers/{customer_id}/purchases">>;
    all(query?: Query<"/customers/{customer_id}/purchases">, options?: PaginateBase): AsyncGenerator<Purchase, void, undefined>;
    get(purchaseId: string, options?: BaseCallOptions): Promise<Data<"/purchases/{purchase_id}">>;
    /** `GET /purchases/{id}/purchase-items`. */
    items(purchaseId: string, query?: Query<"/purchases/{purchase_id}/purchase-items">, options?: BaseCallOptions): Promise<Data<"/purchases/{purchase_id}/purchase-items">>;
  };
  readonly stores: {
    list(query?: Query<"/stores">, options?: BaseCallOptions): Promise<Data<"/stores">>;
    all(query?: Query<"/stores">, options?: PaginateBase): AsyncGenerator<Store, void, undefined>;
    get(storeId: string, options?: BaseCallOptions): Promise<Data<"/stores/{store_id}">>;
  };
  readonly products: {
    list(query?: Query<"/products">, options?: BaseCallOptions): Promise<Data<"/products">>;
    all(query?: Query<"/products">, options?: PaginateBase): AsyncGenerator<Product, void, undefined>;
    get(productId: string, options?: BaseCallOptions): Promise<Data<"/products/{product_id}">>;
  };
  readonly messages: {
    list(query?: Query<"/messages">, options?: BaseCallOptions): Promise<Data<"/messages">>;
    all(query?: Query<"/messages">, options?: PaginateBase): AsyncGenerator<Message, void, undefined>;
    get(messageId: string, options?: BaseCallOptions): Promise<Data<"/messages/{message_id}">>;
    /** `GET /messages/{id}/detail`: the bodies (plain text and HTML). */
    detail(messageId: string, options?: BaseCallOptions): Promise<Data<"/messages/{message_id}/detail">>;
  };
  readonly languages: {
    list(query?: Query<"/languages">, options?: BaseCallOptions): Promise<Data<"/languages">>;
  };
  /** Consents (`/agreements`), e.g. for registration forms. */
  readonly agreements: {
    list(query?: Query<"/agreements">, options?: BaseCallOptions): Promise<Data<"/agreements">>;
    get(agreementId: string, options?: BaseCallOptions): Promise<Data<"/agreements/{agreement_id}">>;
  };
  readonly countries: {
    list(query?: Query<"/countries">, options?: BaseCallOptions): Promise<Data<"/countries">>;
  };
  readonly communicationChannels: {
    list(query?: Query<"/communication-channels">, options?: BaseCallOptions): Promise<Data<"/communication-channels">>;
    get(communicationChannelId: string, options?: BaseCallOptions): Promise<Data<"/communication-channels/{communication_channel_id}">>;
  };
}

/** Options of a helper's `all(query, options)`: the query is the helper's first argument. */
export type PaginateBase = Omit<PaginateOptions, "query" | "path">;

export interface SharedCache {
  match(key: string): string | undefined | null | Promise<string | undefined | null>;
  put(key: string, text: string, ttlSeconds: number): void | Promise<void>;
}
/** A SharedCache over `caches.default` (or the given Cache) for Cloudflare Workers. */
export function workersSharedCache(cache?: Cache): SharedCache;

export const VERSION: string;
/**
 * Resolves when the wasm module is instantiated: at once in Node and Workers; in browsers after the fetch and compile
 * that start when the package is imported. Rejects with a `config` CareCloudError if it cannot be loaded. Calls wait
 * for it by themselves; await it only to use the synchronous members (`stats()`, `pushDelayMs()`, option errors
 * thrown by the constructor) from the first moment.
 */
export function ready(): Promise<void>;
/** Bytes of linear memory the wasm instance holds (diagnostics); 0 before it is instantiated. */
export function wasmMemoryBytes(): number;
