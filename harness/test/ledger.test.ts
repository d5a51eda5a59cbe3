import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { closePools, HttpClient, ScimClient } from '../runtime/http.ts';
import { ledgerDirFor, ledgerFileOf, lockFileOf, readLedger, RunLedger, RunLock, runLiveness, STALE_MS } from '../runtime/ledger.ts';
import { cleanupLedger, INTENT_GRACE_MS } from '../runtime/sweep.ts';
import { identityKey, newRunInfo, RUN_PREFIX_PATTERN, sameIdentity, targetIdentity, type TargetIdentity } from '../config/target.ts';
import { fakeServer, json } from './fake-server.ts';

/** A tiny SCIM users endpoint: GET by id, DELETE, and a `userName eq`/`sw` filter on the list. */
const users = new Map<string, { userName: string }>();
const deleted: string[] = [];
let server: Awaited<ReturnType<typeof fakeServer>>;

beforeAll(async () => {
  server = await fakeServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/p/users' && req.method === 'GET') {
      const filter = url.searchParams.get('filter') ?? '';
      const m = /^userName (eq|sw) "(.*)"$/.exec(filter);
      if (!m) return json(res, 400, { status: '400', scimType: 'invalidFilter' });
      const hits = [...users.entries()].filter(([, u]) => (m[1] === 'eq' ? u.userName === m[2] : u.userName.startsWith(m[2]!)));
      return json(res, 200, { totalResults: hits.length, Resources: hits.map(([id, u]) => ({ id, ...u })) });
    }
    const id = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    const user = users.get(id);
    if (!user) return json(res, 404, { status: '404', detail: 'no such user' });
    if (req.method === 'GET') return json(res, 200, { id, ...user });
    if (req.method === 'DELETE') {
      users.delete(id);
      deleted.push(id);
      res.writeHead(204).end();
    }
  });
});
afterAll(async () => {
  await closePools();
  await server.close();
});
beforeEach(() => {
  users.clear();
  deleted.length = 0;
});

const identity = (over: Partial<TargetIdentity> = {}): TargetIdentity => ({ baseUrl: server.origin, profile: 'genesys', root: '', principal: 'client:a', ...over });
function newLedger(over: Partial<TargetIdentity> = {}) {
  const run = newRunInfo(ledgerDirFor(mkdtempSync(join(tmpdir(), 'ledger-')), 'fake', identity(over)), new Date(), identity(over));
  return { run, ledger: new RunLedger(run, 'fake').open() };
}
const sweepOptions = () => ({ clientFor: () => new ScimClient(new HttpClient({ origin: server.origin }), '/p', undefined) });

describe('run ledger', () => {
  test('run prefixes are recognisable', () => {
    const run = newRunInfo('/tmp/x', new Date('2026-11-23T12:00:00Z'));
    expect(run.runPrefix).toMatch(RUN_PREFIX_PATTERN);
  });

  test('refuses to register a name without the run prefix', () => {
    const { ledger } = newLedger();
    expect(() => ledger.created('users', 'x', 'someone@example.com', '/p')).toThrow(/run prefix/);
    expect(() => ledger.intent('users', 'someone@example.com', '/p')).toThrow(/run prefix/);
  });

  test('the header names the full target identity and the process that owns the run', () => {
    const { ledger, run } = newLedger();
    const { header } = readLedger(ledger.file);
    expect(header).toMatchObject({ version: 2, runId: run.runId, runPrefix: run.runPrefix, pid: process.pid, hostname: hostname(), identity: identity() });
  });

  test('tracks created and deleted resources, and cleanup removes only what still carries the prefix', async () => {
    const { ledger, run } = newLedger();
    users.set('u1', { userName: `${run.runPrefix}a@example.com` });
    users.set('u2', { userName: `${run.runPrefix}b@example.com` });
    users.set('u3', { userName: 'renamed-by-someone-else@example.com' });
    users.set('u5', { userName: `${run.runPrefix}kept@example.com` });
    ledger.created('users', 'u1', `${run.runPrefix}a@example.com`, '/p');
    ledger.created('users', 'u2', `${run.runPrefix}b@example.com`, '/p');
    ledger.created('users', 'u3', `${run.runPrefix}c@example.com`, '/p');
    ledger.created('users', 'u4', `${run.runPrefix}d@example.com`, '/p');
    ledger.created('users', 'u5', `${run.runPrefix}kept@example.com`, '/p');
    ledger.deleted('users', 'u5', '/p');

    const contents = readLedger(ledger.file);
    expect(contents.outstanding.map((e) => e.id)).toEqual(['u1', 'u2', 'u3', 'u4']);

    const outcome = await cleanupLedger(ledger.file, sweepOptions());
    expect(deleted.sort()).toEqual(['u1', 'u2']);
    expect(outcome.removed).toHaveLength(2);
    expect(outcome.alreadyGone).toEqual([`users/u4 (${run.runPrefix}d@example.com)`]);
    expect(outcome.kept.join('\n')).toMatch(/u3.*no longer carries the run prefix/);
    // u5 was marked deleted by its test: never touched again
    expect(users.has('u5')).toBe(true);
    // something was kept, so the ledger stays for the next run to retry, without what this sweep removed
    expect(existsSync(ledger.file)).toBe(true);
    expect(readLedger(ledger.file).outstanding.map((e) => e.id)).toEqual(['u3']);
  });

  test('a clean ledger file is removed', async () => {
    const { ledger, run } = newLedger();
    users.set('u9', { userName: `${run.runPrefix}z@example.com` });
    ledger.created('users', 'u9', `${run.runPrefix}z@example.com`, '/p');
    const outcome = await cleanupLedger(ledger.file, sweepOptions());
    expect(outcome.removed).toHaveLength(1);
    expect(existsSync(ledger.file)).toBe(false);
  });
});

