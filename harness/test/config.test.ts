import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, tokenUrlFor } from '../config/env.ts';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('loadConfig', () => {
  test('nothing configured means the embedded emulator with both prefixes and API version 2021', () => {
    const c = loadConfig({});
    expect(c.embedded).toBe(true);
    expect(c.prefixes).toEqual(['/api/v2/scim/v2', '/api/v2/scim']);
    expect(c.apiVersion).toBe('2021');
    expect(c.allowWrites).toBe(true);
    expect(c.rateLimitPerMinute).toBe(0);
  });

  test('a remote target with client credentials and a region', () => {
    const c = loadConfig({
      SCIM_BASE_URL: 'https://api.usw2.pure.cloud/',
      SCIM_CLIENT_ID: 'id',
      SCIM_CLIENT_SECRET: 'secret-value',
      SCIM_REGION: 'usw2.pure.cloud',
      SCIM_API_VERSION: '2019',
      SCIM_PREFIXES: '/api/v2/scim',
      SCIM_LIMITED_TOKEN: 'limited-token',
      SCIM_LIMITED_PERMISSIONS: 'directory:user:view',
    });
    expect(c.embedded).toBe(false);
    expect(c.baseUrl).toBe('https://api.usw2.pure.cloud');
    expect(c.targetName).toBe('api.usw2.pure.cloud');
    expect(c.primary?.auth).toEqual({
      kind: 'client-credentials',
      clientId: 'id',
      clientSecret: 'secret-value',
      tokenUrl: 'https://login.usw2.pure.cloud/oauth/token',
    });
    expect(c.limited).toEqual({ auth: { kind: 'token', token: 'limited-token' }, permissions: ['directory:user:view'] });
    expect(c.allowWrites).toBe(false);
    expect(c.rateLimitPerMinute).toBe(300);
    expect(c.prefixes).toEqual(['/api/v2/scim']);
  });

  test('region hosts are normalised to the login host', () => {
    expect(tokenUrlFor('mypurecloud.com')).toBe('https://login.mypurecloud.com/oauth/token');
    expect(tokenUrlFor('api.mypurecloud.de')).toBe('https://login.mypurecloud.de/oauth/token');
  });

  test.for([
    { name: 'base URL without credentials', env: { SCIM_BASE_URL: 'https://api.mypurecloud.com' }, problem: /no credentials/ },
    { name: 'base URL that is not a URL', env: { SCIM_BASE_URL: 'api.mypurecloud.com', SCIM_TOKEN: 't' }, problem: /absolute URL/ },
    { name: 'base URL with a path', env: { SCIM_BASE_URL: 'https://x.test/api/v2/scim', SCIM_TOKEN: 't' }, problem: /SCIM_PREFIXES/ },
    { name: 'unknown API version', env: { SCIM_API_VERSION: '2024' }, problem: /SCIM_API_VERSION must be one of 2021, 2019/ },
    { name: 'client id without secret', env: { SCIM_BASE_URL: 'https://x.test', SCIM_CLIENT_ID: 'a', SCIM_REGION: 'mypurecloud.com' }, problem: /must be set together/ },
    { name: 'client credentials without region', env: { SCIM_BASE_URL: 'https://x.test', SCIM_CLIENT_ID: 'a', SCIM_CLIENT_SECRET: 'b' }, problem: /SCIM_REGION/ },
    { name: 'token and client credentials', env: { SCIM_BASE_URL: 'https://x.test', SCIM_TOKEN: 't', SCIM_CLIENT_ID: 'a', SCIM_CLIENT_SECRET: 'b' }, problem: /not both/ },
    { name: 'prefix without slash', env: { SCIM_PREFIXES: 'api/v2/scim' }, problem: /start with "\/"/ },
    { name: 'bad boolean', env: { SCIM_BASE_URL: 'https://x.test', SCIM_TOKEN: 't', SCIM_ALLOW_WRITES: 'sure' }, problem: /true or false/ },
    { name: 'bad rate limit', env: { SCIM_RATE_LIMIT: '-5' }, problem: /SCIM_RATE_LIMIT/ },
    { name: 'credentials without a base URL', env: { SCIM_TOKEN: 't' }, problem: /SCIM_BASE_URL is not/ },
    { name: 'malformed permission', env: { SCIM_BASE_URL: 'https://x.test', SCIM_TOKEN: 't', SCIM_LIMITED_TOKEN: 'u', SCIM_LIMITED_PERMISSIONS: 'edit' }, problem: /directory:user:edit/ },
  ])('rejects $name with a clear message', ({ env, problem }) => {
    const problems = problemsOf(env);
    expect(problems.some((p) => problem.test(p)), problems.join('\n')).toBe(true);
  });

  test('reports every problem at once', () => {
    const problems = problemsOf({ SCIM_API_VERSION: 'x', SCIM_RATE_LIMIT: 'y', SCIM_PREFIXES: 'z' });
    expect(problems).toHaveLength(3);
  });
});

