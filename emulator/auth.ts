/**
 * OAuth client-credentials token endpoint, bearer-token store and per-token rate limit.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ScimHttpError, scimErrorBody } from './http-types.ts';
import { parseQueryString } from './query.ts';

export interface DemoClient {
  name: string;
  clientId: string;
  clientSecret: string;
  permissions: string[];
}

export function loadDemoClients(): DemoClient[] {
  const raw = JSON.parse(
    readFileSync(new URL('../fixtures/emulator/clients.json', import.meta.url), 'utf8'),
  ) as { clients: DemoClient[] };
  return raw.clients.map((c) => ({ ...c, permissions: [...c.permissions] }));
}

export interface TokenInfo {
  client: DemoClient;
  permissions: ReadonlySet<string>;
  expiresAt: number;
  /** Fixed one-minute rate-limit window. */
  windowStart: number;
  windowCount: number;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 86400;
const RATE_WINDOW_MS = 60_000;
const SWEEP_THRESHOLD = 10_000;

export class TokenStore {
  private readonly tokens = new Map<string, TokenInfo>();

  constructor(
    private readonly ttlSeconds: number = DEFAULT_TOKEN_TTL_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  issue(client: DemoClient): { accessToken: string; expiresIn: number } {
    if (this.tokens.size >= SWEEP_THRESHOLD) this.sweep();
    const accessToken = randomBytes(32).toString('base64url');
    const now = this.now();
    this.tokens.set(accessToken, {
      client,
      permissions: new Set(client.permissions),
      expiresAt: now + this.ttlSeconds * 1000,
      windowStart: now,
      windowCount: 0,
    });
    return { accessToken, expiresIn: this.ttlSeconds };
  }

  /** The live token, or undefined (unknown or expired; expired ones are dropped). */
  lookup(token: string): TokenInfo | undefined {
    const info = this.tokens.get(token);
    if (info === undefined) return undefined;
    if (this.now() >= info.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return info;
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, info] of this.tokens) if (now >= info.expiresAt) this.tokens.delete(token);
  }
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** Resolve the Authorization header to a token, or throw a 401 ScimHttpError with WWW-Authenticate. */
export function authenticate(store: TokenStore, authorization: string | undefined): TokenInfo {
  if (authorization === undefined || authorization === '') {
    throw new ScimHttpError(401, 'Authentication required: send an OAuth bearer token', undefined, {
      'www-authenticate': 'Bearer realm="scim"',
    });
  }
  const m = BEARER.exec(authorization);
  const info = m ? store.lookup(m[1]!) : undefined;
  if (info === undefined) {
    throw new ScimHttpError(401, 'The bearer token is invalid or expired', undefined, {
      'www-authenticate': 'Bearer realm="scim", error="invalid_token"',
    });
  }
  return info;
}

/** Count one request against the token's minute window; throws 429 with Retry-After when over. */
export function checkRateLimit(info: TokenInfo, limitPerMinute: number, now: number): void {
  if (limitPerMinute <= 0) return;
  if (now - info.windowStart >= RATE_WINDOW_MS) {
    info.windowStart = now;
    info.windowCount = 0;
  }
  info.windowCount += 1;
  if (info.windowCount > limitPerMinute) {
    const retryAfter = Math.max(1, Math.ceil((info.windowStart + RATE_WINDOW_MS - now) / 1000));
    throw new ScimHttpError(
      429,
      `Rate limit of ${limitPerMinute} requests per minute exceeded for this token; retry after ${retryAfter} s`,
      undefined,
      { 'retry-after': String(retryAfter) },
    );
  }
}

/** ANY-of permission check; throws 403 naming the permissions when none is held. */
export function checkPermissions(info: TokenInfo, anyOf: readonly string[], operationId: string): void {
  if (anyOf.length === 0) return;
  for (const p of anyOf) if (info.permissions.has(p)) return;
  throw new ScimHttpError(
    403,
    `Missing permission for ${operationId}: requires any of ${anyOf.join(', ')}`,
  );
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * An OAuth error (RFC 6749 §5.2: error, error_description; Genesys adds description) that is a SCIM error body as
 * well (schemas, status, detail), so a client reading either shape gets the reason; OAuth clients ignore the
 * members they do not know (§5.1).
 */
function oauthError(reply: FastifyReply, status: number, error: string, description: string, basic = false) {
  if (basic) reply.header('www-authenticate', 'Basic realm="oauth"');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ ...scimErrorBody(status, description), error, description, error_description: description }));
}

/**
 * Registers POST /oauth/token in its own encapsulated context (form-encoded body parser,
 * OAuth-style error bodies).
 */
export async function oauthPlugin(
  app: FastifyInstance,
  opts: { store: TokenStore; clients: DemoClient[] },
): Promise<void> {
  const byId = new Map(opts.clients.map((c) => [c.clientId, c]));

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => done(null, parseQueryString(body as string)),
  );

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 415) {
      return oauthError(reply, 400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    return oauthError(reply, status, status === 500 ? 'server_error' : 'invalid_request',
      status === 500 ? 'Internal error' : err.message);
  });

  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: '/oauth/token',
    handler: async (_request, reply) => {
      reply.header('allow', 'POST');
      return oauthError(reply, 405, 'invalid_request', 'Use POST');
    },
  });

  app.post('/oauth/token', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string | string[] | undefined>;
    const field = (k: string) => {
      const v = form[k];
      return typeof v === 'string' ? v : v?.[0];
    };

    let clientId: string | undefined;
    let clientSecret: string | undefined;
    let usedBasic = false;
    const authz = request.headers.authorization;
    if (authz && /^Basic\s+/i.test(authz)) {
      usedBasic = true;
      const decoded = Buffer.from(authz.replace(/^Basic\s+/i, '').trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
        const dec = (s: string) => {
          try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; }
        };
        clientId = dec(decoded.slice(0, colon));
        clientSecret = dec(decoded.slice(colon + 1));
      }
    } else {
      clientId = field('client_id');
      clientSecret = field('client_secret');
    }

    const client = clientId !== undefined ? byId.get(clientId) : undefined;
    if (client === undefined || clientSecret === undefined || !safeEqual(clientSecret, client.clientSecret)) {
      return oauthError(reply, 401, 'invalid_client', 'Client authentication failed: unknown client or wrong secret', usedBasic);
    }

    const grant = field('grant_type');
    if (grant !== 'client_credentials') {
      return oauthError(reply, 400, 'unsupported_grant_type',
        grant === undefined ? 'grant_type is required (client_credentials)' : `Unsupported grant_type ${grant}`);
    }

    const { accessToken, expiresIn } = opts.store.issue(client);
    return reply
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ access_token: accessToken, token_type: 'bearer', expires_in: expiresIn }));
  });
}
