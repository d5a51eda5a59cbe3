import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { ERROR_URN, get, tokenFor, V1, V2 } from './helpers.ts';

let emu: RunningEmulator;
let skewMs = 0;

beforeAll(async () => {
  emu = await startEmulator({ rateLimitPerMinute: 3, now: () => Date.now() + skewMs });
});
afterAll(() => emu?.close());

test('over the per-token limit → 429 SCIM error with Retry-After; resets after a minute', async () => {
  const t = await tokenFor(emu, 'none');
  for (let i = 0; i < 3; i++) expect((await get(emu, `${V2}/serviceproviderconfig`, t)).status).toBe(200);
  const res = await get(emu, `${V1}/resourcetypes`, t);
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '429', detail: expect.any(String) });

  // another token has its own budget
  const other = await tokenFor(emu, 'none');
  expect((await get(emu, `${V2}/serviceproviderconfig`, other)).status).toBe(200);

  skewMs = 61_000;
  expect((await get(emu, `${V2}/serviceproviderconfig`, t)).status).toBe(200);
});

test('rateLimitPerMinute 0 turns the limit off', async () => {
  const off = await startEmulator({ rateLimitPerMinute: 0 });
  try {
    const t = await tokenFor(off, 'none');
    for (let i = 0; i < 400; i++) {
      const res = await fetch(`${off.url}${V2}/serviceproviderconfig`, { headers: { authorization: `Bearer ${t}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`request ${i}: ${res.status}`);
    }
  } finally {
    await off.close();
  }
});

test('the default limit is 300 per minute', async () => {
  const def = await startEmulator();
  try {
    const t = await tokenFor(def, 'none');
    const statuses: number[] = [];
    for (let i = 0; i < 301; i++) {
      const res = await fetch(`${def.url}${V2}/resourcetypes/User`, { headers: { authorization: `Bearer ${t}` } });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 300).every((s) => s === 200)).toBe(true);
    expect(statuses[300]).toBe(429);
  } finally {
    await def.close();
  }
});
