/**
 * The HTTP layer: undici keep-alive pools, the client-side rate limit, 429 Retry-After handling,
 * token refresh on 401, and a redacted record of every exchange for failure messages and reports.
 */
import { Agent, Pool } from 'undici';
import type { AuthSpec } from '../config/env.ts';
import { RateLimiter } from './rate-limit.ts';
import { DEFAULT_RETRY_POLICY, retryDecision, type RetryPolicy, type RetryReason } from './retry.ts';
import { REDACTED, redactBodyText, redactHeaders, redactText, registerSecret } from './redact.ts';

export interface RecordedExchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body: string };
  /** Transport error (connection refused, timeout), when there was no response. */
  error?: string;
  durationMs: number;
  /** 0 for a first attempt, n for the n-th retry (runtime/retry.ts says when a request is sent again). */
  attempt?: number;
  /** Set when the client sent this request again: why (this answer, or its absence, is not the final one). */
  retried?: RetryReason;
  /**
   * A write (POST, PUT, PATCH, DELETE) answered only after an attempt that got no answer: the server may have applied
   * it twice, or the answer may be to the state the lost attempt left (a DELETE answered 404).
   */
  ambiguous?: boolean;
  /** An ambiguous answer the harness settled (a POST whose lost attempt it found by name and undid). */
  settled?: boolean;
  /**
   * Sent by the harness to keep the run clean (a check's clean-up, settling a lost create): counted with the check's
   * requests, never judged (runtime/behaviour/judge.ts).
   */
  housekeeping?: boolean;
  /** An answer another check of the run got and this one judges too (ctx.read): not a request of this check. */
  reused?: boolean;
}

export interface HttpResult<T = any> {
  status: number;
  /**
   * true when an earlier attempt of this request got no answer (connection reset, timeout) and the request is a write
   * (POST, PUT, PATCH, DELETE): the server may have applied it twice, so what came back does not prove a fault.
   */
  ambiguous?: boolean;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: T;
  text: string;
  exchange: RecordedExchange;
}

export type QueryValue = string | number | boolean | string[] | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** JSON body (serialised with the SCIM media type unless contentType says otherwise). */
  body?: unknown;
  /** Body sent verbatim (takes precedence over `body`). */
  rawBody?: string;
  contentType?: string;
  /** Retry a 429 after its Retry-After (default true). Checks that expect a documented 429 turn this off. */
  retryOn429?: boolean;
  /** false: send no Authorization header at all. */
  authenticate?: boolean;
}

export const SCIM_MEDIA_TYPE = 'application/scim+json';

const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 8, keepAliveTimeout: 10_000, pipelining: 1 });
    pools.set(origin, pool);
  }
  return pool;
}

/** The connections of token requests (its own, so closePools can end them too). */
let tokenAgent: Agent | undefined;

