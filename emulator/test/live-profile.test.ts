/**
 * The live-org profile (EmulatorOptions.live): search-index lag driven by the emulator's `now` clock (no sleeping),
 * latency without blocking, the rate limit, random 503/429 with Retry-After and SCIM error bodies, connection
 * resets, seeded and reproducible; and the default profile left alone.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUsersGroupsDomain } from '../domain/index.ts';
import { TrackingStore } from '../domain/index-lag.ts';
import { DomainStore } from '../domain/store.ts';
import { SEED } from '../domain/test-support.ts';
import { liveDraw, resolveLive, seededRandom, type LiveOptions } from '../live.ts';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { call, ERROR_URN, get, tokenFor, V1, V2 } from './helpers.ts';

const LAG = 3000;
const QUIET: LiveOptions = { latencyMs: 0, jitterMs: 0, unavailableRate: 0, rateLimitPerMinute: 0, indexLagMs: LAG, seed: 1 };
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const json = { 'content-type': 'application/scim+json' };

/** An emulator on a clock the test moves. */
async function clocked(options: Parameters<typeof startEmulator>[0] = {}) {
  const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
  const emu = await startEmulator({ now: () => clock.t, ...options });
  const admin = await tokenFor(emu, 'admin');
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(emu, method, path, { token: admin, headers: { ...json, ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const list = async (path: string) => {
    const res = await get(emu, path, admin);
    expect(res.status, res.text).toBe(200);
    return res.json.Resources as Record<string, any>[];
  };
  const q = (filter: string) => `?filter=${encodeURIComponent(filter)}`;
  return { emu, clock, admin, send, list, q, advance: (ms: number) => { clock.t += ms; } };
}

describe('search-index lag (users)', () => {
  let c: Awaited<ReturnType<typeof clocked>>;
  beforeAll(async () => { c = await clocked({ live: QUIET }); });
  afterAll(() => c.emu.close());

  test.for([V1, V2])('%s: a created user is read by id at once, listed only when the lag has passed', async (prefix) => {
    const userName = `lag-create-${prefix.length}@example.com`;
    const created = await c.send('POST', `${prefix}/users`, { schemas: [USER_URN], userName, displayName: 'Lag' });
    expect(created.status).toBe(201);
    expect((await get(c.emu, `${prefix}/users/${created.json.id}`, c.admin)).status).toBe(200);
    expect(await c.list(`${prefix}/users${c.q(`userName eq "${userName}"`)}`)).toEqual([]);
    expect((await c.list(`${prefix}/users?count=100&attributes=userName`)).map((u) => u.id)).not.toContain(created.json.id);
    c.advance(LAG - 1);
    expect(await c.list(`${prefix}/users${c.q(`userName eq "${userName}"`)}`)).toEqual([]);
    c.advance(1);
    expect((await c.list(`${prefix}/users${c.q(`userName eq "${userName}"`)}`)).map((u) => u.id)).toEqual([created.json.id]);
    expect((await c.list(`${prefix}/users?count=100&attributes=userName`)).map((u) => u.id)).toContain(created.json.id);
  });

  test('an updated user is listed, and matched, with its old values until the lag has passed', async () => {
    const created = await c.send('POST', `${V2}/users`, { schemas: [USER_URN], userName: 'lag-old@example.com', displayName: 'Old', externalId: 'ext-old' });
    c.advance(LAG);
    const patched = await c.send('PATCH', `${V2}/users/${created.json.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', value: { userName: 'lag-new@example.com', displayName: 'New', externalId: 'ext-new' } }],
    });
    expect(patched.status).toBe(200);
    expect((await get(c.emu, `${V2}/users/${created.json.id}`, c.admin)).json.displayName).toBe('New');
    for (const filter of ['userName eq "lag-old@example.com"', 'externalId eq ext-old']) {
      const old = await c.list(`${V2}/users${c.q(filter)}`);
      expect(old.map((u) => [u.id, u.displayName, u.meta.version])).toEqual([[created.json.id, 'Old', created.json.meta.version]]);
    }
    expect(await c.list(`${V2}/users${c.q('userName eq "lag-new@example.com"')}`)).toEqual([]);
    c.advance(LAG);
    expect(await c.list(`${V2}/users${c.q('userName eq "lag-old@example.com"')}`)).toEqual([]);
    const now = await c.list(`${V2}/users${c.q('externalId eq ext-new')}`);
    expect(now.map((u) => [u.displayName, u.meta.version])).toEqual([['New', patched.json.meta.version]]);
  });

  test('a deactivated user leaves the active list, and enters the inactive one, after the lag', async () => {
    const created = await c.send('POST', `${V2}/users`, { schemas: [USER_URN], userName: 'lag-inactive@example.com', displayName: 'I' });
    c.advance(LAG);
    await c.send('PATCH', `${V2}/users/${created.json.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const inactive = async () => (await c.list(`${V2}/users${c.q('active eq false')}`)).map((u) => u.id);
    expect(await inactive()).not.toContain(created.json.id);
    expect((await c.list(`${V2}/users?count=100&attributes=userName`)).map((u) => u.id)).toContain(created.json.id);
    c.advance(LAG);
    expect(await inactive()).toContain(created.json.id);
  });

  test('a deleted user is gone by id at once and still listed, with its last state, until the lag has passed', async () => {
    const created = await c.send('POST', `${V1}/users`, { schemas: [USER_URN], userName: 'lag-delete@example.com', displayName: 'Doomed' });
    c.advance(LAG);
    expect((await c.send('DELETE', `${V1}/users/${created.json.id}`)).status).toBe(204);
    expect((await get(c.emu, `${V1}/users/${created.json.id}`, c.admin)).status).toBe(404);
    const still = await c.list(`${V1}/users${c.q(`id eq ${created.json.id}`)}`);
    expect(still.map((u) => [u.displayName, u.active])).toEqual([['Doomed', true]]);
    c.advance(LAG);
    expect(await c.list(`${V1}/users${c.q(`id eq ${created.json.id}`)}`)).toEqual([]);
  });
});

describe('search-index lag (groups)', () => {
  let c: Awaited<ReturnType<typeof clocked>>;
  beforeAll(async () => { c = await clocked({ live: QUIET }); });
  afterAll(() => c.emu.close());
  const names = (gs: Record<string, any>[]) => gs.map((g) => g.displayName);

  test('create, rename, membership and delete reach group lists (with and without a filter) after the lag', async () => {
    const created = await c.send('POST', `${V2}/groups`, { schemas: [GROUP_URN], displayName: 'Lag Team', members: [{ value: SEED.bob }] });
    expect(created.status).toBe(201);
    expect((await get(c.emu, `${V2}/groups/${created.json.id}`, c.admin)).status).toBe(200);
    expect(names(await c.list(`${V2}/groups`))).not.toContain('Lag Team');
    expect(await c.list(`${V2}/groups${c.q('displayName eq "Lag Team"')}`)).toEqual([]);
    c.advance(LAG);
    expect(names(await c.list(`${V1}/groups`))).toContain('Lag Team');

    await c.send('PATCH', `${V2}/groups/${created.json.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Lag Team 2' }, { op: 'add', path: 'members', value: [{ value: SEED.sam }] }],
    });
    const byOldName = await c.list(`${V2}/groups${c.q('displayName eq "Lag Team"')}`);
    expect(byOldName.map((g) => g.members.map((m: { value: string }) => m.value))).toEqual([[SEED.bob]]);
    expect(await c.list(`${V2}/groups${c.q('displayName eq "Lag Team 2"')}`)).toEqual([]);
    // a user's groups in a user list lag like the group itself
    const sam = async () => (await c.list(`${V2}/users${c.q(`id eq ${SEED.sam}`)}`))[0]!.groups.map((g: { value: string }) => g.value);
    expect(await sam()).not.toContain(created.json.id);
    expect((await get(c.emu, `${V2}/users/${SEED.sam}`, c.admin)).json.groups.map((g: { value: string }) => g.value)).toContain(created.json.id);
    c.advance(LAG);
    expect(await c.list(`${V2}/groups${c.q('displayName eq "Lag Team"')}`)).toEqual([]);
    expect((await c.list(`${V2}/groups${c.q('displayName eq "Lag Team 2"')}`)).map((g) => g.members.length)).toEqual([2]);
    expect(await sam()).toContain(created.json.id);

    expect((await c.send('DELETE', `${V2}/groups/${created.json.id}`)).status).toBe(204);
    expect((await get(c.emu, `${V2}/groups/${created.json.id}`, c.admin)).status).toBe(404);
    expect(names(await c.list(`${V2}/groups${c.q(`id eq ${created.json.id}`)}`))).toEqual(['Lag Team 2']);
    c.advance(LAG);
    expect(await c.list(`${V2}/groups${c.q(`id eq ${created.json.id}`)}`)).toEqual([]);
    expect(await sam()).not.toContain(created.json.id);
  });

  test('writes check uniqueness against the store, not the lagging index', async () => {
    const first = await c.send('POST', `${V2}/groups`, { schemas: [GROUP_URN], displayName: 'Unique Now' });
    expect(first.status).toBe(201);
    const again = await c.send('POST', `${V2}/groups`, { schemas: [GROUP_URN], displayName: 'Unique Now' });
    expect(again.status).toBe(409);
  });
});

describe('search-index lag (API 2019 forms)', () => {
  let c: Awaited<ReturnType<typeof clocked>>;
  beforeAll(async () => { c = await clocked({ apiVersion: '2019', live: QUIET }); });
  afterAll(() => c.emu.close());

  test('a renamed group and a user written through PUT are listed with their old values until the lag has passed', async () => {
    const group = await c.send('PUT', `${V1}/groups/${SEED.sales}`, { schemas: [GROUP_URN], displayName: 'Sales 2019', members: [] });
    expect(group.status).toBe(200);
    expect((await c.list(`${V1}/groups${c.q(`id eq ${SEED.sales}`)}`)).map((g) => g.displayName)).toEqual(['Sales']);
    const user = await get(c.emu, `${V1}/users/${SEED.bob}`, c.admin);
    const put = await c.send('PUT', `${V1}/users/${SEED.bob}`, { ...user.json, title: 'Changed in 2019' });
    expect(put.status).toBe(200);
    expect((await c.list(`${V1}/users${c.q(`id eq ${SEED.bob}`)}`))[0]!.title).not.toBe('Changed in 2019');
    c.advance(LAG);
    expect((await c.list(`${V1}/groups${c.q(`id eq ${SEED.sales}`)}`)).map((g) => g.displayName)).toEqual(['Sales 2019']);
    expect((await c.list(`${V1}/users${c.q(`id eq ${SEED.bob}`)}`))[0]!.title).toBe('Changed in 2019');
  });
});

describe('latency', () => {
  test('each response is delayed by latency ± jitter, concurrently (the event loop is not blocked); the token endpoint too', async () => {
    const emu = await startEmulator({ live: { ...QUIET, latencyMs: 200, jitterMs: 0 } });
    try {
      let t0 = performance.now();
      const admin = await tokenFor(emu, 'admin');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
      t0 = performance.now();
      const all = await Promise.all(Array.from({ length: 10 }, () => get(emu, `${V2}/serviceproviderconfig`, admin)));
      const ms = performance.now() - t0;
      expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(ms).toBeGreaterThanOrEqual(195);
      expect(ms).toBeLessThan(10 * 200); // one after the other would take 2 s
    } finally {
      await emu.close();
    }
  });

  test('delays are uniform in latency ± jitter and never negative', () => {
    const random = seededRandom(42);
    const p = resolveLive({ latencyMs: 150, jitterMs: 100, seed: 42 });
    const delays = Array.from({ length: 5000 }, () => liveDraw(p, random).delayMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThanOrEqual(250);
    expect(delays.reduce((a, d) => a + d, 0) / delays.length).toBeCloseTo(150, -1);
    const low = resolveLive({ latencyMs: 20, jitterMs: 100, seed: 42 });
    expect(Math.min(...Array.from({ length: 1000 }, () => liveDraw(low, random).delayMs))).toBe(0);
  });
});

describe('faults', () => {
  test.for([
    { fault: 'unavailableRate', status: 503, detail: /simulated 503/ },
    { fault: 'throttleRate', status: 429, detail: /simulated 429/ },
  ] as const)('$fault 1: every SCIM request is a $status with Retry-After and a SCIM error body', async ({ fault, status, detail }) => {
    const emu = await startEmulator({ live: { ...QUIET, [fault]: 1, retryAfterSeconds: 7 } });
    try {
      const admin = await tokenFor(emu, 'admin'); // the token endpoint is not faulted
      for (const path of [`${V2}/users`, `${V1}/serviceproviderconfig`, `${V2}/groups/${SEED.sales}`]) {
        const res = await get(emu, path, admin);
        expect(res.status).toBe(status);
        expect(res.headers.get('retry-after')).toBe('7');
        expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
        expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: String(status), detail: expect.stringMatching(detail) });
      }
      expect((await get(emu, '/nowhere', admin)).status).toBe(404); // not a SCIM route: no fault
    } finally {
      await emu.close();
    }
  });

  test('resetRate 1: the connection is destroyed without an answer, and the server goes on', async () => {
    const emu = await startEmulator({ live: { ...QUIET, resetRate: 1 } });
    try {
      const admin = await tokenFor(emu, 'admin');
      await expect(get(emu, `${V2}/users/${SEED.alice}`, admin)).rejects.toThrow(/fetch failed/);
      await expect(call(emu, 'POST', `${V2}/users`, { token: admin, headers: json, body: '{}' })).rejects.toThrow(/fetch failed/);
      expect(await tokenFor(emu, 'readonly')).toEqual(expect.any(String));
    } finally {
      await emu.close();
    }
  });

  test('rates are roughly honoured, and the same seed gives the same sequence', async () => {
    const options: LiveOptions = { ...QUIET, unavailableRate: 0.2, throttleRate: 0.1, resetRate: 0.1, seed: 2026 };
    const sequence = async () => {
      const emu = await startEmulator({ live: options });
      try {
        const admin = await tokenFor(emu, 'admin');
        const out: (number | 'reset')[] = [];
        for (let i = 0; i < 400; i++) {
          out.push(await get(emu, `${V2}/serviceproviderconfig`, admin).then((r) => r.status, () => 'reset' as const));
        }
        return out;
      } finally {
        await emu.close();
      }
    };
    const first = await sequence();
    const count = (x: number | 'reset') => first.filter((s) => s === x).length;
    expect(count(503)).toBeGreaterThan(400 * 0.2 * 0.6);
    expect(count(503)).toBeLessThan(400 * 0.2 * 1.4);
    expect(count(429)).toBeGreaterThan(400 * 0.1 * 0.5);
    expect(count(429)).toBeLessThan(400 * 0.1 * 1.5);
    expect(count('reset')).toBeGreaterThan(400 * 0.1 * 0.5);
    expect(count('reset')).toBeLessThan(400 * 0.1 * 1.5);
    expect(count(200)).toBe(400 - count(503) - count(429) - count('reset'));
    expect(await sequence()).toEqual(first);
  });

  test('the per-token rate limit answers 429 with Retry-After beyond its budget, by the emulator clock', async () => {
    const c = await clocked({ live: { ...QUIET, rateLimitPerMinute: 5 } });
    try {
      for (let i = 0; i < 5; i++) expect((await get(c.emu, `${V2}/serviceproviderconfig`, c.admin)).status).toBe(200);
      const limited = await get(c.emu, `${V2}/serviceproviderconfig`, c.admin);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('60');
      expect(limited.json).toMatchObject({ schemas: [ERROR_URN], status: '429', detail: expect.stringMatching(/Rate limit of 5 requests per minute/) });
      c.advance(60_000);
      expect((await get(c.emu, `${V2}/serviceproviderconfig`, c.admin)).status).toBe(200);
    } finally {
      await c.emu.close();
    }
  });

  test('live.rateLimitPerMinute defaults to the emulator rateLimitPerMinute, then 300', async () => {
    const a = await startEmulator({ rateLimitPerMinute: 7, live: QUIET });
    const b = await startEmulator({ live: { seed: 1 } });
    try {
      expect(a.live!.rateLimitPerMinute).toBe(0); // QUIET sets it
      expect(b.live).toMatchObject({ latencyMs: 150, jitterMs: 100, rateLimitPerMinute: 300, unavailableRate: 0.01, throttleRate: 0, resetRate: 0, indexLagMs: 3000, seed: 1 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const c = await startEmulator({ rateLimitPerMinute: 7, live: { seed: 1 } });
    expect(c.live!.rateLimitPerMinute).toBe(7);
    await c.close();
  });

  test.for([
    [{ unavailableRate: 1.5 }, /unavailableRate \(SCIM_LIVE_503_RATE\) must be a probability/],
    [{ latencyMs: -1 }, /latencyMs \(SCIM_LIVE_LATENCY_MS\) must be a number ≥ 0/],
    [{ seed: 1.5 }, /seed \(SCIM_LIVE_SEED\) must be an integer/],
    [{ unavailableRate: 0.6, resetRate: 0.6 }, /add up to more than 1/],
  ] as const)('an option out of range is refused at start: %o', async ([options, message]) => {
    await expect(startEmulator({ live: options })).rejects.toThrow(message);
  });
});

describe('the default profile is left alone', () => {
  let emu: RunningEmulator;
  let admin: string;
  beforeAll(async () => {
    emu = await startEmulator({ rateLimitPerMinute: 0 });
    admin = await tokenFor(emu, 'admin');
  });
  afterAll(() => emu.close());

  test('no live profile; a created user is listed at once', async () => {
    expect(emu.live).toBeUndefined();
    const created = await call(emu, 'POST', `${V2}/users`, { token: admin, headers: json, body: JSON.stringify({ userName: 'now@example.com', displayName: 'Now' }) });
    const listed = await get(emu, `${V2}/users?filter=${encodeURIComponent('userName eq now@example.com')}`, admin);
    expect(listed.json.Resources.map((u: { id: string }) => u.id)).toEqual([created.json.id]);
  });

  test('without a lag the domain uses a plain store and its handlers unwrapped', () => {
    const plain = createUsersGroupsDomain({ apiVersion: '2021' });
    expect(plain.store.constructor).toBe(DomainStore);
    expect(plain.lag).toBeUndefined();
    const lagged = createUsersGroupsDomain({ apiVersion: '2021', indexLagMs: 10 });
    expect(lagged.store).toBeInstanceOf(TrackingStore);
    expect(lagged.lag!.pending).toBe(0);
  });
});
