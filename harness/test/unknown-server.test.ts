/**
 * An unknown server cannot break the run: an HTML page, malformed JSON, a missing endpoint or a request that hangs
 * each becomes a clear failure, and a whole rfc7644 CLI run against such a server still finishes with its report.
 * (Its ServiceProviderConfig answers a SCIM error, so the run's pre-check sees a SCIM server; a server that answers
 * nothing SCIM anywhere is refused before any check: runner/test/preflight.test.ts.)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePools, HttpClient, TransportError } from '../runtime/http.ts';
import { ConformanceFailure, createVerify } from '../runtime/verify.ts';
import { fakeServer } from './fake-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Fake = Awaited<ReturnType<typeof fakeServer>>;
let server: Fake;
const hanging = new Set<import('node:http').ServerResponse>();

beforeAll(async () => {
  server = await fakeServer((req, res) => {
    const path = req.url.split('?')[0];
    if (/\/users/i.test(path)) {
      hanging.add(res); // never answered: the client's timeout must end it
      return;
    }
    if (/\/schemas/i.test(path)) {
      res.writeHead(200, { 'content-type': 'application/scim+json' });
      res.end('{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": [');
      return;
    }
    if (/\/serviceproviderconfig/i.test(path)) {
      res.writeHead(403, { 'content-type': 'application/scim+json' });
      res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'not for this token' }));
      return;
    }
    if (/\/resourcetypes/i.test(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>');
  });
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await closePools();
  await server.close();
});

const failureOf = (fn: () => void): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConformanceFailure);
    return (e as Error).message;
  }
  throw new Error('expected a failure');
};

describe('answers that are not SCIM', () => {
  const verify = createVerify('[RFC-X] requirement');

  test('an HTML page: body undefined, and verify.schema says what came instead', async () => {
    const http = new HttpClient({ origin: server.origin, timeoutMs: 2000 });
    const res = await http.send('GET', '/scim/v2/Me', {});
    expect(res.body).toBeUndefined();
    const message = failureOf(() => verify.schema(res, 'ScimServiceProviderConfig'));
    expect(message).toMatch(/the response body is JSON/);
    expect(message).toMatch(/an HTML page, text\/html/);
    expect(message).toMatch(/Welcome to nginx/);
  });

  test('malformed JSON: the parse error is named', async () => {
    const http = new HttpClient({ origin: server.origin, timeoutMs: 2000 });
    const res = await http.send('GET', '/scim/v2/Schemas', {});
    expect(res.status).toBe(200);
    const message = failureOf(() => verify.scimError(res, 200));
    expect(message).toMatch(/not JSON \(/);
  });

  test('a missing endpoint: a status failure with the body shown', async () => {
    const http = new HttpClient({ origin: server.origin, timeoutMs: 2000 });
    const res = await http.send('GET', '/scim/v2/ResourceTypes', {});
    const message = failureOf(() => verify.status(res, 200));
    expect(message).toMatch(/Actual:   404/);
    expect(message).toMatch(/Not Found/);
  });

  test('a request that hangs ends after SCIM_TIMEOUT_MS with a TransportError', async () => {
    const http = new HttpClient({ origin: server.origin, timeoutMs: 300 });
    const started = Date.now();
    const err = await http.send('GET', '/scim/v2/Users', {}).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/GET .*\/scim\/v2\/Users failed: .*timeout/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('a whole rfc7644 run against that server', () => {
  test('finishes with its report: every behaviour a clear failure, exit code 1', async () => {
    const out = mkdtempSync(join(tmpdir(), 'scimct-unknown-'));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SCIM_PROFILE: 'rfc7644',
      SCIM_BASE_URL: `${server.origin}/scim/v2`,
      SCIM_TOKEN: 'not-a-real-token',
      SCIM_ALLOW_WRITES: 'true',
      SCIM_RATE_LIMIT: '0',
      SCIM_TIMEOUT_MS: '300',
      SCIM_TARGET_NAME: 'unknown-server',
      SCIM_REPORT_DIR: out,
    };
    const code = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/conformance.ts', '--dotenv', '/dev/null', '--workers', '2'], { cwd: ROOT, env, timeout: 120_000, maxBuffer: 64 << 20 })
      .then(() => 0)
      .catch((e) => e.code as number);
    expect(code).toBe(1);
    const path = join(out, 'conformance-report.json');
    expect(existsSync(path)).toBe(true);
    const report = JSON.parse(readFileSync(path, 'utf8'));
    expect(report.verdict).toBe('not conformant');
    expect(report.targets[0].capabilitiesNote).toMatch(/answered 403 .*capabilities unknown/);
    const verdicts = new Set(report.results.map((r: { verdict: string }) => r.verdict));
    expect([...verdicts].sort()).toEqual(['failed']);
    const messages = report.results.flatMap((r: any) => (r.failures ?? []).map((f: any) => f.message)).join('\n');
    expect(messages).toMatch(/the response body is JSON/);
    expect(messages).toMatch(/timeout/i);
  }, 130_000);
});
