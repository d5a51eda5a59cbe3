import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePools, HttpClient, TransportError, type RecordedExchange } from '../runtime/http.ts';
import { DEFAULT_RETRY_POLICY, retryDecision, type AttemptOutcome } from '../runtime/retry.ts';
import { fakeServer, json } from './fake-server.ts';

const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100 };
const err = (code: string) => Object.assign(new Error(code), { code });

describe('retryDecision: which answers are transient', () => {
  test.for<[string, AttemptOutcome, string | undefined]>([
    ['429 after its Retry-After', { method: 'GET', attempt: 0, status: 429, retryAfter: '2' }, '429:2000'],
    ['429 without Retry-After: 1 s', { method: 'POST', attempt: 0, status: 429 }, '429:1000'],
    ['503 after its Retry-After, any method', { method: 'POST', attempt: 0, status: 503, retryAfter: '1' }, '503:1000'],
    ['503 without Retry-After: exponential backoff', { method: 'PATCH', attempt: 2, status: 503 }, '503:400'],
    ['502 to a GET', { method: 'GET', attempt: 0, status: 502 }, 'gateway:100'],
    ['504 to a DELETE', { method: 'DELETE', attempt: 1, status: 504 }, 'gateway:200'],
    ['502 to a POST is final (the server may have applied it)', { method: 'POST', attempt: 0, status: 502 }, undefined],
    ['500 is final', { method: 'GET', attempt: 0, status: 500 }, undefined],
    ['501 is final', { method: 'GET', attempt: 0, status: 501 }, undefined],
    ['a 4xx is final', { method: 'GET', attempt: 0, status: 400 }, undefined],
    ['a reset, any method', { method: 'POST', attempt: 0, error: err('ECONNRESET') }, 'transport:100'],
    ['undici: other side closed', { method: 'GET', attempt: 1, error: err('UND_ERR_SOCKET') }, 'transport:200'],
    ['a timeout once', { method: 'GET', attempt: 0, error: err('UND_ERR_HEADERS_TIMEOUT') }, 'transport:100'],
    ['a timeout not twice', { method: 'GET', attempt: 1, error: err('UND_ERR_HEADERS_TIMEOUT') }, undefined],
    ['an unknown error is final', { method: 'GET', attempt: 0, error: new Error('bad header') }, undefined],
    ['the retries run out', { method: 'GET', attempt: 3, status: 503 }, undefined],
  ])('%s', ([, outcome, expected]) => {
    const d = retryDecision(policy, outcome);
    expect(d ? `${d.reason}:${d.delayMs}` : undefined).toBe(expected);
  });

  test('a 429 is final when the request says so (checks that expect a documented 429)', () => {
    expect(retryDecision({ ...policy, retry429: false }, { method: 'GET', attempt: 0, status: 429 })).toBeUndefined();
  });

  test('a Retry-After longer than the longest wait is cut to it', () => {
    expect(retryDecision({ ...policy, maxDelayMs: 5000 }, { method: 'GET', attempt: 0, status: 503, retryAfter: '3600' })?.delayMs).toBe(5000);
  });
});

describe('HttpClient retries transient answers and records every attempt', () => {
  let server: Awaited<ReturnType<typeof fakeServer>>;
  const calls = new Map<string, number>();
  const count = (key: string) => {
    const n = (calls.get(key) ?? 0) + 1;
    calls.set(key, n);
    return n;
  };

  beforeAll(async () => {
    server = await fakeServer((req, res) => {
      const key = `${req.method} ${req.url}`;
      const n = count(key);
      if (req.url === '/unavailable-once') return n === 1 ? json(res, 503, { status: '503', detail: 'later' }, { 'retry-after': '0' }) : json(res, 200, { n });
      if (req.url === '/always-500') return json(res, 500, { status: '500', detail: 'boom' });
      if (req.url === '/reset-once' || req.url === '/reset-twice') {
        if (n <= (req.url === '/reset-once' ? 1 : 2)) return res.socket?.destroy();
        return json(res, 201, { id: `made-${n}` });
      }
      if (req.url === '/reset-always') return res.socket?.destroy();
      return json(res, 200, { ok: true });
    });
  });

  afterAll(async () => {
    await closePools();
    await server.close();
  });

  const client = (exchanges: RecordedExchange[]) =>
    new HttpClient({ origin: server.origin, onExchange: (e) => exchanges.push(e), retry: { baseDelayMs: 1 } });

  test('a 503 with Retry-After is sent again; the 503 is recorded as retried, the 200 is final', async () => {
    const exchanges: RecordedExchange[] = [];
    const res = await client(exchanges).send('GET', '/unavailable-once', {});
    expect(res.status).toBe(200);
    expect(exchanges.map((x) => [x.response?.status, x.attempt, x.retried])).toEqual([
      [503, 0, '503'],
      [200, 1, undefined],
    ]);
  });

  test('a 500 is not sent again', async () => {
    const exchanges: RecordedExchange[] = [];
    const res = await client(exchanges).send('GET', '/always-500', {});
    expect(res.status).toBe(500);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].retried).toBeUndefined();
  });

  test('a GET whose connection is reset is sent again and is not ambiguous', async () => {
    const exchanges: RecordedExchange[] = [];
    const res = await client(exchanges).send('GET', '/reset-once', {});
    expect(res.status).toBe(201);
    expect(res.ambiguous).toBeUndefined();
    expect(exchanges[0]).toMatchObject({ retried: 'transport', attempt: 0 });
    expect(exchanges[0].error).toMatch(/other side closed|socket|ECONNRESET/i);
  });

  test('a POST whose first attempts got no answer is sent again and its answer marked ambiguous', async () => {
    const exchanges: RecordedExchange[] = [];
    const res = await client(exchanges).send('POST', '/reset-twice', { 'content-type': 'application/scim+json' }, '{}');
    expect(res.status).toBe(201);
    expect(res.ambiguous).toBe(true);
    expect(res.exchange.ambiguous).toBe(true);
    expect(exchanges.map((x) => x.retried)).toEqual(['transport', 'transport', undefined]);
  });

  test('a DELETE sent again after a lost attempt is ambiguous too (its 404 may answer the state the lost attempt left)', async () => {
    const exchanges: RecordedExchange[] = [];
    const res = await client(exchanges).send('DELETE', '/reset-once', {});
    expect(res.ambiguous).toBe(true);
  });

  test('a request that never gets an answer ends in a TransportError after the retries', async () => {
    const exchanges: RecordedExchange[] = [];
    await expect(client(exchanges).send('GET', '/reset-always', {})).rejects.toBeInstanceOf(TransportError);
    expect(exchanges).toHaveLength(DEFAULT_RETRY_POLICY.maxTransport + 1);
    expect(exchanges.at(-1)?.retried).toBeUndefined();
  });
});