describe('intents: a create whose answer was lost leaves nothing behind', () => {
  test('an intent is resolved by its created or failed line, and stays open after an ambiguous one', () => {
    const { ledger, run } = newLedger();
    const n = (s: string) => `${run.runPrefix}${s}@example.com`;
    ledger.intent('users', n('a'), '/p');
    ledger.created('users', 'ua', n('a'), '/p');
    ledger.intent('users', n('b'), '/p');
    ledger.failed('users', n('b'), '/p', 400);
    ledger.intent('users', n('c'), '/p');
    ledger.intent('users', n('d'), '/p');
    ledger.created('users', 'ud', n('d'), '/p', { ambiguous: true });
    // a name posted twice (a uniqueness check): the second intent is open until a later line resolves it
    ledger.intent('users', n('a'), '/p');
    expect(readLedger(ledger.file).openIntents.map((i) => i.name)).toEqual([n('c'), n('d'), n('a')]);
  });

  test('the sweep finds the resource of an open intent by its unique name, and removes it', async () => {
    const { ledger, run } = newLedger();
    const name = `${run.runPrefix}lost@example.com`;
    // The POST was applied, then the connection dropped: the ledger holds the intent only.
    ledger.intent('users', name, '/p');
    users.set('applied', { userName: name });
    users.set('other', { userName: `${run.runPrefix}lost@example.com.other` });
    const outcome = await cleanupLedger(ledger.file, sweepOptions());
    expect(deleted).toEqual(['applied']);
    expect(outcome.removed).toEqual([`users/applied (${name}, found by name: its create's answer was lost)`]);
    expect(users.has('other')).toBe(true);
    expect(existsSync(ledger.file)).toBe(false);
  });

  test('an intent found by no lookup stays open for a while (lists may lag), then is resolved', async () => {
    const { ledger, run } = newLedger();
    ledger.intent('users', `${run.runPrefix}never@example.com`, '/p');
    const young = await cleanupLedger(ledger.file, sweepOptions());
    expect(young.kept.join()).toMatch(/not found yet/);
    expect(readLedger(ledger.file).openIntents).toHaveLength(1);
    const old = await cleanupLedger(ledger.file, { ...sweepOptions(), now: Date.now() + INTENT_GRACE_MS + 1 });
    expect(old.kept).toEqual([]);
    expect(existsSync(ledger.file)).toBe(false);
  });

  test('an intent cannot be looked up on a server without filters: it is kept, never dropped', async () => {
    const { ledger, run } = newLedger();
    ledger.intent('users', `${run.runPrefix}x@example.com`, '/p');
    const outcome = await cleanupLedger(ledger.file, { ...sweepOptions(), filter: false, now: Date.now() + INTENT_GRACE_MS + 1 });
    expect(outcome.kept.join()).toMatch(/does not support filters/);
    expect(existsSync(ledger.file)).toBe(true);
  });

  test('the run-prefix sweep (sw) removes what the run created without a ledger line, and nothing of another run', async () => {
    const { ledger, run } = newLedger({ profile: 'rfc7644', root: '/p' });
    users.set('bulk', { userName: `${run.runPrefix}via-bulk@example.com` });
    users.set('theirs', { userName: 'scimct-000000000000-zz-someone@example.com' });
    const outcome = await cleanupLedger(ledger.file, { ...sweepOptions(), prefixSweep: true, prefixes: ['/p'] });
    expect(deleted).toEqual(['bulk']);
    expect(outcome.removed.join()).toMatch(/found by the run prefix/);
    expect(users.has('theirs')).toBe(true);
  });
});

