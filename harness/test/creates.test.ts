/**
 * A create whose answer is lost: the intent is in the ledger before the POST leaves, a POST answered only after a lost
 * attempt is settled by name (the copy the lost attempt made is removed, a POST refused because of it is sent again),
 * and a POST lost for good is found by the sweep. The fake server applies a POST and then drops the connection.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { newRunInfo } from '../config/target.ts';
import { collectionOf, IntentClient, sendCreate, type CreateDeps } from '../runtime/behaviour/creates.ts';
import { closePools, HttpClient, ScimClient, TransportError, type HttpResult, type RecordedExchange } from '../runtime/http.ts';
import { readLedger, RunLedger } from '../runtime/ledger.ts';
import { cleanupLedger } from '../runtime/sweep.ts';
import { fakeServer, json } from './fake-server.ts';

/** What the fake server does with the next POSTs: apply and answer, apply then drop the connection, or drop before applying. */
type PostMode = 'answer' | 'apply-then-drop' | 'drop';
let script: PostMode[] = [];
let uniqueNames = true;
let filterWorks = true;
/** A POST of a deleted user's name revives it under its old id (as Genesys and its emulator do). */
let revive = true;
const users = new Map<string, string>();
/** Deleted users by name: a POST of that name revives the user under its old id (as the Genesys emulator does). */
const deletedIds = new Map<string, string>();
let nextId = 1;
let server: Awaited<ReturnType<typeof fakeServer>>;

beforeAll(async () => {
  server = await fakeServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'POST') {
      const mode = script.shift() ?? 'answer';
      if (mode === 'drop') return void res.socket?.destroy();
      const { userName } = JSON.parse(req.body) as { userName: string };
      if (uniqueNames && [...users.values()].includes(userName)) {
        if (mode === 'apply-then-drop') return void res.socket?.destroy();
        return json(res, 409, { status: '409', scimType: 'uniqueness' });
      }
      const id = (revive && deletedIds.get(userName)) || `u${nextId++}`;
      deletedIds.delete(userName);
      users.set(id, userName);
      if (mode === 'apply-then-drop') return void res.socket?.destroy();
      return json(res, 201, { id, userName });
    }
    if (url.pathname === '/p/users') {
      const m = /^userName eq "(.*)"$/.exec(url.searchParams.get('filter') ?? '');
      if (!m || !filterWorks) return json(res, 400, { status: '400', scimType: 'invalidFilter' });
      const hits = [...users.entries()].filter(([, n]) => n === m[1]).map(([id, userName]) => ({ id, userName }));
      return json(res, 200, { totalResults: hits.length, Resources: hits });
    }
    const id = url.pathname.split('/').pop() ?? '';
    if (!users.has(id)) return json(res, 404, { status: '404' });
    if (req.method === 'DELETE') {
      deletedIds.set(users.get(id)!, id);
      users.delete(id);
      return void res.writeHead(204).end();
    }
    return json(res, 200, { id, userName: users.get(id) });
  });
});
afterAll(async () => {
  await closePools();
  await server.close();
});
beforeEach(() => {
  script = [];
  uniqueNames = true;
  filterWorks = true;
  revive = true;
  users.clear();
  deletedIds.clear();
});

function setup() {
  const run = newRunInfo(mkdtempSync(join(tmpdir(), 'creates-')));
  const ledger = new RunLedger(run, 'fake').open();
  const exchanges: RecordedExchange[] = [];
  const http = (housekeeping: boolean) =>
    new HttpClient({ origin: server.origin, retry: { baseDelayMs: 1 }, onExchange: (x) => exchanges.push(housekeeping ? Object.assign(x, { housekeeping: true }) : x) });
  const deps: CreateDeps = { scim: new IntentClient(http(false), '/p', undefined, () => ledger), house: new ScimClient(http(true), '/p', undefined), ledger, prefix: '/p', collection: (r) => `/${r}` };
  const registered: { id: string; ambiguous: boolean }[] = [];
  const create = (name: string) => sendCreate(deps, 'users', { userName: `${run.runPrefix}${name}` }, (res: HttpResult, ambiguous) => {
    registered.push({ id: res.body.id, ambiguous });
    ledger.created('users', res.body.id, res.body.userName, '/p', { ambiguous });
  });
  return { run, ledger, deps, exchanges, registered, create, sweep: () => cleanupLedger(ledger.file, { clientFor: () => deps.house }) };
}

describe('IntentClient: every POST to a collection is in the ledger before it leaves', () => {
  test('a POST sent outside ctx.create (a permission check, a raw body) that creates something nobody registers is found by the sweep', async () => {
    const { ledger, deps, run, sweep } = setup();
    const res = await deps.scim.request('POST', '/Users', { rawBody: JSON.stringify({ userName: `${run.runPrefix}raw` }), contentType: 'application/json' });
    expect(res.status).toBe(201);
    expect(readLedger(ledger.file).openIntents.map((i) => i.name)).toEqual([`${run.runPrefix}raw`]);
    await sweep();
    expect(users.size).toBe(0);
  });

  test('only POSTs to the users and groups collections, with a run-scoped name, carry an intent', async () => {
    expect(['/users', '/Users/', '/groups', '/GROUPS?x=1'].map(collectionOf)).toEqual(['users', 'users', 'groups', 'groups']);
    expect(['/users/1', '/Bulk', '/Users/.search', '/groupsx'].map(collectionOf)).toEqual([undefined, undefined, undefined, undefined]);
    const { ledger, deps } = setup();
    await deps.scim.post('/users', { userName: 'not-ours@example.com' });
    expect(readLedger(ledger.file).openIntents).toEqual([]);
  });
});

