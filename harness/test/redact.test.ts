import { describe, expect, test } from 'vitest';
import { isSecretKey, redactBodyText, redactHeaders, redactJson, redactText, registerSecret, REDACTED } from '../runtime/redact.ts';

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

  test.for([
    'password', 'userPassword', 'new_password', 'passwd', 'secret', 'client_secret', 'clientSecret', 'Client-Secret',
    'token', 'access_token', 'refreshToken', 'id_token', 'apiKey', 'api_key', 'x-api-key', 'privateKey', 'authorization',
    'client_assertion', 'credentials',
  ])('treats the key %s as a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
    expect(redactJson({ [key]: 'sensitive-value-1' })).toEqual({ [key]: REDACTED });
  });

  test.for(['code', 'tokenType', 'token_type', 'tokenUrl', 'expires_in', 'passive', 'compass', 'secretQuestion', 'scimType', 'userName', 'status', 'detail'])(
    'keeps the harmless key %s',
    (key) => {
      expect(isSecretKey(key)).toBe(false);
      expect(redactJson({ [key]: 'visible-value-1' })).toEqual({ [key]: 'visible-value-1' });
      expect(redactBodyText(`${key}=visible`, 'application/x-www-form-urlencoded')).toBe(`${key}=visible`);
    },
  );

  test('keeps a harmless object under a secret-looking key and masks only the secret leaves', () => {
    const spc = { changePassword: { supported: true }, error: { code: 'E42', detail: 'no' } };
    expect(redactJson(spc)).toEqual(spc);
    expect(redactJson({ token_type: 'bearer', access_token: 'abc.def', expires_in: 3600 })).toEqual({ token_type: 'bearer', access_token: REDACTED, expires_in: 3600 });
  });

  test('leaves ordinary values alone', () => {
    const user = { userName: 'a@b.test', active: true, emails: [{ value: 'a@b.test' }] };
    expect(redactJson(user)).toEqual(user);
  });
});
