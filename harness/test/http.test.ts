import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildQuery, closePools, curlFor, HttpClient, ScimClient, tokenSource } from '../runtime/http.ts';
import { REDACTED } from '../runtime/redact.ts';
import { fakeServer, json } from './fake-server.ts';

let server: Awaited<ReturnType<typeof fakeServer>>;
let tokensIssued = 0;
let rateLimited = 0;

beforeAll(async () => {
  server = await fakeServer((req, res) => {
    if (req.url === '/oauth/token') {
      tokensIssued++;
      return json(res, 200, { access_token: `issued-token-${tokensIssued}-abcdef`, token_type: 'bearer', expires_in: 3600 });
    }
    const auth = req.headers.authorization ?? '';
    if (req.url.startsWith('/p/limited')) {
      if (rateLimited++ < 1) return json(res, 429, { status: '429', detail: 'slow down' }, { 'retry-after': '0' });
      return json(res, 200, { ok: true });
    }
    if (req.url.startsWith('/p/refresh')) {
      // the first token is "revoked"
      if (auth.includes('issued-token-1-')) return json(res, 401, { status: '401', detail: 'expired' });
      return json(res, 200, { token: auth });
    }
    return json(res, 200, { echo: req.url, body: req.body ? JSON.parse(req.body) : undefined });
  });
});

afterAll(async () => {
  await closePools();
  await server.close();
});

describe('buildQuery', () => {
  test('encodes spaces as %20 and repeats array keys', () => {
    expect(buildQuery({ filter: 'userName eq "a b"', attributes: ['id', 'userName'], count: 0, skip: undefined })).toBe(
      '?filter=userName%20eq%20%22a%20b%22&attributes=id&attributes=userName&count=0',
    );
  });
});

describe('ScimClient', () => {
  test('sends SCIM media types and records a redacted exchange with a curl line', async () => {
    const exchanges: any[] = [];
    const http = new HttpClient({ origin: server.origin, onExchange: (e) => exchanges.push(e) });
    const client = new ScimClient(http, '/p', tokenSource({ kind: 'token', token: 'static-secret-token' }));
    const res = await client.post('/users', { userName: 'u', password: 'pw-123456' });
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual({ userName: 'u', password: 'pw-123456' });
    const seen = server.seen.at(-1)!;
    expect(seen.headers['content-type']).toBe('application/scim+json');
    expect(seen.headers.authorization).toBe('Bearer static-secret-token');
    const ex = exchanges[0];
    expect(ex.request.headers.authorization).toBe(`Bearer ${REDACTED}`);
    expect(ex.request.body).not.toContain('pw-123456');
    expect(ex.response.body).not.toContain('pw-123456');
    const curl = curlFor(ex);
    expect(curl).toContain(`curl -sS -i -X POST '${server.origin}/p/users'`);
    expect(curl).toContain('"authorization: Bearer $SCIM_TOKEN"');
    expect(JSON.stringify(ex)).not.toContain('static-secret-token');
  });

  test('retries a 429 after Retry-After', async () => {
    const http = new HttpClient({ origin: server.origin });
    const client = new ScimClient(http, '/p', undefined);
    const res = await client.get('/limited');
    expect(res.status).toBe(200);
    expect(rateLimited).toBe(2);
  });

  test('does not retry a 429 the check expects', async () => {
    rateLimited = 0;
    const client = new ScimClient(new HttpClient({ origin: server.origin }), '/p', undefined);
    const res = await client.get('/limited', { retryOn429: false });
    expect(res.status).toBe(429);
  });

  test('fetches a client-credentials token and refreshes it once on 401', async () => {
    const ts = tokenSource({ kind: 'client-credentials', clientId: 'c', clientSecret: 'client-secret-xyz', tokenUrl: `${server.origin}/oauth/token` });
    const client = new ScimClient(new HttpClient({ origin: server.origin }), '/p', ts);
    const res = await client.get('/refresh');
    expect(res.status).toBe(200);
    expect(res.body.token).toBe('Bearer issued-token-2-abcdef');
    const tokenRequest = server.seen.find((r) => r.url === '/oauth/token')!;
    expect(tokenRequest.headers.authorization).toBe(`Basic ${Buffer.from('c:client-secret-xyz').toString('base64')}`);
    expect(tokenRequest.body).toBe('grant_type=client_credentials');
  });

  test('sends no Authorization header when asked not to authenticate', async () => {
    const client = new ScimClient(new HttpClient({ origin: server.origin }), '/p', tokenSource({ kind: 'token', token: 'static-secret-token' }));
    await client.get('/anon', { authenticate: false });
    expect(server.seen.at(-1)!.headers.authorization).toBeUndefined();
  });
});
