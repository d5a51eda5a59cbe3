import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { CONFIG_KEYS } from '../../harness/config/env.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string | undefined>) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'bin/conformance.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(env as Record<string, string>) },
      timeout: 30_000,
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
  ])('rejects $name with one clear message and exit code 2, no stack trace', async ({ env, args, message }) => {
    const r = await cli(args ?? ['--dotenv', '/dev/null'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test('--help lists every configuration key', async () => {
    const r = await cli(['--help'], {});
    expect(r.code).toBe(0);
    for (const key of Object.keys(CONFIG_KEYS)) expect(r.stdout).toContain(key);
  });
});

test('README and .env.example document every configuration key', () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const example = readFileSync(`${ROOT}.env.example`, 'utf8');
  const undocumented = Object.keys(CONFIG_KEYS).filter((k) => !readme.includes(k) || !example.includes(`${k}=`));
  expect(undocumented).toEqual([]);
});
