/**
 * Answers several checks judge: a request sent once per worker and prefix, its exchange the evidence of every check
 * that names the same key (recorded in the others as reused, so the report counts it once). ctx.read does this for
 * GETs of the main identity (lists that must first show what the run wrote included: its `settled`); these serve what
 * it does not: a write whose one answer several behaviours judge, and a request of another identity.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { SharedAnswers } from '../runtime/shared-answers.ts';

/** Per worker (test files share one module graph per worker): prefix (or the run) + key → the evidence. */
const store = new SharedAnswers<object>();

const keyOf = (ctx: BehaviourContext, key: string, scope: 'prefix' | 'run' = 'prefix') => (scope === 'run' ? `\u0000run\u0000${key}` : `${ctx.prefix}\u0000${key}`);

const isAnswer = (v: unknown): v is HttpResult =>
  typeof v === 'object' && v !== null && typeof (v as HttpResult).status === 'number' && typeof (v as HttpResult).exchange === 'object';

/**
 * Evidence holding an answer that came only after a lost attempt of the same write (ambiguous, not settled) is not
 * handed on: the check that got it is blocked and runs again (runtime/behaviour/outcome.ts), and so do the others,
 * each then getting evidence sent afresh.
 */
const settledEvidence = (evidence: object): boolean => !Object.values(evidence).some((v) => isAnswer(v) && v.ambiguous === true && !v.exchange.settled);

/** An answer another check got, judged by this one too: recorded among this check's exchanges as reused. */
export function reuse(ctx: BehaviourContext, res: HttpResult): HttpResult {
  if (ctx.exchanges.includes(res.exchange)) return res; // sent by this very check
  const exchange = { ...res.exchange, reused: true };
  ctx.exchanges.push(exchange);
  return { ...res, exchange };
}

/**
 * Evidence several checks judge: `send` runs once per worker and `key` (per prefix, or once for the run), through the
 * check that asks first (its requests count there), and returns the answers by name with what the checks need to judge
 * them (e.g. the state before a write, the body it sent). The other checks naming the same key get the same evidence,
 * every answer in it recorded as reused. Only for answers that stay true for the run (discovery, a refusal that
 * changes nothing) or that are the evidence of several behaviours at once (one write). A `send` that throws, or
 * whose evidence holds an ambiguous answer, shares nothing: the next check runs it again.
 */
export async function sharedEvidence<T extends object>(ctx: BehaviourContext, key: string, send: () => Promise<T>, scope: 'prefix' | 'run' = 'prefix'): Promise<T> {
  const { answer, reused } = await store.get(keyOf(ctx, key, scope), send, undefined, settledEvidence);
  if (!reused) return answer as T;
  return Object.fromEntries(Object.entries(answer).map(([name, v]) => [name, isAnswer(v) ? reuse(ctx, v) : v])) as T;
}

/** One answer several checks judge (sharedEvidence without more). */
export async function sharedAnswer(ctx: BehaviourContext, key: string, send: () => Promise<HttpResult>): Promise<HttpResult> {
  return (await sharedEvidence(ctx, key, async () => ({ res: await send() }))).res;
}
