import { describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../harness/config/catalogue.ts';
import { loadConfig } from '../../harness/config/env.ts';
import { closeMatches, plan, resolveIds, SelectionError, testNamePattern } from '../selection.ts';

const ids = loadCatalogue().map((b) => b.id);

describe('--id', () => {
  test('selects by exact id: [ID] in the test name, not every id that starts with it', () => {
    const pattern = new RegExp(testNamePattern(['USR-LIST'])!);
    expect(pattern.test('/api/v2/scim [USR-LIST] returns a list')).toBe(true);
    expect(pattern.test('/api/v2/scim [USR-LIST-DEFAULT-ACTIVE] returns active users')).toBe(false);
    const two = new RegExp(testNamePattern(['USR-LIST', 'RT-GET'])!);
    expect(two.test('/api/v2/scim [RT-GET] returns the resource type › User')).toBe(true);
    expect(two.test('/api/v2/scim [RT-GET-UNKNOWN-404] …')).toBe(false);
  });

  test('with --filter, a test must match both', () => {
    const both = new RegExp(testNamePattern(['RT-GET'], 'Group$')!);
    expect(both.test('/p [RT-GET] returns the resource type › Group')).toBe(true);
    expect(both.test('/p [RT-GET] returns the resource type › User')).toBe(false);
    expect(both.test('/p [GRP-GET] returns the Group')).toBe(false);
    expect(testNamePattern([], 'USR-')).toBe('USR-');
    expect(testNamePattern([])).toBeUndefined();
  });

  test('resolves ids case-insensitively, and refuses unknown ids and ids of the other profile in one message', () => {
    expect(resolveIds(['usr-list', 'USR-LIST'], 'genesys').map((b) => b.id)).toEqual(['USR-LIST']);
    let error: unknown;
    try {
      resolveIds(['USR-LST', 'RFC-USER-GET', 'SPC-GET'], 'genesys');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SelectionError);
    expect((error as Error).message.split('\n')).toEqual([
      '--id USR-LST: no behaviour has this id (did you mean USR-LIST, USR-GET?)',
      '--id RFC-USER-GET: RFC-USER-GET belongs to the rfc7644 profile, and this run checks the genesys profile (SCIM_PROFILE)',
    ]);
  });

  test('suggests close ids: a typo, a missing suffix, a stem', () => {
    expect(closeMatches('SPC-GTE', ids)[0]).toBe('SPC-GET');
    expect(closeMatches('USR-PATCH-MODL', ids)[0]).toBe('USR-PATCH-MODEL');
    expect(closeMatches('SCH-LIST-FILTER', ids)).toContain('SCH-LIST-FILTER-403');
    expect(closeMatches('NOTHING-LIKE-IT-AT-ALL', ids)).toEqual([]);
  });
});

describe('--list', () => {
  test('says which behaviours would run against the embedded emulator, and why the others would not', () => {
    const rows = plan(loadConfig({}));
    const of = (id: string) => rows.find((r) => r.behaviour.id === id)!;
    expect(of('SPC-GET')).toMatchObject({ status: 'yes' });
    // the emulator has a limited identity and allows writes: permission and write checks run
    expect(of('SPC-NO-PERMISSION').status).toBe('yes');
    expect(of('USR-LIST-FILTER-REQUIRED')).toMatchObject({ status: 'no', why: 'not documented for API version 2021 (documented for 2019)' });
    expect(rows.some((r) => r.behaviour.id.startsWith('RFC-'))).toBe(false);
  });

  test('against a remote target: configuration skips, and ServiceProviderConfig features only the server can tell', () => {
    const config = loadConfig({ SCIM_BASE_URL: 'https://api.example.com', SCIM_TOKEN: 't', SCIM_API_VERSION: '2019' });
    const rows = plan(config);
    const of = (id: string) => rows.find((r) => r.behaviour.id === id)!;
    expect(of('SPC-NO-PERMISSION')).toMatchObject({ status: 'no', why: expect.stringMatching(/^needs a second, limited identity/) });
    expect(of('SCH-LIST')).toMatchObject({ status: 'no', why: 'not documented for API version 2019 (documented for 2021)' });
    expect(of('SPC-IF-NONE-MATCH-304')).toMatchObject({ status: 'if', why: expect.stringContaining('etag.supported') });
    expect(rows.filter((r) => r.behaviour.requires?.includes('writes')).every((r) => r.status === 'no')).toBe(true);
    expect(plan(config, { ids: ['SPC-GET'] }).map((r) => r.behaviour.id)).toEqual(['SPC-GET']);
  });
});
