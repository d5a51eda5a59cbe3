import { describe, expect, test } from 'vitest';
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult, RecordedExchange } from '../runtime/http.ts';
import { reuse, sharedAnswer, sharedEvidence } from '../checks/shared-answers.ts';

/** The parts of a check's context these helpers use: its prefix, its exchanges, and eventually (one try, or until settled). */
function fakeCtx(prefix: string): BehaviourContext {
  const exchanges: RecordedExchange[] = [];
  return {
    prefix,
    exchanges,
    async eventually(fetch: () => Promise<HttpResult>, settled: (res: HttpResult) => boolean) {
      let res = await fetch();
      for (let i = 0; i < 5 && !settled(res); i++) res = await fetch();
      return res;
    },
  } as unknown as BehaviourContext;
}

/** A client whose every request is recorded in the check that sends it, like the harness's. */
function sender(ctx: BehaviourContext, body: unknown = { n: 0 }) {
  let sent = 0;
  return {
    count: () => sent,
    send: async (): Promise<HttpResult> => {
      sent++;
      const exchange: RecordedExchange = { request: { method: 'GET', url: `http://x${ctx.prefix}/groups`, headers: {} }, durationMs: 1 };
      ctx.exchanges.push(exchange);
      return { status: 200, headers: {}, body: typeof body === 'function' ? body(sent) : body, text: '', exchange };
    },
  };
}

let n = 0;
const uniqueKey = () => `key-${++n}`;

describe('shared answers: one request, judged by every check naming the same key on the same prefix', () => {
  test('the first check sends, the next gets the same answer recorded as reused (not counted again)', async () => {
    const key = uniqueKey();
    const a = fakeCtx('/p');
    const b = fakeCtx('/p');
    const s = sender(a);
    const first = await sharedAnswer(a, key, s.send);
    const second = await sharedAnswer(b, key, sender(b).send);
    expect(s.count()).toBe(1);
    expect(second.body).toBe(first.body);
    expect(a.exchanges.map((x) => x.reused)).toEqual([undefined]);
    expect(b.exchanges.map((x) => x.reused)).toEqual([true]);
  });

  test('evidence holding an answer that came only after a lost attempt is not handed on: the next check sends afresh', async () => {
    const key = uniqueKey();
    const a = fakeCtx('/p');
    const lost = sender(a, { n: 1 });
    const first = await sharedEvidence(a, key, async () => {
      const res = await lost.send();
      return { res: { ...res, ambiguous: true } };
    });
    expect(first.res.ambiguous).toBe(true);
    const b = fakeCtx('/p');
    const fresh = sender(b, { n: 2 });
    const second = await sharedEvidence(b, key, async () => ({ res: await fresh.send() }));
    expect(fresh.count()).toBe(1);
    expect(second.res.body.n).toBe(2);
    // settled evidence is shared as ever
    const c = fakeCtx('/p');
    const third = await sharedEvidence(c, key, async () => ({ res: await sender(c).send() }));
    expect(third.res.body.n).toBe(2);
    expect(c.exchanges.map((x) => x.reused)).toEqual([true]);
  });

  test('another prefix sends its own', async () => {
    const key = uniqueKey();
    const a = fakeCtx('/p');
    const other = fakeCtx('/q');
    await sharedAnswer(a, key, sender(a).send);
    const s = sender(other);
    await sharedAnswer(other, key, s.send);
    expect(s.count()).toBe(1);
    expect(other.exchanges.map((x) => x.reused)).toEqual([undefined]);
  });

  test('evidence carries what its judges need beside the answer', async () => {
    const key = uniqueKey();
    const a = fakeCtx('/p');
    const b = fakeCtx('/p');
    await sharedEvidence(a, key, async () => ({ res: await sender(a).send(), previous: '"1"' }));
    const again = await sharedEvidence(b, key, async () => ({ res: await sender(b).send(), previous: '"2"' }));
    expect(again.previous).toBe('"1"');
    expect(again.res.exchange.reused).toBe(true);
  });

  test('a send that throws shares nothing: the next check sends again', async () => {
    const key = uniqueKey();
    const a = fakeCtx('/p');
    await expect(sharedAnswer(a, key, async () => Promise.reject(new Error('set-up failed')))).rejects.toThrow('set-up failed');
    const b = fakeCtx('/p');
    const s = sender(b);
    await sharedAnswer(b, key, s.send);
    expect(s.count()).toBe(1);
  });

  test('reuse of an answer the check got itself records nothing twice', async () => {
    const a = fakeCtx('/p');
    const res = await sender(a).send();
    expect(reuse(a, res)).toBe(res);
    expect(a.exchanges).toHaveLength(1);
  });
});

