/**
 * Answers at the edges of HTTP: what Node's parser refuses before any route runs (sent over raw sockets, since
 * no HTTP client sends such bytes), empty bodies that carry a Content-Type, and OAuth errors: every one a SCIM
 * error body.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SEED } from '../domain/test-support.ts';
import { rawExchange } from '../fuzz/drive.ts';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { basic, call, ERROR_URN, tokenFor, V1, V2 } from './helpers.ts';

let emu: RunningEmulator;
let admin: string;
beforeAll(async () => {
  emu = await startEmulator({ rateLimitPerMinute: 0 });
  admin = await tokenFor(emu, 'admin');
  AUTH = `Authorization: Bearer ${admin}\r\n`;
});
afterAll(() => emu?.close());

/** Raw bytes on a fresh connection, read until the server closes it. */
const raw = (bytes: string | Buffer) => rawExchange(emu.port, bytes);

const HOST = 'Host: 127.0.0.1\r\n';
/** Set once the token is known: body errors only surface after authentication. */
let AUTH = '';

describe('parser-level errors are SCIM error bodies', () => {
  test.for<[string, string | Buffer | (() => string), number, RegExp]>([
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400, /not valid/],
    ['an unknown method', `BREW ${V2}/users HTTP/1.1\r\n${HOST}\r\n`, 400, /method is not valid/],
    ['a request target that is not a path', `GET users HTTP/1.1\r\n${HOST}\r\n`, 400, /not a valid URL/],
    ['a bad HTTP version', `GET ${V2}/users HTTP/7.3\r\n${HOST}\r\n`, 400, /HTTP version|not valid/],
    ['headers over 16 KB', `GET ${V2}/users HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, /exceed the 16 KB/],
    ['a request line over 16 KB', `GET ${V2}/users?filter=${'a'.repeat(20_000)} HTTP/1.1\r\n${HOST}\r\n`, 431, /exceed the 16 KB/],
    ['a header name with a space', `GET ${V2}/users HTTP/1.1\r\n${HOST}Bad Header: x\r\n\r\n`, 400, /header name or value/],
    ['a header value with a control character', `GET ${V2}/users HTTP/1.1\r\n${HOST}X-A: a\u0001b\r\n\r\n`, 400, /header name or value/],
    ['a bad Content-Length', `POST ${V2}/users HTTP/1.1\r\n${HOST}Content-Length: ten\r\n\r\n`, 400, /Content-Length/],
    ['Content-Length and chunked together', `POST ${V2}/users HTTP/1.1\r\n${HOST}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, /both sent|not valid/],
    ['a bad chunk size', () => `POST ${V2}/users HTTP/1.1\r\n${HOST}${AUTH}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`, 400, /chunk size/],
    ['an unknown transfer coding', () => `POST ${V2}/users HTTP/1.1\r\n${HOST}${AUTH}Transfer-Encoding: chunked, gzip\r\n\r\n`, 400, /Transfer-Encoding|not valid/],
    ['bare LF line ends', `GET ${V2}/users HTTP/1.1\n${HOST.trim()}\nX-A: b\n\n`, 400, /CRLF|not valid/],
    ['binary noise', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a]), 400, /not valid/],
  ])('%s', async ([, bytes, status, detail]) => {
    const res = await raw(typeof bytes === 'function' ? bytes() : bytes);
    expect(res.status).toBe(status);
    expect(res.contentType).toBe('application/scim+json; charset=utf-8');
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(res.body));
    expect(res.headers.get('connection')).toBe('close');
    expect(res.error).toBeUndefined(); // the server closed the connection (no 10 s timeout)
    const body = JSON.parse(res.body);
    expect(body.schemas).toEqual([ERROR_URN]);
    expect(body.status).toBe(String(status));
    expect(body.detail).toMatch(detail);
  });

  test('the server keeps serving after them', async () => {
    await raw('GARBAGE\r\n\r\n');
    const res = await call(emu, 'GET', `${V2}/serviceproviderconfig`, { token: admin });
    expect(res.status).toBe(200);
  });
});

describe('an empty body with a Content-Type is no body', () => {
  test.for([
    ['text/plain', undefined],
    ['application/x-www-form-urlencoded', '0'],
    ['application/octet-stream; charset=binary', '0'],
    [';;;not a media type', undefined],
    ['application/scim+json', '0'],
  ] as const)('DELETE with Content-Type %s (Content-Length %s) deletes', async ([type, length]) => {
    const created = await call(emu, 'POST', `${V2}/users`, {
      token: admin,
      headers: { 'content-type': 'application/scim+json' },
      body: JSON.stringify({ userName: `del-${type.length}-${length}@example.com`, displayName: 'Del' }),
    });
    expect(created.status).toBe(201);
    const headers: Record<string, string> = { 'content-type': type };
    if (length !== undefined) headers['content-length'] = length;
    const res = await call(emu, 'DELETE', `${V1}/users/${created.json.id}`, { token: admin, headers });
    expect(res.status, res.text).toBe(204);
  });

  test('GET with a Content-Type and no body is served', async () => {
    const res = await call(emu, 'GET', `${V2}/users/${SEED.alice}`, { token: admin, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
  });

  test('a 405 stays a 405 (not a 415) without a body', async () => {
    const res = await call(emu, 'DELETE', `${V2}/users`, { token: admin, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(405);
  });

  test('a body of an unsupported type is still a 415', async () => {
    const res = await call(emu, 'DELETE', `${V2}/users/${SEED.bob}`, { token: admin, headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(415);
    expect(res.json.schemas).toEqual([ERROR_URN]);
    expect((await call(emu, 'GET', `${V2}/users/${SEED.bob}`, { token: admin })).status).toBe(200);
  });

  test('a POST without a body but with a Content-Type is a 400 about the body, not a 415', async () => {
    const res = await call(emu, 'POST', `${V2}/users`, { token: admin, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(res.json.detail).toMatch(/body/);
  });
});

describe('OAuth errors', () => {
  test('carry both the OAuth members and a SCIM error body', async () => {
    const res = await call(emu, 'POST', '/oauth/token', {
      headers: { authorization: basic('nobody', 'wrong'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      schemas: [ERROR_URN],
      status: '401',
      error: 'invalid_client',
      detail: expect.stringMatching(/Client authentication failed/),
      error_description: expect.stringMatching(/Client authentication failed/),
    });
  });
});