describe('liveness: a sweep never touches a run that is still going', () => {
  test('a run holding a fresh lock in a live process is alive; released, it is dead', () => {
    const { run, ledger } = newLedger();
    const lock = new RunLock(run).acquire();
    expect(lockFileOf(ledger.file)).toBe(lock.file);
    expect(runLiveness(ledger.file)).toMatchObject({ alive: true, why: expect.stringMatching(new RegExp(`process ${process.pid} on `)) });
    lock.release();
    expect(runLiveness(ledger.file)).toMatchObject({ alive: false, why: expect.stringMatching(/ended/) });
  });

  test('a lock whose process is gone on this host is dead at once', () => {
    const { run, ledger } = newLedger();
    const lock = new RunLock(run).acquire();
    expect(runLiveness(ledger.file, { pidAlive: () => false })).toMatchObject({ alive: false, why: expect.stringMatching(/is gone/) });
    // on another host the pid says nothing: the heartbeat decides
    expect(runLiveness(ledger.file, { pidAlive: () => false, hostname: 'elsewhere' }).alive).toBe(true);
    lock.release();
  });

  test('a heartbeat older than STALE_MS is dead (another host, or a reused pid)', () => {
    const { run, ledger } = newLedger();
    const lock = new RunLock(run).acquire();
    const past = new Date(Date.now() - STALE_MS - 5_000);
    utimesSync(lock.file, past, past);
    expect(runLiveness(ledger.file)).toMatchObject({ alive: false, why: expect.stringMatching(/heartbeat stopped/) });
    lock.beat();
    expect(runLiveness(ledger.file).alive).toBe(true);
    lock.release();
  });

  test('a ledger of an older version (no lock) counts as alive while it is being written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-v1-'));
    const file = join(dir, 'old.jsonl');
    writeFileSync(file, `${JSON.stringify({ event: 'run', runId: 'old', runPrefix: 'scimct-000000000000-ab-', baseUrl: 'http://h', targetName: 't', startedAt: '' })}\n`);
    expect(runLiveness(file).alive).toBe(true);
    const past = new Date(Date.now() - STALE_MS - 5_000);
    utimesSync(file, past, past);
    expect(runLiveness(file).alive).toBe(false);
  });
});

describe('target identity', () => {
  const t = (baseUrl: string, over: { profile?: 'genesys' | 'rfc7644'; prefixes?: string[]; clientId?: string } = {}) =>
    targetIdentity({
      baseUrl,
      profile: over.profile,
      prefixes: over.prefixes ?? ['/api/v2/scim/v2', '/api/v2/scim'],
      identities: { primary: { auth: over.clientId ? { kind: 'client-credentials', clientId: over.clientId, clientSecret: 's', tokenUrl: 'x' } : { kind: 'token', token: 't' } } },
    });

  test('two servers on one host (ports), two SCIM roots on one origin, two orgs on one API host are different targets', () => {
    const a = t('http://127.0.0.1:4010');
    expect(sameIdentity(a, t('http://127.0.0.1:4010/'))).toBe(true);
    expect(sameIdentity(a, t('http://127.0.0.1:4011'))).toBe(false);
    expect(sameIdentity(t('https://h', { profile: 'rfc7644', prefixes: ['/scim/v2'] }), t('https://h', { profile: 'rfc7644', prefixes: ['/other/scim'] }))).toBe(false);
    expect(sameIdentity(t('https://api.mypurecloud.com', { clientId: 'org-a' }), t('https://api.mypurecloud.com', { clientId: 'org-b' }))).toBe(false);
    expect(identityKey(a)).not.toBe(identityKey(t('http://127.0.0.1:4011')));
    expect(identityKey(a)).toMatch(/^127\.0\.0\.1_4010-genesys-[0-9a-f]{12}$/);
  });

  test('the genesys prefixes are two paths to one org: a run on one prefix is the same target as a run on both', () => {
    expect(sameIdentity(t('https://api.mypurecloud.com', { prefixes: ['/api/v2/scim'] }), t('https://api.mypurecloud.com'))).toBe(true);
  });

  test('each identity has its own ledger directory', () => {
    const run = newRunInfo(ledgerDirFor('/root', 'name', t('http://h:1')));
    expect(ledgerFileOf(run)).toMatch(new RegExp(`^/root/name/h_1-genesys-[0-9a-f]{12}/${run.runId}\\.jsonl$`));
  });
});
