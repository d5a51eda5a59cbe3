/**
 * Bounded fuzzing of every endpoint (emulator/fuzz/cases.ts): no 5xx, every error a SCIM error body with a detail,
 * every answer within TIME_BOUND_MS. A failure prints the fast-check seed and path, and the shrunk request; replay
 * it with FUZZ_SEED=<seed> FUZZ_PATH=<path>. FUZZ_RUNS changes the number of cases per target. The long run is
 * `npm run fuzz` (bench/fuzz.ts).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeCase, printableFuzzCase } from '../fuzz/cases.ts';
import { fuzzTarget, judge, send, type FuzzTarget } from '../fuzz/drive.ts';
import { startEmulator } from '../server.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const seedParams = (): fc.Parameters<unknown> => ({
  numRuns: RUNS,
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
  endOnFailure: false,
});

describe.for([
  { name: 'API 2021, contract mode on', options: { apiVersion: '2021' as const, contract: { enabled: true } } },
  { name: 'API 2019', options: { apiVersion: '2019' as const } },
])('fuzzing the emulator ($name)', ({ options }) => {
  let target: FuzzTarget;
  beforeAll(async () => {
    target = await fuzzTarget(await startEmulator({ ...options, rateLimitPerMinute: 0 }));
  });
  afterAll(async () => {
    await target?.close();
    await target?.emu.close();
  });

  test('malformed requests to every endpoint: no 5xx, SCIM error bodies with a detail, answered in time', async () => {
    const details = await fc.check(
      fc.asyncProperty(printableFuzzCase, async (c) => {
        const problems = judge(c, await send(target, c));
        if (problems.length > 0) throw new Error(`${describeCase(c)}\n  ${problems.join('\n  ')}`);
      }),
      seedParams(),
    );
    if (details.failed) {
      const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} npx vitest run emulator/test/fuzz.test.ts`;
      expect.fail(`${fc.defaultReportMessage(details)}\nReplay: ${replay}`);
    }
  }, 120_000);
});
