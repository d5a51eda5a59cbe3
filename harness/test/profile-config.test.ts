import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../config/env.ts';
import { collectionPath } from '../config/target.ts';

const base = { SCIM_TOKEN: 't' };

describe('SCIM_PROFILE', () => {
  test('genesys by default: scheme + host only', () => {
    const c = loadConfig({ ...base, SCIM_BASE_URL: 'https://api.mypurecloud.com' });
    expect(c.profile).toBe('genesys');
    expect(c.strict).toBe(false);
    expect(() => loadConfig({ ...base, SCIM_BASE_URL: 'https://h.example/scim/v2' })).toThrow(/SCIM_PROFILE=rfc7644/);
  });

  test('rfc7644: SCIM_BASE_URL is the SCIM root, its path the one prefix', () => {
    const c = loadConfig({ ...base, SCIM_PROFILE: 'rfc7644', SCIM_BASE_URL: 'https://h.example/scim/v2/' });
    expect(c).toMatchObject({ profile: 'rfc7644', baseUrl: 'https://h.example', prefixes: ['/scim/v2'] });
    expect(loadConfig({ ...base, SCIM_PROFILE: 'rfc7644', SCIM_BASE_URL: 'http://127.0.0.1:9000' }).prefixes).toEqual(['']);
    expect(loadConfig({ SCIM_PROFILE: 'rfc7644' })).toMatchObject({ embedded: true, prefixes: ['/api/v2/scim/v2'] });
  });

  test('rfc7644 rejects SCIM_PREFIXES and an unknown profile; SCIM_STRICT is a boolean', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems({ ...base, SCIM_PROFILE: 'rfc7644', SCIM_BASE_URL: 'https://h/scim', SCIM_PREFIXES: '/x' }).join()).toMatch(/SCIM_PREFIXES does not apply/);
    expect(problems({ SCIM_PROFILE: 'rfc9999' }).join()).toMatch(/SCIM_PROFILE must be one of genesys, rfc7644/);
    expect(problems({ SCIM_STRICT: 'maybe' }).join()).toMatch(/SCIM_STRICT must be true or false/);
    expect(loadConfig({ SCIM_STRICT: 'true' }).strict).toBe(true);
  });

  test('resource collections are the RFC endpoints in the rfc7644 profile', () => {
    expect(collectionPath({ profile: 'rfc7644' }, 'users')).toBe('/Users');
    expect(collectionPath({ profile: 'rfc7644' }, 'groups')).toBe('/Groups');
    expect(collectionPath({}, 'users')).toBe('/users');
  });
});
