/**
 * The live-org profile (EmulatorOptions.live, `SCIM_EMULATOR_PROFILE=live`): the conditions of a real Genesys Cloud
 * org, so a client or the suite can be proven against them. Every response is delayed by latency ± jitter (a timer:
 * the event loop never waits); SCIM requests meet the per-token rate limit (429 + Retry-After, the adapter's
 * limiter), occasional 503s and, for fault testing, random 429s and connection resets; lists and filters lag writes
 * (domain/index-lag.ts). A seeded pseudo-random sequence decides each request's delay and fault, so a sequential
 * client sees the same sequence for the same seed. Without `live`, none of this is installed.
 */
import type { FastifyInstance } from 'fastify';
import { ScimHttpError } from './http-types.ts';

/** The knobs (all optional); defaults are a real org's conditions, with fault injection off. */
export interface LiveOptions {
  /** Mean added latency per response, ms (default 150). */
  latencyMs?: number;
  /** Uniform jitter around it, ± ms (default 100); the delay is never negative. */
  jitterMs?: number;
  /** Requests per minute per token before 429 + Retry-After (default 300, 0 = off). */
  rateLimitPerMinute?: number;
  /** Probability of a 503 with Retry-After on a SCIM request (default 0.01). */
  unavailableRate?: number;
  /** Probability of a 429 with Retry-After on a SCIM request, whatever the token's budget (default 0). */
  throttleRate?: number;
  /** Probability that a SCIM request's connection is reset: destroyed without an answer (default 0). */
  resetRate?: number;
  /** Lists and filters reflect the org as of now − this, by the emulator's clock (default 3000). */
  indexLagMs?: number;
  /** Retry-After of the random 503s and 429s, seconds (default 1). */
  retryAfterSeconds?: number;
  /** Seed of the pseudo-random sequence (default: a random one, reported in RunningEmulator.live). */
  seed?: number;
}

export type LiveProfile = Required<LiveOptions>;

export const LIVE_DEFAULTS: Omit<LiveProfile, 'seed'> = {
  latencyMs: 150,
  jitterMs: 100,
  rateLimitPerMinute: 300,
  unavailableRate: 0.01,
  throttleRate: 0,
  resetRate: 0,
  indexLagMs: 3000,
  retryAfterSeconds: 1,
};

/** The environment variable of each knob (`npm run emulator`, with SCIM_EMULATOR_PROFILE=live). */
export const LIVE_ENV: Readonly<Record<keyof LiveOptions, string>> = {
  latencyMs: 'SCIM_LIVE_LATENCY_MS',
  jitterMs: 'SCIM_LIVE_JITTER_MS',
  rateLimitPerMinute: 'SCIM_LIVE_RATE_LIMIT',
  unavailableRate: 'SCIM_LIVE_503_RATE',
  throttleRate: 'SCIM_LIVE_429_RATE',
  resetRate: 'SCIM_LIVE_RESET_RATE',
  indexLagMs: 'SCIM_LIVE_INDEX_LAG_MS',
  retryAfterSeconds: 'SCIM_LIVE_RETRY_AFTER_S',
  seed: 'SCIM_LIVE_SEED',
};

const RATES = new Set<keyof LiveOptions>(['unavailableRate', 'throttleRate', 'resetRate']);

/** The profile with defaults filled in; throws on a value out of range (naming the option). */
export function resolveLive(options: LiveOptions): LiveProfile {
  const p: LiveProfile = { ...LIVE_DEFAULTS, seed: Math.floor(Math.random() * 2 ** 31), ...dropUndefined(options) };
  for (const [key, value] of Object.entries(p) as [keyof LiveOptions, number][]) {
    const integer = key === 'seed' || key === 'rateLimitPerMinute';
    const ok = Number.isFinite(value) && value >= 0 && (!integer || Number.isInteger(value)) && (!RATES.has(key) || value <= 1);
    if (!ok) throw new Error(`live.${key} (${LIVE_ENV[key]}) must be ${RATES.has(key) ? 'a probability from 0 to 1' : integer ? 'an integer ≥ 0' : 'a number ≥ 0'}, got ${value}`);
  }
  if (p.unavailableRate + p.throttleRate + p.resetRate > 1) throw new Error('live: the 503, 429 and reset rates add up to more than 1');
  return p;
}

function dropUndefined(o: LiveOptions): LiveOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as LiveOptions;
}

/** The knobs set in an environment (SCIM_LIVE_*), as numbers; throws naming a variable that is not a number. */
export function liveOptionsFromEnv(env: NodeJS.ProcessEnv): LiveOptions {
  const out: LiveOptions = {};
  for (const [key, name] of Object.entries(LIVE_ENV) as [keyof LiveOptions, string][]) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
    out[key] = value;
  }
  return out;
}

/** One line describing the profile (printed by npm run emulator). */
export function describeLive(p: LiveProfile): string {
  return `live (latency ${p.latencyMs} ± ${p.jitterMs} ms, rate limit ${p.rateLimitPerMinute === 0 ? 'off' : `${p.rateLimitPerMinute}/min per token`}, ` +
    `503 rate ${p.unavailableRate}, 429 rate ${p.throttleRate}, reset rate ${p.resetRate}, index lag ${p.indexLagMs} ms, ` +
    `Retry-After ${p.retryAfterSeconds} s, seed ${p.seed})`;
}

/** mulberry32: a small, fast, seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type LiveFault = 'reset' | 'unavailable' | 'throttle' | undefined;

/** A request's fate: its delay and its fault (drawn in that order, two draws per request). */
export function liveDraw(p: LiveProfile, random: () => number): { delayMs: number; fault: LiveFault } {
  const delayMs = Math.max(0, p.latencyMs + (random() * 2 - 1) * p.jitterMs);
  const r = random();
  const fault: LiveFault = r < p.resetRate ? 'reset'
    : r < p.resetRate + p.unavailableRate ? 'unavailable'
      : r < p.resetRate + p.unavailableRate + p.throttleRate ? 'throttle'
        : undefined;
  return { delayMs, fault };
}

/**
 * Installs the latency and the random faults as the first onRequest hook of every route (/oauth/token is delayed
 * too; /contract/report is not). Faults apply to SCIM routes only (`isScimRoute`), before authentication, as a
 * gateway would: a reset destroys the socket without an answer, a 503 or 429 is a SCIM error with Retry-After.
 */
export function installLiveProfile(app: FastifyInstance, p: LiveProfile, isScimRoute: (config: unknown) => boolean): void {
  const random = seededRandom(p.seed);
  const retryAfter = { 'retry-after': String(p.retryAfterSeconds) };
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/contract/report')) return done();
    const { delayMs, fault } = liveDraw(p, random);
    const scim = fault !== undefined && isScimRoute(request.routeOptions.config);
    setTimeout(() => {
      if (!scim) return done();
      if (fault === 'reset') {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      done(fault === 'unavailable'
        ? new ScimHttpError(503, `The service is temporarily unavailable (live-org profile: a simulated 503); retry after ${p.retryAfterSeconds} s`, undefined, retryAfter)
        : new ScimHttpError(429, `Too many requests (live-org profile: a simulated 429, whatever the token's budget); retry after ${p.retryAfterSeconds} s`, undefined, retryAfter));
    }, delayMs);
  });
}
