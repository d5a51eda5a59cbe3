import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONFIG_KEYS } from '../../harness/config/env.ts';
import type { ConformanceReport } from '../../reporters/report-model.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string | undefined>, timeout = 30_000) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'bin/conformance.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(env as Record<string, string>) },
      timeout,
      maxBuffer: 32 << 20,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    return { code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string };
  }
}

describe('npm run conformance', () => {
  test.for([
    { name: 'a base URL without credentials', env: { SCIM_BASE_URL: 'https://api.mypurecloud.com' }, message: /no credentials/ },
    { name: 'an unknown API version', env: { SCIM_API_VERSION: '1999' }, message: /SCIM_API_VERSION must be one of/ },
    {
      name: 'client credentials whose token endpoint cannot be reached',
      env: { SCIM_BASE_URL: 'http://127.0.0.1:9', SCIM_CLIENT_ID: 'a', SCIM_CLIENT_SECRET: 'b', SCIM_TOKEN_URL: 'http://127.0.0.1:9/oauth/token' },
      message: /main identity: could not reach the token endpoint/,
    },
    { name: 'a missing env file', env: {}, args: ['--dotenv', '/nonexistent/.env'], message: /does not exist/ },
    {
      name: 'an unknown --id (with close matches)',
      env: {},
      args: ['--dotenv', '/dev/null', '--id', 'USR-LST'],
      message: /^--id USR-LST: no behaviour has this id \(did you mean USR-LIST, USR-GET\?\)\n/,
    },
    { name: 'an --id of the other profile', env: { SCIM_PROFILE: 'rfc7644' }, args: ['--dotenv', '/dev/null', '--id', 'USR-LIST', '--list'], message: /belongs to the genesys profile/ },
    { name: 'a --filter that is not a regular expression', env: {}, args: ['--dotenv', '/dev/null', '--filter', 'USR-('], message: /not a regular expression/ },
    { name: 'a --file that is not a suite file', env: {}, args: ['--dotenv', '/dev/null', '--file', 'README.md'], message: /^--file README\.md: not a suite file/ },
    { name: 'a --file of the other profile', env: { SCIM_PROFILE: 'rfc7644' }, args: ['--dotenv', '/dev/null', '--file', 'suites/users/create.test.ts'], message: /not a suite file of the rfc7644 profile/ },
    {
      name: 'a token URL on another server than the base URL',
      env: { SCIM_BASE_URL: 'https://api.mypurecloud.com', SCIM_CLIENT_ID: 'a', SCIM_CLIENT_SECRET: 'b', SCIM_TOKEN_URL: 'https://login.example.org/oauth/token' },
      message: /SCIM_TOKEN_URL https:\/\/login\.example\.org\/oauth\/token is on another server than SCIM_BASE_URL/,
    },
  ])('rejects $name with one clear message and exit code 2, no stack trace', async ({ env, args, message }) => {
    const r = await cli(args ?? ['--dotenv', '/dev/null'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test('--help lists every configuration key and the selection options', async () => {
    const r = await cli(['--help'], {});
    expect(r.code).toBe(0);
    for (const key of Object.keys(CONFIG_KEYS)) expect(r.stdout).toContain(key);
    for (const option of ['--id <ID>', '--filter <pattern>', '--list']) expect(r.stdout).toContain(option);
  });
});

describe('npm run conformance -- --list', () => {
  let server: Server;
  let url: string;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  test('lists what a run with the same options would check, and why not, without sending a request', async () => {
    const env = { SCIM_BASE_URL: url, SCIM_CLIENT_ID: 'id', SCIM_CLIENT_SECRET: 'secret', SCIM_TOKEN_URL: `${url}/oauth/token` };
    const r = await cli(['--dotenv', '/dev/null', '--list', '--api-version', '2019'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(received).toEqual([]);
    expect(r.stdout).toContain('no request was sent');
    expect(r.stdout).toMatch(/^SPC-GET +MUST +2021,2019 +yes +GET serviceproviderconfig returns 200/m);
    expect(r.stdout).toMatch(/^SCH-LIST +MUST +2021 +no +.* — not documented for API version 2019 \(documented for 2021\)$/m);
    expect(r.stdout).toMatch(/^SPC-NO-PERMISSION +MUST +2021,2019 +no +.* — needs a second, limited identity/m);
    expect(r.stdout).toMatch(/^USR-LIST-TOTAL-RESULTS +MUST +2021,2019 +no +.* — creates or changes data: set SCIM_ALLOW_WRITES=true/m);
    expect(r.stdout).toMatch(/^SPC-IF-NONE-MATCH-304 .* if +.* — runs if the server's ServiceProviderConfig declares etag.supported/m);
    expect(r.stdout).not.toMatch(/^RFC-/m);
  });

  test('with --id, lists exactly those behaviours', async () => {
    const r = await cli(['--dotenv', '/dev/null', '--list', '--id', 'USR-LIST', '--id', 'spc-get'], {});
    expect(r.code, r.stderr).toBe(0);
    const listed = r.stdout.split('\n').filter((l) => /^[A-Z]+-[A-Z0-9-]+ +(MUST|SHOULD|MAY) /.test(l)).map((l) => l.split(' ')[0]);
    expect(listed.sort()).toEqual(['SPC-GET', 'USR-LIST']);
    expect(r.stdout).toContain('A narrowed run is reported as partial');
  });
});

// The rfc7644 profile keeps this run short (its suite is six files); RFC-USER-CREATE-LOCATION must not run with it.
test('a run narrowed by --id checks exactly that behaviour and is reported as partial, never conformant', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scimct-partial-'));
  const r = await cli(['--dotenv', '/dev/null', '--id', 'RFC-USER-CREATE'], { SCIM_PROFILE: 'rfc7644', SCIM_REPORT_DIR: dir }, 110_000);
  expect(r.code, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, 'conformance-report.json'), 'utf8')) as ConformanceReport;
  expect([...new Set(report.results.filter((x) => x.verdict !== 'not-run').map((x) => x.behaviour))]).toEqual(['RFC-USER-CREATE']);
  expect(report.results.find((x) => x.behaviour === 'RFC-USER-CREATE-LOCATION')?.verdict).toBe('not-run');
  expect(report.selection).toMatchObject({ partial: true, ids: ['RFC-USER-CREATE'] });
  expect(report.verdict).toBe('partial');
  expect(r.stdout).toContain('→ partial: 1 of 1 selected behaviour×prefix results passed — partial run (--id RFC-USER-CREATE): not a conformance verdict');
  expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/<testsuites name="SCIM conformance: partial: 1 of 1 selected/);
}, 120_000);

test('README and .env.example document every configuration key', () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const example = readFileSync(`${ROOT}.env.example`, 'utf8');
  const undocumented = Object.keys(CONFIG_KEYS).filter((k) => !readme.includes(k) || !example.includes(`${k}=`));
  expect(undocumented).toEqual([]);
});
