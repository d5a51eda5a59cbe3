/**
 * Hardening against hostile or sloppy input: pathological PATCH paths, request size limits, parser-level errors.
 * Time bounds here are catastrophic-backtracking guards (generous), not performance assertions.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolvePatchPath } from '../domain/patch.ts';
import { GROUP_SCHEMA, USER_SCHEMA } from '../domain/schema.ts';
import { SEED } from '../domain/test-support.ts';
import { PATCH_OP_URN } from '../http-types.ts';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { call, ERROR_URN, tokenFor, V2 } from './helpers.ts';

const GUARD_MS = 2000;
const SIZE = Number(process.env.HARDENING_PATH_SIZE ?? 500_000);

let emu: RunningEmulator;
let admin: string;
beforeAll(async () => {
  emu = await startEmulator({ rateLimitPerMinute: 0 });
  admin = await tokenFor(emu, 'admin');
});
afterAll(() => emu?.close());

const patch = (id: string, ops: unknown[]) =>
  call(emu, 'PATCH', `${V2}/users/${id}`, {
    token: admin,
    headers: { 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: [PATCH_OP_URN], Operations: ops }),
  });

/** Pathological PATCH paths (each ~SIZE characters), the shapes that make backtracking regexes blow up. */
const PATHOLOGICAL: Record<string, string> = {
  'spaces inside a value filter': `emails[type eq w${' '.repeat(SIZE)}x]`,
  'a value filter without its closing bracket': `emails[type eq ${'a '.repeat(SIZE / 2)}`,
  'many opening brackets': `emails[${'['.repeat(SIZE)}`,
  'many closing brackets then text': `emails[${']'.repeat(SIZE)}x`,
  'a very long attribute name': `${'a'.repeat(SIZE)}!`,
  'dotted segments': `emails[type eq "a"]${'.a'.repeat(SIZE / 2)}`,
  'double quotes (escaped in JSON, so half as many)': `emails[type eq ${'"'.repeat(SIZE / 2)}]`,
  'single quotes': `emails[type eq ${"'".repeat(SIZE)}]`,
  'spaces between name and operator': `emails[type${' '.repeat(SIZE)}`,
};

describe('PATCH path parsing is linear', () => {
  test.for(Object.entries(PATHOLOGICAL))('%s: a ~500 KB path over HTTP is answered 400 quickly', async ([, path]) => {
    const t0 = performance.now();
    const res = await patch(SEED.alice, [{ op: 'replace', path, value: 'x' }]);
    const ms = performance.now() - t0;
    expect(res.status).toBe(400);
    expect(res.json.schemas).toEqual([ERROR_URN]);
    expect(res.json.detail).toEqual(expect.any(String));
    expect(ms).toBeLessThan(GUARD_MS);
  });

  // Below the HTTP layer's path length limit: the resolver itself must be linear.
  test.for(Object.entries(PATHOLOGICAL))('%s: the path resolver itself is quick on it', ([, path]) => {
    for (const schema of [USER_SCHEMA, GROUP_SCHEMA]) {
      const t0 = performance.now();
      try {
        resolvePatchPath(schema, path);
      } catch {
        // valid or not does not matter here
      }
      expect(performance.now() - t0).toBeLessThan(GUARD_MS);
    }
  });
});

