import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../config/env.ts';
import { rowPrefix } from '../runtime/behaviour/register.ts';

const PREFIXES = ['/api/v2/scim/v2', '/api/v2/scim'];
const REMOTE = { SCIM_BASE_URL: 'https://api.mypurecloud.com', SCIM_TOKEN: 't' };

describe('SCIM_CASES: which case-table rows each prefix sends', () => {
  test.for([
    { name: 'the ideal embedded emulator sends every row under every prefix', env: {}, cases: 'all' },
    { name: 'the live-org profile spreads the rows (judged like a real org)', env: { SCIM_EMULATOR_PROFILE: 'live' }, cases: 'spread' },
    { name: 'a real org spreads the rows', env: REMOTE, cases: 'spread' },
    { name: 'a real org asked for all rows sends all', env: { ...REMOTE, SCIM_CASES: 'all' }, cases: 'all' },
    { name: 'the emulator asked to spread spreads', env: { SCIM_CASES: 'spread' }, cases: 'spread' },
  ])('$name', ({ env, cases }) => {
    expect(loadConfig(env).cases).toBe(cases);
  });

  test('any other value is a configuration error naming the key', () => {
    expect(() => loadConfig({ SCIM_CASES: 'some' })).toThrow(ConfigError);
    try {
      loadConfig({ SCIM_CASES: 'some' });
    } catch (e) {
      expect((e as ConfigError).problems.join('\n')).toContain('SCIM_CASES must be all or spread (got "some")');
    }
  });
});

describe('rowPrefix: every row sent once per run, every behaviour judged under each prefix', () => {
  test('the rows are shared out over the prefixes in turn', () => {
    expect([0, 1, 2, 3, 4].map((i) => rowPrefix(PREFIXES, i, 5))).toEqual([PREFIXES[0], PREFIXES[1], PREFIXES[0], PREFIXES[1], PREFIXES[0]]);
  });

  test.for([2, 3, 7, 12])('%i rows: each prefix sends at least one, and every row is sent exactly once', (rows) => {
    const under = Array.from({ length: rows }, (_, i) => rowPrefix(PREFIXES, i, rows));
    for (const prefix of PREFIXES) expect(under.filter((p) => p === prefix).length).toBeGreaterThanOrEqual(1);
    expect(under.every((p) => p !== undefined)).toBe(true);
  });

  test('a table of one row, or a single prefix: every row under every prefix', () => {
    expect(rowPrefix(PREFIXES, 0, 1)).toBeUndefined();
    expect([0, 1, 2].map((i) => rowPrefix(['/scim/v2'], i, 3))).toEqual([undefined, undefined, undefined]);
  });
});