describe('sendCreate', () => {
  test('writes the intent before the POST leaves, and resolves it with the created id', async () => {
    const { ledger, create, registered } = setup();
    const res = await create('a');
    expect(res.status).toBe(201);
    expect(registered).toEqual([{ id: res.body.id, ambiguous: false }]);
    const lines = readLedger(ledger.file);
    expect(lines.openIntents).toEqual([]);
    expect(lines.outstanding.map((e) => e.id)).toEqual([res.body.id]);
  });

  test('a refused create resolves its intent as failed: nothing to look for', async () => {
    const { ledger, create } = setup();
    await create('dup');
    const again = await create('dup');
    expect(again.status).toBe(409);
    expect(readLedger(ledger.file).openIntents).toEqual([]);
  });

  test('applied, then the connection dropped: the retry is refused 409; the copy is found by name, removed, and the POST sent again', async () => {
    const { create, exchanges, registered, sweep } = setup();
    revive = false;
    script = ['apply-then-drop'];
    const res = await create('lost');
    expect(res.status).toBe(201);
    expect(res.ambiguous).toBeFalsy();
    // the first copy is gone, the second is the check's
    expect([...users.keys()]).toEqual([res.body.id]);
    expect(registered).toEqual([{ id: res.body.id, ambiguous: false }]);
    const settled = exchanges.find((x) => x.ambiguous);
    expect(settled).toMatchObject({ response: { status: 409 }, settled: true });
    expect(exchanges.filter((x) => x.housekeeping).map((x) => x.request.method)).toEqual(['GET', 'GET', 'DELETE']);
    // everything is in the ledger: the sweep removes the check's copy and leaves nothing
    await sweep();
    expect(users.size).toBe(0);
  });

  test('on a server that revives the removed copy under its old id, the POST sent again is no fresh create: left ambiguous, the copy registered', async () => {
    const { create, registered, sweep } = setup();
    script = ['apply-then-drop'];
    const res = await create('revived');
    expect(res.status).toBe(201);
    // the check that sent it is blocked and runs again with new names (outcome.ts); nothing is lost
    expect(res.ambiguous).toBe(true);
    expect(res.exchange.settled).toBeFalsy();
    expect(registered).toEqual([{ id: res.body.id, ambiguous: true }]);
    await sweep();
    expect(users.size).toBe(0);
  });

  test('a lost attempt again while settling: removed again, then a clean POST', async () => {
    const { create, sweep } = setup();
    revive = false;
    script = ['apply-then-drop', 'answer', 'apply-then-drop'];
    const res = await create('twice-lost');
    expect(res.status).toBe(201);
    expect(res.ambiguous).toBeFalsy();
    expect([...users.keys()]).toEqual([res.body.id]);
    await sweep();
    expect(users.size).toBe(0);
  });

  test('applied, then dropped, on a server that accepts a second copy: the extra copy is removed', async () => {
    const { create } = setup();
    uniqueNames = false;
    script = ['apply-then-drop'];
    const res = await create('twice');
    expect(res.status).toBe(201);
    expect(res.ambiguous).toBeFalsy();
    expect([...users.keys()]).toEqual([res.body.id]);
  });

  test('dropped before it was applied: the retry created it, and the lookup proves there is one copy', async () => {
    const { create } = setup();
    script = ['drop'];
    const res = await create('once');
    expect(res.status).toBe(201);
    expect(res.ambiguous).toBeFalsy();
    expect(users.size).toBe(1);
  });

  test('a uniqueness check posting the run\'s own name again: a lost answer is settled without touching the first copy', async () => {
    const { create, exchanges } = setup();
    const first = await create('taken');
    script = ['apply-then-drop'];
    const again = await create('taken');
    expect(again.status).toBe(409);
    expect(again.ambiguous).toBe(false);
    expect([...users.keys()]).toEqual([first.body.id]);
    expect(exchanges.filter((x) => x.request.method === 'DELETE')).toEqual([]);
  });

  test('when the lookup cannot settle it, the answer stays ambiguous and the intent open for the sweep', async () => {
    const { ledger, create, registered, sweep } = setup();
    filterWorks = false;
    uniqueNames = false;
    script = ['apply-then-drop'];
    const res = await create('unsettled');
    expect(res.ambiguous).toBe(true);
    expect(registered).toEqual([{ id: res.body.id, ambiguous: true }]);
    expect(readLedger(ledger.file).openIntents).toHaveLength(1);
    expect(users.size).toBe(2);
    filterWorks = true;
    await sweep();
    expect(users.size).toBe(0);
  });

  test('a POST whose answer is lost for good throws, and the sweep finds what it created by name', async () => {
    const { ledger, create, sweep } = setup();
    script = ['apply-then-drop', 'drop', 'drop', 'drop'];
    await expect(create('gone')).rejects.toBeInstanceOf(TransportError);
    expect(readLedger(ledger.file).openIntents).toHaveLength(1);
    expect(users.size).toBe(1);
    const outcome = await sweep();
    expect(outcome.removed.join()).toMatch(/found by name/);
    expect(users.size).toBe(0);
  });
});