export async function closePools(): Promise<void> {
  const all: (Pool | Agent)[] = [...pools.values(), ...(tokenAgent ? [tokenAgent] : [])];
  pools.clear();
  tokenAgent = undefined;
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [String(v)];
    for (const one of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(one)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** A curl command that reproduces a recorded exchange; credentials are left as shell variables. */
export function curlFor(ex: RecordedExchange): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl', '-sS', '-i', '-X', ex.request.method, q(ex.request.url)];
  for (const [k, v] of Object.entries(ex.request.headers)) {
    if (k === 'host' || k === 'content-length') continue;
    const value = v.includes(REDACTED) ? (k === 'authorization' ? 'Bearer $SCIM_TOKEN' : '$SECRET') : v;
    parts.push('-H', k === 'authorization' && value.includes('$') ? `"${k}: ${value}"` : q(`${k}: ${value}`));
  }
  if (ex.request.body) parts.push('--data-raw', q(ex.request.body));
  return parts.join(' ');
}

export interface TokenSource {
  token(): Promise<string>;
  /** Forget the cached token and fetch a new one (client credentials only). */
  refresh(): Promise<string>;
  readonly canRefresh: boolean;
}

export class TokenError extends Error {}

/** Client-credentials grant as Genesys Cloud does it: Basic auth, form body, `access_token` + `expires_in`. */
export async function fetchClientCredentialsToken(
  auth: Extract<AuthSpec, { kind: 'client-credentials' }>,
  timeoutMs = 30_000,
): Promise<{ token: string; expiresAt: number }> {
  registerSecret(auth.clientSecret);
  // A token endpoint is a live service too: 429, 503 and lost connections are retried like SCIM requests (issuing a
  // second token is harmless).
  let res;
  const url = new URL(auth.tokenUrl);
  for (let attempt = 0; ; attempt++) {
    let error: unknown;
    try {
      tokenAgent ??= new Agent({ keepAliveTimeout: 10_000 });
      res = await tokenAgent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${auth.clientId}:${auth.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (e) {
      error = e;
      res = undefined;
    }
    const retryAfter = res?.headers['retry-after'];
    const decision = retryDecision(DEFAULT_RETRY_POLICY, { method: 'POST', attempt, status: res?.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, error });
    if (!decision) {
      if (!res) throw new TokenError(`could not reach the token endpoint ${auth.tokenUrl}: ${(error as Error).message}`);
      break;
    }
    await res?.body.dump();
    await new Promise((r) => setTimeout(r, decision.delayMs));
  }
  const text = await res.body.text();
  if (res.statusCode !== 200) {
    throw new TokenError(
      `the token endpoint ${auth.tokenUrl} refused client "${auth.clientId}" with ${res.statusCode}: ${redactBodyText(text).slice(0, 300)}`,
    );
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenError(`the token endpoint ${auth.tokenUrl} did not answer JSON`);
  }
  if (typeof json.access_token !== 'string') throw new TokenError(`the token endpoint ${auth.tokenUrl} sent no access_token`);
  registerSecret(json.access_token);
  const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 3600;
  return { token: json.access_token, expiresAt: Date.now() + expiresIn * 1000 };
}

export function tokenSource(auth: AuthSpec, timeoutMs = 30_000): TokenSource {
  if (auth.kind === 'token') {
    registerSecret(auth.token);
    return { token: async () => auth.token, refresh: async () => auth.token, canRefresh: false };
  }
  let current: Promise<{ token: string; expiresAt: number }> | undefined;
  const fetchNew = () => {
    current = fetchClientCredentialsToken(auth, timeoutMs);
    current.catch(() => (current = undefined));
    return current;
  };
  return {
    canRefresh: true,
    async token() {
      const c = await (current ?? fetchNew());
      // refresh a minute before expiry
      if (c.expiresAt - Date.now() < 60_000) return (await fetchNew()).token;
      return c.token;
    },
    async refresh() {
      return (await fetchNew()).token;
    },
  };
}

export interface HttpClientOptions {
  origin: string;
  timeoutMs?: number;
  limiter?: RateLimiter;
  /** Called with every exchange, already redacted. */
  onExchange?: (ex: RecordedExchange) => void;
  /** When to send a request again (429, 503, gateway errors, connection resets); default DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
}

export class HttpClient {
  readonly origin: string;
  private readonly pool: Pool;
  constructor(private readonly opts: HttpClientOptions) {
    this.origin = opts.origin.replace(/\/+$/, '');
    this.pool = poolFor(this.origin);
  }

  async send(method: string, pathAndQuery: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
    const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...this.opts.retry, retry429: headers['x-harness-retry-429'] !== 'false' };
    let unanswered = false;
    for (let attempt = 0; ; attempt++) {
      let result: HttpResult | undefined;
      let error: TransportError | undefined;
      try {
        result = await this.once(method, pathAndQuery, headers, body, attempt);
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        error = e;
      }
      const exchange = (result?.exchange ?? error?.exchange) as RecordedExchange;
      const decision = retryDecision(policy, { method, attempt, status: result?.status, retryAfter: result?.headers['retry-after'], error: error?.cause });
      if (decision) {
        exchange.retried = decision.reason;
        if (decision.reason === 'transport') unanswered = true;
        await new Promise((r) => setTimeout(r, decision.delayMs));
        continue;
      }
      if (error) throw error;
      const final = result as HttpResult;
      if (unanswered && !SAFE.has(method.toUpperCase())) final.ambiguous = final.exchange.ambiguous = true;
      return final;
    }
  }

  private async once(method: string, pathAndQuery: string, headers: Record<string, string>, body: string | undefined, attempt: number): Promise<HttpResult> {
    await this.opts.limiter?.acquire();
    const sendHeaders = { ...headers };
    delete sendHeaders['x-harness-retry-429'];
    const url = `${this.origin}${pathAndQuery}`;
    const exchange: RecordedExchange = {
      request: {
        method,
        url: redactText(url),
        headers: redactHeaders(sendHeaders),
        body: body === undefined ? undefined : redactBodyText(body, sendHeaders['content-type']),
      },
      durationMs: 0,
      attempt,
    };
    const started = performance.now();
    try {
      const timeout = this.opts.timeoutMs ?? 30_000;
      const res = await this.pool.request({
        path: pathAndQuery,
        method: method as any,
        headers: sendHeaders,
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const text = await res.body.text();
      const resHeaders = flatHeaders(res.headers as Record<string, string | string[] | undefined>);
      exchange.durationMs = Math.round(performance.now() - started);
      exchange.response = {
        status: res.statusCode,
        headers: redactHeaders(resHeaders),
        body: redactBodyText(text, resHeaders['content-type']),
      };
      let parsed: unknown;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      this.opts.onExchange?.(exchange);
      return { status: res.statusCode, headers: resHeaders, body: parsed, text, exchange };
    } catch (e) {
      exchange.durationMs = Math.round(performance.now() - started);
      exchange.error = redactText(describeTransportError(e));
      this.opts.onExchange?.(exchange);
      throw new TransportError(`${method} ${exchange.request.url} failed: ${exchange.error}`, exchange, e);
    }
  }
}

/** No answer: the connection failed, was reset or timed out (after the retries the policy allows). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly exchange: RecordedExchange,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/**
 * Methods whose answer does not depend on an earlier attempt (RFC 9110 §9.2.1). PUT and DELETE are idempotent but not
 * safe: a DELETE sent again after its first attempt was applied is answered 404, so their answers are ambiguous too.
 */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A transport error in a line: its message with undici's code (e.g. "other side closed (UND_ERR_SOCKET)"). */
function describeTransportError(e: unknown): string {
  const err = e as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  const message = err.message ?? String(e);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** A SCIM client bound to one prefix and one identity. Paths are relative to the prefix: '/users/123'. */
export class ScimClient {
  constructor(
    readonly http: HttpClient,
    readonly prefix: string,
    private readonly tokens: TokenSource | undefined,
  ) {}

  url(path: string, query?: Record<string, QueryValue>): string {
    return `${this.http.origin}${this.prefix}${path}${buildQuery(query)}`;
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { accept: `${SCIM_MEDIA_TYPE}, application/json` };
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = opts.contentType ?? SCIM_MEDIA_TYPE;
    const authenticate = opts.authenticate !== false && this.tokens !== undefined;
    if (authenticate) headers.authorization = `Bearer ${await this.tokens!.token()}`;
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
    if (opts.retryOn429 === false) headers['x-harness-retry-429'] = 'false';
    const pathAndQuery = `${this.prefix}${path}${buildQuery(opts.query)}`;
    let res = await this.http.send(method, pathAndQuery, headers, body);
    const explicitAuth = opts.headers && Object.keys(opts.headers).some((k) => k.toLowerCase() === 'authorization');
    if (res.status === 401 && authenticate && !explicitAuth && this.tokens!.canRefresh) {
      headers.authorization = `Bearer ${await this.tokens!.refresh()}`;
      res = await this.http.send(method, pathAndQuery, headers, body);
    }
    return res;
  }

  get(path: string, opts?: RequestOptions) {
    return this.request('GET', path, opts);
  }
  post(path: string, body: unknown, opts?: RequestOptions) {
    return this.request('POST', path, { ...opts, body });
  }
  put(path: string, body: unknown, opts?: RequestOptions) {
    return this.request('PUT', path, { ...opts, body });
  }
  patch(path: string, body: unknown, opts?: RequestOptions) {
    return this.request('PATCH', path, { ...opts, body });
  }
  delete(path: string, opts?: RequestOptions) {
    return this.request('DELETE', path, opts);
  }
}
