/**
 * Answers several checks judge: a request sent once per worker and prefix, its exchange the evidence of every check
 * that names the same key (recorded in the others as reused, so the report counts it once). ctx.read does this for
 * GETs of the main identity; these serve what it does not: a write whose one answer several behaviours judge, a
 * request of another identity, and lists or filters that must first show what the run wrote (ctx.eventually).
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';

/** Per worker (test files share one module graph per worker): prefix + key → the evidence. */
const store = new Map<string, Promise<{ res: HttpResult }>>();

const keyOf = (ctx: BehaviourContext, key: string) => `${ctx.prefix}\u0000${key}`;

/** An answer another check got, judged by this one too: recorded among this check's exchanges as reused. */
export function reuse(ctx: BehaviourContext, res: HttpResult): HttpResult {
  if (ctx.exchanges.includes(res.exchange)) return res; // sent by this very check
  const exchange = { ...res.exchange, reused: true };
  ctx.exchanges.push(exchange);
  return { ...res, exchange };
}

/**
 * Evidence several checks judge: `send` runs once per worker, prefix and `key` (its requests count in the check that
 * ran it) and returns an answer with what the checks need to judge it (e.g. the state before a write); the other
 * checks naming the same key get the same evidence, its answer recorded as reused. Only for answers that stay true for
 * the run (discovery, a refusal that changes nothing) or that are the evidence of several behaviours at once (one
 * write). A `send` that throws shares nothing: the next check runs it again.
 */
export async function sharedEvidence<T extends { res: HttpResult }>(ctx: BehaviourContext, key: string, send: () => Promise<T>): Promise<T> {
  const k = keyOf(ctx, key);
  const cached = (await store.get(k)?.catch(() => undefined)) as T | undefined;
  if (cached) return { ...cached, res: reuse(ctx, cached.res) };
  const evidence = send();
  store.set(k, evidence);
  evidence.catch(() => store.delete(k));
  return evidence;
}

/** One answer several checks judge (sharedEvidence without more). */
export async function sharedAnswer(ctx: BehaviourContext, key: string, send: () => Promise<HttpResult>): Promise<HttpResult> {
  return (await sharedEvidence(ctx, key, async () => ({ res: await send() }))).res;
}

/**
 * A list or filter answer that must first show what the run wrote (lists lag writes on a live org): a shared answer
 * that already `settled` is reused; otherwise `fetch` is sent until it settles or the index wait runs out
 * (ctx.eventually), and a settled answer is kept for the next check naming the same key. The caller judges what comes
 * back as strictly as ever: polling only gives the index time.
 */
export async function sharedEventually(
  ctx: BehaviourContext,
  key: string,
  fetch: () => Promise<HttpResult>,
  settled: (res: HttpResult) => boolean,
): Promise<HttpResult> {
  const k = keyOf(ctx, key);
  const cached = await store.get(k)?.catch(() => undefined);
  if (cached && settled(cached.res)) return reuse(ctx, cached.res);
  const res = await ctx.eventually(fetch, settled);
  if (settled(res)) store.set(k, Promise.resolve({ res }));
  return res;
}

/** Forgets the answer under `key` on this prefix (the state it showed is gone). */
export function forgetAnswer(ctx: BehaviourContext, key: string): void {
  store.delete(keyOf(ctx, key));
}
