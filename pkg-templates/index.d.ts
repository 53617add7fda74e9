// Type definitions for carecloud-customer. Hand-curated; the runtime is Rust compiled to WebAssembly.

/** Stable error kinds (`error.kind`). */
export type ErrorKind =
  | "network" | "timeout" | "aborted" | "unauthorized" | "forbidden" | "not_found" | "bad_request" | "conflict"
  | "rate_limited" | "server" | "unavailable" | "circuit_open" | "decode" | "config";

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
  source: "network" | "cache" | "dedupe" | "shared-cache";
  outcome: "ok" | "retry" | "renew" | "error";
  errorKind?: ErrorKind;
  requestId?: string;
  /** CareCloud's reason for a failed attempt (e.g. `not_enough_points_for_voucher`). */
  reason?: string;
  /** The failure's message, e-mails and phone/card numbers masked. */
  detail?: string;
  /** Epoch ms. */
  time: number;
}

export type ClientEvent =
  | { type: "deprecation"; path: string; deprecatedAt?: number; sunsetAt?: number }
  | { type: "circuit_open" }
  | { type: "circuit_closed" }
  | { type: "token_renewed" }
  | { type: "session_expired" }
  | { type: "rate_limited"; pauseMs: number };

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
  /** Default "memory". */
  tokenStore?: TokenStore;
  /** Per attempt, default 15000. */
  timeoutMs?: number;
  /** Whole call including retries, default 60000. */
  totalTimeoutMs?: number;
  /** Default `{maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30000, maxRetryAfterMs: 120000}`; `false` disables. */
  retry?: false | { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** Default `{maxEntries: 500, maxBytes: 4 MiB, ttlMs: {"/languages": 3600000, "/stores": 300000, "/products": 300000, "/rewards": 60000}}`. */
  cache?: false | { maxEntries?: number; maxBytes?: number; ttlMs?: Record<string, number> };
  /** Default `{requestsPerSecond: 10, burst: 20, maxConcurrent: 6}`. */
  rateLimit?: false | { requestsPerSecond?: number; burst?: number; maxConcurrent?: number };
  /** Default `{failureThreshold: 5, openMs: 30000}`. */
  circuitBreaker?: false | { failureThreshold?: number; openMs?: number };
  /** A header name (e.g. "Idempotency-Key") sent on writes with the same key on every retry; default off. */
  idempotencyHeader?: false | true | string;
  /**
   * Also send each call's correlation id in this header (`true` = "X-Correlation-Id"). Default off: a custom header
   * must be allowed by the server's CORS preflight, which CareCloud does not document.
   */
  correlationHeader?: false | true | string;
  /** Share identical concurrent reads. Default true (false in Cloudflare Workers). */
  dedupe?: boolean;
  /** Prefix of token-store keys, default "carecloud". */
  storagePrefix?: string;
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

export interface CallOptions {
  /** Query parameters; arrays become `name[]=a&name[]=b`. */
  query?: Record<string, string | number | boolean | null | undefined | Array<string | number | boolean>>;
  signal?: AbortSignal;
  /** "no-cache" skips the cache lookup (the answer still refreshes it); "no-store" bypasses the cache entirely. */
  cache?: "default" | "no-cache" | "no-store";
  /** Per-attempt timeout for this call. */
  timeoutMs?: number;
  /** Idempotency key for this write (with `idempotencyHeader` on). */
  idempotencyKey?: string;
}

export interface PaginateOptions extends CallOptions {
  /** The list's key in `data` (e.g. "rewards"); default: the first array in `data`. */
  listKey?: string;
  /** Items per request (`count`), default 100. */
  pageSize?: number;
  /** Start offset, default 0. */
  offset?: number;
}

export interface Stats {
  requests: number;
  networkRequests: number;
  dedupedRequests: number;
  cacheHits: number;
  retries: number;
  tokenRenewals: number;
  cacheEntries: number;
  inFlight: number;
  circuitState: "closed" | "open" | "half_open";
}

// Resource shapes as CareCloud's openapi.yaml defines them. Every field may be missing (the client never
// validates strictly) and unknown fields may appear at any time (minor versions add them).
export interface Address { address1?: string; address2?: string; zip?: string; city?: string; country_code?: string; [extra: string]: unknown }
export interface Store { store_id: string; store_code?: string; name?: string; store_address?: Address; partner_id?: string; system_id?: string; gps_coordinates?: { gps_latitude?: number; gps_longitude?: number }; opening?: Array<{ day_id: string; time_intervals: Array<{ from: string; to: string }> }>; image_urls?: string[]; visibility_for_customer?: 0 | 1; state?: 0 | 1 | 2; [extra: string]: unknown }
export interface Reward { reward_id: string; code?: string; name?: string; note?: string; subtitle?: string; points_cost?: number; valid_time_from?: string; valid_time_to?: string; reward_group?: 0 | 1 | 2 | 4; reward_type_id?: string; store_list?: Store[]; image_urls?: string[]; is_automated?: boolean; priority?: number; state?: 0 | 1 | 2; [extra: string]: unknown }
export interface Voucher { voucher_id: string; customer_id?: string; store_id?: string; code?: string; value?: number; applied_date?: string; valid_from?: string; valid_to?: string; reward?: Reward; created_at?: string; state?: 0 | 1 | 2; [extra: string]: unknown }
export interface Customer { customer_id: string; personal_information?: { gender?: number | null; first_name?: string; last_name?: string; email?: string; phone?: string; birthdate?: string; language_id?: string; store_id?: string; address?: Address; agreement?: Record<string, unknown>; [extra: string]: unknown }; doi_email?: string; doi_phone?: string; state?: 0 | 1 | 2; last_change?: string; [extra: string]: unknown }
export interface PointRecord { point_id?: string; customer_id?: string; assigned_points?: number; available_points?: number; point_type_id?: string; partner_id?: string; valid_to?: string; state?: 0 | 1 | 2; created_at?: string; note?: string; [extra: string]: unknown }
export interface PointsOverview { earned_points?: number; redeemed_points?: number; available_points?: number; available_points_money_value?: Array<{ currency_id: string; value: number }>; [extra: string]: unknown }
export interface Product { product_id: string; name?: string; code?: string; external_id?: string; prices?: Array<{ currency_id: string; value: number }>; image_urls?: string[]; state?: 0 | 1 | 2; [extra: string]: unknown }
export interface Purchase { purchase_id?: string; customer_id?: string; store_id?: string; external_purchase_id?: string; payment_time?: string; items_count?: number; type_id?: string; total_price?: number; currency_id?: string; [extra: string]: unknown }
export interface Message { message_id?: string; status?: number; customer_id?: string; title?: string; send_time?: string; communication_channel_id?: number; [extra: string]: unknown }
export interface Language { language_id: string; name?: string; [extra: string]: unknown }

/** Walks a list page by page. */
export class Pages {
  private constructor();
  /** The next page's items, or undefined when exhausted. */
  next(): Promise<unknown[] | undefined>;
  free(): void;
}

export class CustomerClient {
  /** Validates options (throws CareCloudError "config"); touches no network, timer or randomness. */
  constructor(options: ClientOptions);
  /** Device token: reuse the stored one or `POST /tokens`. Optional: any call connects first. */
  connect(): Promise<void>;
  /** Customer login on the device token. The password is sent once and never kept. */
  login(args: { loginType?: "email" | "card" | "phone"; loginValue: string; password: string; signal?: AbortSignal }): Promise<{ customerId: string }>;
  /** Logs out and forgets every customer-specific cached response (rotates the token if the server is unreachable). */
  logout(): Promise<void>;
  /** Registration (`POST /customers`); with `autologin: true` the customer is logged in. */
  register(args: { customer: Record<string, unknown>; password?: string; autologin: boolean; customerSource?: unknown; propertyRecords?: unknown; referralCode?: string }): Promise<{ customerId: string }>;
  sendPasswordSetupEmail(args: { recipient: string; communicationChannelId?: string }): Promise<null>;
  updateToken(args: { setup: { languageId?: string; allowedGps?: boolean; allowedNotifications?: boolean }; pushToken?: string }): Promise<void>;
  /** Hands the logged-in customer to another application. */
  authToken(args: { externalApplicationId: string; tokenType?: 1 | 2 }): Promise<{ authentication_token: string; token_request_id: string; valid_to: string }>;
  /** `GET` → the response's `data`. */
  get<T = any>(path: string, options?: CallOptions): Promise<T>;
  post<T = any>(path: string, body?: unknown, options?: CallOptions): Promise<T>;
  /** CareCloud's PUT replaces the whole record: omitted fields are cleared. */
  put<T = any>(path: string, body?: unknown, options?: CallOptions): Promise<T>;
  delete<T = any>(path: string, options?: CallOptions): Promise<T>;
  pages(path: string, options?: PaginateOptions): Pages;
  /** Every item of a list (async iterator); ends quietly on abort. */
  paginate<T = any>(path: string, options?: PaginateOptions): AsyncGenerator<T, void, undefined>;
  /**
   * Disables `element` + `aria-busy` until `action` settles and for at least `minBusyMs` (default 500, the usual
   * double-click interval) after the press; a press in that time joins the first instead of running again.
   */
  guard<T>(element: object, action: () => T | Promise<T>, options?: { minBusyMs?: number }): Promise<T>;
  /** Keyed guard for non-DOM code. */
  guardKey<T>(key: string, action: () => T | Promise<T>, options?: { minBusyMs?: number }): Promise<T>;
  /** Runs `action` after a uniform random 0–maxDelayMs delay (default 60 s; ≤ 25 s in a service worker). */
  afterPush<T>(action: () => T | Promise<T>, options?: { maxDelayMs?: number; signal?: AbortSignal }): Promise<T> & { delayMs: number };
  /** One sample of the afterPush delay (CSPRNG). */
  pushDelayMs(maxDelayMs: number): number;
  stats(): Stats;
  clearCache(): void;
  readonly customerId: string | undefined;
  free(): void;

  readonly rewards: {
    list(query?: CallOptions["query"], options?: CallOptions): Promise<{ rewards: Reward[]; total_items: number }>;
    all(query?: CallOptions["query"], options?: PaginateOptions): AsyncGenerator<Reward, void, undefined>;
    get(id: string, options?: CallOptions): Promise<Reward>;
    redeem(id: string, body?: { customer_id?: string; code?: string; note?: string }, options?: CallOptions): Promise<{ voucher_id: string }>;
  };
  readonly customers: {
    me(options?: CallOptions): Promise<Customer | null>;
    /** PUT replaces the whole record: send every field back. */
    update(customer: Customer, extra?: { password?: string; property_records?: unknown }, options?: CallOptions): Promise<null>;
  };
  readonly points: {
    list(query?: CallOptions["query"], options?: CallOptions): Promise<{ points: PointRecord[]; total_items: number }>;
    overview(query?: CallOptions["query"], options?: CallOptions): Promise<PointsOverview>;
  };
  readonly vouchers: {
    list(query?: CallOptions["query"], options?: CallOptions): Promise<{ vouchers: Voucher[]; total_items: number }>;
    all(query?: CallOptions["query"], options?: PaginateOptions): AsyncGenerator<Voucher, void, undefined>;
    get(id: string, options?: CallOptions): Promise<Voucher>;
  };
  readonly purchases: {
    list(query?: CallOptions["query"], options?: CallOptions): Promise<{ purchases: Purchase[]; total_items: number }>;
    all(query?: CallOptions["query"], options?: PaginateOptions): AsyncGenerator<Purchase, void, undefined>;
  };
  readonly stores: {
    list(query?: CallOptions["query"], options?: CallOptions): Promise<{ stores: Store[]; total_items: number }>;
    all(query?: CallOptions["query"], options?: PaginateOptions): AsyncGenerator<Store, void, undefined>;
    get(id: string, options?: CallOptions): Promise<Store>;
  };
  readonly products: {
    list(query?: CallOptions["query"], options?: CallOptions): Promise<{ products: Product[]; total_items: number }>;
    all(query?: CallOptions["query"], options?: PaginateOptions): AsyncGenerator<Product, void, undefined>;
    get(id: string, options?: CallOptions): Promise<Product>;
  };
  readonly messages: {
    list(query?: CallOptions["query"], options?: CallOptions): Promise<{ messages: Message[]; total_items: number }>;
    all(query?: CallOptions["query"], options?: PaginateOptions): AsyncGenerator<Message, void, undefined>;
  };
  readonly languages: {
    list(query?: CallOptions["query"], options?: CallOptions): Promise<{ languages: Language[]; total_items: number }>;
  };
}

export interface SharedCache {
  match(key: string): string | undefined | null | Promise<string | undefined | null>;
  put(key: string, text: string, ttlSeconds: number): void | Promise<void>;
}
/** A SharedCache over `caches.default` (or the given Cache) for Cloudflare Workers. */
export function workersSharedCache(cache?: Cache): SharedCache;

export const VERSION: string;
/** Bytes of linear memory the wasm instance holds (diagnostics). */
export function wasmMemoryBytes(): number;
