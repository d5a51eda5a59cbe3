/**
 * The reachability pre-check: before any check, the target must answer and speak SCIM on at least one prefix;
 * otherwise one message names every URL and what came back (exit 2: configuration; exit 1: server errors everywhere),
 * and no check runs (no flood of per-check failures, no report).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePools } from '../../harness/runtime/http.ts';
import { fakeServer, json, type SeenRequest } from '../../harness/test/fake-server.ts';
import { preflight, type PreflightTarget } from '../preflight.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Per path prefix, how the fake server answers ServiceProviderConfig. */
let answer: (req: SeenRequest, res: import('node:http').ServerResponse) => void = () => undefined;
let server: Awaited<ReturnType<typeof fakeServer>>;
beforeAll(async () => {
  server = await fakeServer((req, res) => answer(req, res));
});
afterAll(async () => {
  await closePools();
  await server.close();
});

const html = (res: import('node:http').ServerResponse, status: number) => {
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end('<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>');
};
const target = (over: Partial<PreflightTarget> = {}): PreflightTarget => ({
  baseUrl: server.origin,
  prefixes: ['/api/v2/scim/v2', '/api/v2/scim'],
  timeoutMs: 2000,
  rateLimitPerMinute: 0,
  auth: { kind: 'token', token: 'secret-token-value' },
  ...over,
});

describe('preflight', () => {
  test('a ServiceProviderConfig on one prefix is enough; its capabilities are read, the other prefix noted', async () => {
    answer = (req, res) => (req.url.startsWith('/api/v2/scim/v2/') ? json(res, 200, { patch: { supported: true }, filter: { supported: false } }) : json(res, 404, { schemas: [SCIM_ERROR], status: '404' }));
    const r = await preflight(target({ prefixes: ['/api/v2/scim', '/api/v2/scim/v2'] }));
    expect(r).toMatchObject({ ok: true, capabilities: { patch: true, filter: false }, requests: 2, note: expect.stringMatching(/answered 404 .*capabilities read from .*\/api\/v2\/scim\/v2\/serviceproviderconfig/) });
  });

  test('a SCIM error (or a 403 with JSON) is a SCIM server without ServiceProviderConfig: the checks judge it', async () => {
    answer = (_req, res) => json(res, 403, { message: 'no permission', code: 'forbidden' });
    expect(await preflight(target())).toMatchObject({ ok: true, capabilities: {}, note: expect.stringMatching(/answered 403 .*capabilities unknown/) });
  });

  test('HTML or a plain 404 everywhere: not SCIM, exit 2, every URL named with what came back', async () => {
    answer = (req, res) => html(res, req.url.startsWith('/api/v2/scim/v2/') ? 200 : 404);
    const r = await preflight(target());
    expect(r).toMatchObject({ ok: false, exitCode: 2 });
    if (r.ok) return;
    expect(r.message).toMatch(/does not answer as a SCIM server/);
    expect(r.message).toContain(`GET ${server.origin}/api/v2/scim/v2/serviceproviderconfig → 200 (text/html): <!DOCTYPE html>`);
    expect(r.message).toContain(`GET ${server.origin}/api/v2/scim/serviceproviderconfig → 404 (text/html)`);
    expect(r.message).toMatch(/Check SCIM_BASE_URL/);
  });

  test('the rfc7644 profile asks its SCIM root for /ServiceProviderConfig and hints at the root path', async () => {
    answer = (_req, res) => json(res, 404, { error: 'Not Found' });
    const r = await preflight(target({ profile: 'rfc7644', prefixes: ['/scim'] }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(new RegExp(`GET ${server.origin}/scim/ServiceProviderConfig → 404[^]*SCIM root, path included`));
  });

  test('credentials refused (401): exit 2, and the token never appears in the message', async () => {
    answer = (req, res) => json(res, 401, { detail: `bad token ${req.headers.authorization}` });
    const r = await preflight(target());
    expect(r).toMatchObject({ ok: false, exitCode: 2, message: expect.stringMatching(/refused the main identity's credentials \(401\)/) });
    if (!r.ok) expect(r.message).not.toContain('secret-token-value');
  });

  test('a server error on every prefix (after the retries): exit 1, the target is broken', async () => {
    answer = (_req, res) => json(res, 500, { detail: 'boom' });
    expect(await preflight(target())).toMatchObject({ ok: false, exitCode: 1, message: expect.stringMatching(/server error on every prefix/) });
  });

  test('connection refused: exit 2, "cannot be reached", with the error', async () => {
    const r = await preflight(target({ baseUrl: 'http://127.0.0.1:9' }));
    expect(r).toMatchObject({ ok: false, exitCode: 2 });
    if (!r.ok) expect(r.message).toMatch(/cannot be reached[^]*GET http:\/\/127\.0\.0\.1:9\/api\/v2\/scim\/v2\/serviceproviderconfig → no answer: .*ECONNREFUSED/);
  });
});

test('npm run conformance against a server that is not SCIM: one message, exit 2, no check run, no report', async () => {
  answer = (req, res) => (req.url === '/oauth/token' ? json(res, 200, { access_token: 'tok', expires_in: 3600 }) : html(res, 404));
  const before = server.seen.length;
  const out = mkdtempSync(join(tmpdir(), 'scimct-preflight-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    SCIM_BASE_URL: server.origin,
    SCIM_CLIENT_ID: 'id',
    SCIM_CLIENT_SECRET: 'secret',
    SCIM_TOKEN_URL: `${server.origin}/oauth/token`,
    SCIM_RATE_LIMIT: '0',
    SCIM_REPORT_DIR: out,
  };
  const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/conformance.ts', '--dotenv', '/dev/null'], { cwd: ROOT, env, timeout: 60_000 })
    .then((x) => ({ code: 0, ...x }))
    .catch((e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }));
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^the target does not answer as a SCIM server/);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  // one token request and one GET per prefix: nothing else was sent
  expect(server.seen.slice(before).map((x) => `${x.method} ${x.url}`)).toEqual(['POST /oauth/token', 'POST /oauth/token', 'GET /api/v2/scim/v2/serviceproviderconfig', 'GET /api/v2/scim/serviceproviderconfig']);
  expect(existsSync(join(out, 'conformance-report.json'))).toBe(false);
  expect(existsSync(join(out, 'junit.xml'))).toBe(false);
}, 70_000);
