import { describe, expect, test } from 'vitest';
import { redactBodyText, redactHeaders, redactJson, redactText, registerSecret, REDACTED } from '../runtime/redact.ts';

describe('redaction', () => {
  test('masks credentials in headers but keeps the scheme', () => {
    expect(redactHeaders({ Authorization: 'Bearer abc.def', Accept: 'application/json' })).toEqual({
      authorization: `Bearer ${REDACTED}`,
      accept: 'application/json',
    });
    expect(redactHeaders({ cookie: 'sid=1' }).cookie).toBe(REDACTED);
  });

  test.for([
    { name: 'password', body: { userName: 'a', password: 'hunter22' }, masked: 'password' },
    { name: 'client_secret', body: { client_secret: 's3cr3t!' }, masked: 'client_secret' },
    { name: 'access_token', body: { access_token: 'tok', expires_in: 1 }, masked: 'access_token' },
    { name: 'nested password in a PATCH value', body: { Operations: [{ op: 'replace', value: { password: 'x' } }] }, masked: 'password' },
  ])('masks $name in JSON bodies', ({ body, masked }) => {
    const text = redactBodyText(JSON.stringify(body), 'application/json');
    expect(text).toContain(REDACTED);
    expect(text).toContain(masked);
    const original = JSON.stringify(body).match(new RegExp(`"${masked}":"([^"]+)"`))?.[1];
    if (original) expect(text).not.toContain(`"${original}"`);
  });

  test('masks form-encoded secrets', () => {
    expect(redactBodyText('grant_type=client_credentials&client_secret=abc123', 'application/x-www-form-urlencoded')).toBe(
      `grant_type=client_credentials&client_secret=${encodeURIComponent(REDACTED)}`,
    );
  });

  test('removes registered secrets wherever they appear', () => {
    registerSecret('canary-3f9a1c7e');
    expect(redactText('echo canary-3f9a1c7e twice canary-3f9a1c7e')).toBe(`echo ${REDACTED} twice ${REDACTED}`);
    expect(redactJson({ detail: 'token canary-3f9a1c7e is invalid' })).toEqual({ detail: `token ${REDACTED} is invalid` });
  });

  test('leaves ordinary values alone', () => {
    const user = { userName: 'a@b.test', active: true, emails: [{ value: 'a@b.test' }] };
    expect(redactJson(user)).toEqual(user);
  });
});
