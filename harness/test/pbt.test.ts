import { describe, expect, test } from 'vitest';
import { pbtSettings, pbtTimeoutMs, requestsPerSequence } from '../config/pbt.ts';

describe('pbtSettings', () => {
  test('the embedded emulator: 100 sequences of up to 5 requests, each read back, shrinking on failure', () => {
    const s = pbtSettings({ embedded: true }, { env: {} });
    expect(s).toMatchObject({ runs: 100, maxSteps: 5, readBack: 'every-step', shrink: true, replay: false });
  });

  test("a real org and the emulator's live-org profile: 1 sequence of up to 3 requests, read back after refusals and at the end, no shrinking", () => {
    for (const target of [{ embedded: false }, { embedded: true, live: true }]) {
      expect(pbtSettings(target, { env: {} })).toMatchObject({ runs: 1, maxSteps: 3, readBack: 'refusals-and-last', shrink: false });
    }
  });

  test('SCIM_PBT_RUNS scales the sequences; a replay names seed and path and does not shrink', () => {
    expect(pbtSettings({ embedded: false }, { env: { SCIM_PBT_RUNS: '5' } }).runs).toBe(5);
    const replay = pbtSettings({ embedded: true }, { env: { SCIM_PBT_SEED: '42', SCIM_PBT_PATH: '3:1' } });
    expect(replay).toMatchObject({ seed: 42, path: '3:1', replay: true, shrink: false });
  });

  test('the budget of a real org: at most 8 requests per sequence, 8 per check and prefix', () => {
    const s = pbtSettings({ embedded: false }, { env: {} });
    expect(requestsPerSequence(s.maxSteps)).toBe(8);
    expect(s.runs * requestsPerSequence(s.maxSteps)).toBe(8);
    expect(pbtTimeoutMs(s, false)).toBeGreaterThan(8 * 1000);
  });

  test('invalid keys are configuration problems', () => {
    expect(() => pbtSettings({ embedded: false }, { env: { SCIM_PBT_RUNS: '0' } })).toThrow(/SCIM_PBT_RUNS/);
    expect(() => pbtSettings({ embedded: false }, { env: { SCIM_PBT_PATH: '1:2' } })).toThrow(/SCIM_PBT_SEED/);
  });
});
