import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePools, HttpClient, ScimClient } from '../runtime/http.ts';
import { cleanupLedger, ledgerFiles, readLedger, RunLedger } from '../runtime/ledger.ts';
import { newRunInfo, RUN_PREFIX_PATTERN } from '../config/target.ts';
import { fakeServer, json } from './fake-server.ts';

const users = new Map<string, { userName: string }>();
const deleted: string[] = [];
let server: Awaited<ReturnType<typeof fakeServer>>;

beforeAll(async () => {
  server = await fakeServer((req, res) => {
    const id = decodeURIComponent(req.url.split('/').pop() ?? '');
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

describe('run ledger', () => {
  test('run prefixes are recognisable', () => {
    const run = newRunInfo('/tmp/x', new Date('2026-11-23T12:00:00Z'));
    expect(run.runPrefix).toMatch(RUN_PREFIX_PATTERN);
  });

  test('refuses to register a name without the run prefix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const ledger = new RunLedger(newRunInfo(dir), 't', server.origin).open();
    expect(() => ledger.created('users', 'x', 'someone@example.com', '/p')).toThrow(/run prefix/);
  });

  test('tracks created and deleted resources, and cleanup removes only what still carries the prefix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const run = newRunInfo(dir);
    const ledger = new RunLedger(run, 'fake', server.origin).open();
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
    expect(contents.header?.runPrefix).toBe(run.runPrefix);
    expect(contents.outstanding.map((e) => e.id)).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(ledgerFiles(dir, 'fake')).toEqual([ledger.file]);

    const client = new ScimClient(new HttpClient({ origin: server.origin }), '/p', undefined);
    const outcome = await cleanupLedger(ledger.file, () => client);
    expect(deleted.sort()).toEqual(['u1', 'u2']);
    expect(outcome.removed).toHaveLength(2);
    expect(outcome.alreadyGone).toEqual([`users/u4 (${run.runPrefix}d@example.com)`]);
    expect(outcome.kept.join('\n')).toMatch(/u3.*no longer carries the run prefix/);
    // u5 was marked deleted by its test: never touched again
    expect(users.has('u5')).toBe(true);
    // something was kept, so the ledger stays for the next run to retry
    expect(existsSync(ledger.file)).toBe(true);
    expect(readFileSync(ledger.file, 'utf8')).toContain('u3');
  });

  test('a clean ledger file is removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const run = newRunInfo(dir);
    const ledger = new RunLedger(run, 'fake', server.origin).open();
    users.set('u9', { userName: `${run.runPrefix}z@example.com` });
    ledger.created('users', 'u9', `${run.runPrefix}z@example.com`, '/p');
    const client = new ScimClient(new HttpClient({ origin: server.origin }), '/p', undefined);
    const outcome = await cleanupLedger(ledger.file, () => client);
    expect(outcome.removed).toHaveLength(1);
    expect(existsSync(ledger.file)).toBe(false);
  });
});