describe('the token URL receives the client secret: only the tested server, or the one Genesys pairs with it', () => {
  const cc = (base: string, token: Record<string, string | undefined>) => ({ SCIM_BASE_URL: base, SCIM_CLIENT_ID: 'id', SCIM_CLIENT_SECRET: 'secret', ...token });

  test.for([
    { name: 'the same host and port', base: 'http://127.0.0.1:4010', url: 'http://127.0.0.1:4010/oauth/token' },
    { name: 'the same host on another port', base: 'http://scim.example.com:8443', url: 'https://scim.example.com/oauth/token' },
    { name: 'two loopback names', base: 'http://localhost:4010', url: 'http://127.0.0.1:9000/oauth/token' },
    { name: 'the Genesys pairing api.<region> / login.<region>', base: 'https://api.mypurecloud.com', url: 'https://login.mypurecloud.com/oauth/token' },
    { name: 'host names differing only in case', base: 'https://API.usw2.pure.cloud', url: 'https://login.USW2.pure.cloud/oauth/token' },
  ])('allows $name', ({ base, url }) => {
    expect(problemsOf(cc(base, { SCIM_TOKEN_URL: url }))).toEqual([]);
  });

  test('allows a region matching the base URL', () => {
    expect(problemsOf(cc('https://api.usw2.pure.cloud', { SCIM_REGION: 'usw2.pure.cloud' }))).toEqual([]);
  });

  test.for([
    { name: 'an unrelated host', base: 'https://api.mypurecloud.com', token: { SCIM_TOKEN_URL: 'https://evil.example/oauth/token' } },
    { name: 'the login host of another region', base: 'https://api.mypurecloud.com', token: { SCIM_TOKEN_URL: 'https://login.mypurecloud.de/oauth/token' } },
    { name: 'a region that is not the base URL\'s', base: 'https://api.mypurecloud.com', token: { SCIM_REGION: 'usw2.pure.cloud' } },
    { name: 'a Genesys region for a non-Genesys server', base: 'http://127.0.0.1:4010', token: { SCIM_REGION: 'mypurecloud.com' } },
    { name: 'a sibling host that is not the Genesys pairing', base: 'https://scim.example.com', token: { SCIM_TOKEN_URL: 'https://login.example.com/token' } },
    { name: 'a host that only ends like the base host', base: 'https://api.mypurecloud.com', token: { SCIM_TOKEN_URL: 'https://login.mypurecloud.com.evil.example/oauth/token' } },
  ])('refuses $name, in one message naming both servers', ({ base, token }) => {
    const problems = problemsOf(cc(base, token));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/is on another server than SCIM_BASE_URL .*: the client secret would be sent to .*SCIM_TRUST_TOKEN_URL=true/);
  });

  test('SCIM_TRUST_TOKEN_URL=true accepts an identity provider elsewhere on purpose; a bearer token needs no token URL', () => {
    expect(problemsOf(cc('https://scim.example.com', { SCIM_TOKEN_URL: 'https://idp.example.org/token', SCIM_TRUST_TOKEN_URL: 'true' }))).toEqual([]);
    expect(problemsOf({ SCIM_BASE_URL: 'https://scim.example.com', SCIM_TOKEN: 't', SCIM_TOKEN_URL: 'https://idp.example.org/token' })).toEqual([]);
    expect(problemsOf(cc('https://scim.example.com', { SCIM_TOKEN_URL: 'https://scim.example.com/t', SCIM_TRUST_TOKEN_URL: 'maybe' }))).toEqual(['SCIM_TRUST_TOKEN_URL must be true or false (got "maybe")']);
  });
});
