/**
 * When the HTTP client sends a request again, and after how long. A live service answers some requests with a
 * transient refusal that says nothing about conformance: 429 (the rate limit) and 503 (unavailable, try later) carry
 * Retry-After; a gateway in front of it may answer 502 or 504; a connection may be reset or time out before any
 * answer. The suite retries these so that its verdict is the one a clean run would give:
 *
 * - 429: after Retry-After (checks that expect a documented 429 turn this off with `retryOn429: false`);
 * - 503: after Retry-After, or with exponential backoff; the server did not process the request (RFC 9110 §15.6.4),
 *   so any method is sent again;
 * - 502, 504: only idempotent methods: the server behind the gateway may have processed a POST or PATCH;
 * - no answer (reset, refused, timeout): any method, with backoff; a POST or PATCH whose earlier attempt got no
 *   answer is marked `ambiguous` on its result, since the server may have applied it twice.
 *
 * A 5xx that is still the answer after the retries is final: the check that got it fails (runtime/behaviour/outcome.ts).
 */
import { retryAfterMs } from './rate-limit.ts';

export type RetryReason = '429' | '503' | 'gateway' | 'transport';

export interface RetryPolicy {
  /** Retries of a 429 (0 = none). */
  max429: number;
  /** Retries of a 503, or of a 502/504 to an idempotent request. */
  maxUnavailable: number;
  /** Retries of a request that got no answer. */
  maxTransport: number;
  /** Backoff of the first retry without Retry-After; doubled each time. */
  baseDelayMs: number;
  /** The longest wait for one retry (a larger Retry-After is cut to this). */
  maxDelayMs: number;
  /** false: a 429 is final (set per request). */
  retry429: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  max429: 4,
  maxUnavailable: 3,
  maxTransport: 3,
  baseDelayMs: 250,
  maxDelayMs: 60_000,
  retry429: true,
};

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Transport failures worth another attempt: the connection was reset, refused, closed early or timed out. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code ?? e?.cause?.code;
}

export interface AttemptOutcome {
  method: string;
  /** 0 for the first attempt. */
  attempt: number;
  /** The answer's status; undefined when there was none. */
  status?: number;
  retryAfter?: string;
  /** The transport error, when there was no answer. */
  error?: unknown;
}

/** Whether to send the request again, why and after how long; undefined: this outcome is final. */
export function retryDecision(policy: RetryPolicy, o: AttemptOutcome): { reason: RetryReason; delayMs: number } | undefined {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** o.attempt);
  const after = (fallback: number) => (o.retryAfter === undefined ? fallback : Math.min(policy.maxDelayMs, retryAfterMs(o.retryAfter, policy.maxDelayMs)));
  if (o.status === undefined) {
    const code = errorCode(o.error) ?? '';
    if (o.attempt >= policy.maxTransport || !TRANSIENT_CODES.has(code)) return undefined;
    // A request that timed out already cost a whole timeout: one more try, no more.
    if (TIMEOUT_CODES.has(code) && o.attempt >= 1) return undefined;
    return { reason: 'transport', delayMs: backoff };
  }
  if (o.status === 429) {
    if (!policy.retry429 || o.attempt >= policy.max429) return undefined;
    return { reason: '429', delayMs: after(1000) };
  }
  if (o.status === 503) {
    if (o.attempt >= policy.maxUnavailable) return undefined;
    return { reason: '503', delayMs: after(backoff) };
  }
  if ((o.status === 502 || o.status === 504) && IDEMPOTENT.has(o.method.toUpperCase())) {
    if (o.attempt >= policy.maxUnavailable) return undefined;
    return { reason: 'gateway', delayMs: after(backoff) };
  }
  return undefined;
}
