/**
 * The whole path as a user runs it against a remote target: the CLI with client credentials, a
 * limited identity, writes allowed, run against an emulator started here. Then the artifacts are
 * checked: the report validates against its schema, its integrity hash verifies (and catches an edit),
 * no canary secret (token, client secret, user password) appears in any artifact or in the console,
 * and the HTML report renders its matrix in headless Chromium.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/server.ts';
import { verifyReport, type ConformanceReport } from '../../reporters/report-model.ts';
import { embeddedOrgFixtures } from '../paths.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

let emu: RunningEmulator;
let outDir: string;
let token: string;
let cli: { code: number; stdout: string; stderr: string };
const canaryPassword = `Canary-Pw-${Math.random().toString(36).slice(2, 10)}!`;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

beforeAll(async () => {
  emu = await startEmulator({ rateLimitPerMinute: 0 });
  const admin = emu.clients.find((c) => c.name === 'admin')!;
  const none = emu.clients.find((c) => c.name === 'none')!;
  const res = await fetch(`${emu.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  token = (await res.json()).access_token;
  outDir = mkdtempSync(join(tmpdir(), 'scimct-e2e-'));
  const org = embeddedOrgFixtures();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    SCIM_BASE_URL: emu.url,
    SCIM_TOKEN: token,
    SCIM_TOKEN_URL: `${emu.url}/oauth/token`,
    SCIM_LIMITED_CLIENT_ID: none.clientId,
    SCIM_LIMITED_CLIENT_SECRET: none.clientSecret,
    SCIM_ALLOW_WRITES: 'true',
    SCIM_RATE_LIMIT: '0',
    SCIM_TARGET_NAME: 'e2e-canary',
    SCIM_REPORT_DIR: outDir,
    SCIM_USER_PASSWORD: canaryPassword,
    ...(org.groupId ? { SCIM_ORG_GROUP_ID: org.groupId } : {}),
    ...(org.nonScimGroupId ? { SCIM_ORG_NON_SCIM_GROUP_ID: org.nonScimGroupId } : {}),
    ...(org.division ? { SCIM_ORG_DIVISION: org.division } : {}),
    ...(org.role ? { SCIM_ORG_ROLE: org.role } : {}),
    ...(org.routingSkill ? { SCIM_ORG_ROUTING_SKILL: org.routingSkill } : {}),
    ...(org.routingLanguage ? { SCIM_ORG_ROUTING_LANGUAGE: org.routingLanguage } : {}),
  };
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'bin/conformance.ts', '--dotenv', '/dev/null', '--workers', '2'], { cwd: ROOT, env, timeout: 170_000, maxBuffer: 64 << 20 });
    cli = { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    cli = { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}, 180_000);

afterAll(async () => {
  await emu?.close();
});

function report(): ConformanceReport {
  return JSON.parse(readFileSync(join(outDir, 'conformance-report.json'), 'utf8'));
}

describe('a run against a remote-style target', () => {
  test('passes against a conformant target with exit code 0', () => {
    expect(cli.code, `${cli.stdout.slice(-3000)}\n${cli.stderr.slice(-2000)}`).toBe(0);
    expect(report().verdict).toBe('conformant');
    expect(report().summary.failed).toBe(0);
    expect(report().requests.sent).toBeGreaterThan(50);
  });

  test('writes a report that validates against its JSON Schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (a: Ajv) => void;
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/reports/conformance-report.schema.json'), 'utf8'));
    const validate = ajv.compile(schema);
    const ok = validate(report());
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5))).toEqual([]);
    expect(ok).toBe(true);
  });

  test('the integrity hash verifies, and an edited report does not', () => {
    const r = report();
    expect(verifyReport(r).ok).toBe(true);
    const edited = structuredClone(r);
    edited.results[0].verdict = edited.results[0].verdict === 'passed' ? 'failed' : 'passed';
    expect(verifyReport(edited).ok).toBe(false);
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bin/verify-report.ts', join(outDir, 'conformance-report.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toMatch(/^OK: /);
  });

  test('also writes JUnit XML, Markdown, HTML and allure results', () => {
    for (const f of ['junit.xml', 'conformance-report.md', 'conformance-report.html']) expect(existsSync(join(outDir, f)), f).toBe(true);
    const junit = readFileSync(join(outDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="SCIM conformance: conformant" tests="\d+"/);
    expect(Number(/<testsuites [^>]*tests="(\d+)"/.exec(junit)?.[1])).toBe(report().results.reduce((n, r) => n + (r.cases?.length ?? 0), 0));
    expect(filesUnder(join(outDir, 'allure-results')).some((f) => f.endsWith('-result.json'))).toBe(true);
  });

  test('leaves no canary secret in any artifact or in the console output', () => {
    const canaries = { token, clientSecret: emu.clients.find((c) => c.name === 'none')!.clientSecret, password: canaryPassword };
    const places: [string, string][] = [
      ['console', `${cli.stdout}\n${cli.stderr}`],
      ...filesUnder(outDir).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
      ...filesUnder(join(ROOT, 'reports/.ledger/e2e-canary')).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
    ];
    const leaks = places.flatMap(([where, text]) => Object.entries(canaries).filter(([, v]) => text.includes(v)).map(([k]) => `${k} in ${where}`));
    expect(leaks).toEqual([]);
    // The password was really sent (and redacted in the recorded exchanges), so the check is not vacuous.
    const attachments = filesUnder(join(outDir, 'allure-results')).filter((f) => f.endsWith('-attachment.txt')).map((f) => readFileSync(f, 'utf8'));
    expect(attachments.some((a) => a.includes('"password":"<redacted>"'))).toBe(true);
    expect(attachments.some((a) => a.includes('authorization: Bearer <redacted>'))).toBe(true);
  });

  test.skipIf(!CHROMIUM && !process.env.CI)('the HTML report renders its matrix in headless Chromium (screenshot saved)', () => {
    expect(CHROMIUM, 'install Chromium (apt-get install chromium)').toBeDefined();
    const html = join(outDir, 'conformance-report.html');
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chromium-'))}`];
    const dom = execFileSync(CHROMIUM!, [...flags, '--dump-dom', `file://${html}`], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const rendered = Number(/data-rendered="(\d+)"/.exec(dom)?.[1] ?? 0);
    expect(rendered).toBeGreaterThan(30);
    expect(dom).toMatch(/<td class="c passed" data-prefix="\/api\/v2\/scim(\/v2)?" title="[^"]*">pass<\/td>/);
    expect(dom).toContain('id="verdict" class="verdict v-conformant"');
    const shot = join(ROOT, 'reports', 'conformance-report.png');
    execFileSync(CHROMIUM!, [...flags, `--screenshot=${shot}`, '--window-size=1280,1600', `file://${html}`], { timeout: 60_000, stdio: 'ignore' });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    // Two Chromium runs of up to 60 s each: the default 5 s test timeout fails it on a loaded machine.
  }, 150_000);
});
