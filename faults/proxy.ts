/**
 * A fault-injecting HTTP proxy (node:http server on 127.0.0.1 → undici Pool to the target).
 *
 * Every request is buffered into a ProxyRequest (method, path, query, headers, parsed JSON body),
 * handed to the fault's `request` transform (which may change it, or answer it without forwarding),
 * forwarded, buffered into a ProxyResponse and handed to the fault's `response` transform. JSON
 * bodies are re-serialised after the transforms; Content-Length is recomputed.
 *
 * The proxy also watches POST /oauth/token so a transform can tell which demo client a bearer
 * token belongs to (`ctx.clientOf`), and it counts the exchanges a fault actually changed (`hits`)
 * so the runner can tell "the fault never triggered" from "the checks did not notice".
 *
 * Transient faults (`transient`), independent of the one deviation: a seeded fraction of SCIM requests is answered
 * 429 or 503 with Retry-After 0 or 1, or has its connection reset before it reaches the target, or after the target
 * applied it (the answer is lost). These say nothing about conformance: a run through them must give the clean run's
 * verdict (faults/transient.ts). The proxy also notes every resource a POST created on the target (`stats.created`),
 * so a test can tell exactly what a run left behind.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type { Fault, FaultContext, ProxyRequest, ProxyResponse, Route } from './types.ts';
import { seededRandom } from '../emulator/live.ts';

export type { Fault, FaultContext, ProxyRequest, ProxyResponse, Route } from './types.ts';

export interface DemoClientInfo {
  name: string;
  clientId: string;
  clientSecret: string;
}

export interface ProxyOptions {
  /** Origin of the real target, e.g. http://127.0.0.1:4010. */
  target: string;
  /** The fault to inject; none = a transparent proxy (the no-fault baseline). */
  fault?: Fault;
  /** Demo clients of the target (for ctx.clientOf / ctx.tokenFor). */
  clients?: DemoClientInfo[];
  /** Port to bind on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Transient faults on a seeded fraction of SCIM requests (see the module comment). */
  transient?: TransientFaults;
}

export type TransientKind = '429' | '503' | 'reset' | 'reset-after';
export const TRANSIENT_KINDS: readonly TransientKind[] = ['429', '503', 'reset', 'reset-after'];

export interface TransientFaults {
  /** Fraction of SCIM requests faulted, 0..1 (e.g. 0.1). */
  rate: number;
  seed: number;
  /** Which faults, drawn uniformly (default all four). */
  kinds?: readonly TransientKind[];
  /**
   * A request faulted this many times in a row (the same method, URL and body: a client's retry) goes through: a
   * transient fault is transient. Default 2, under the harness's retry budget (runtime/retry.ts); without a cap, four
   * faults in a row (1 in 10,000 requests at 10 %) would be an outage, not a transient fault.
   */
  maxConsecutive?: number;
}

export interface ProxyStats {
  requests: number;
  /** Exchanges the fault changed (request, response, or answered itself). */
  hits: number;
  /** Up to 20 sample exchanges the fault changed: "GET /api/v2/scim/v2/users/… → 200". */
  samples: string[];
  /** Exceptions thrown by the fault's transforms (a bug in the fault, not in the target). */
  errors: string[];
  /** Transient faults injected, per kind. */
  transient: Record<TransientKind, number>;
  /** Item paths (`/api/v2/scim/v2/users/<id>`) of every resource a POST created on the target, answer delivered or not. */
  created: string[];
}

export interface RunningProxy {
  url: string;
  port: number;
  stats: ProxyStats;
  close(): Promise<void>;
}

const PREFIXES = ['/api/v2/scim/v2', '/api/v2/scim'];
/** Not forwarded (Host is: the target renders meta.location from it, so locations point at the proxy). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/** Splits a request path into prefix, resource and id (resource lower-cased). */
export function parseRoute(path: string): Route {
  const clean = path.split('?')[0] ?? '';
  if (clean.toLowerCase() === '/oauth/token') return { prefix: '', resource: 'oauth', segments: ['oauth', 'token'] };
  for (const prefix of PREFIXES) {
    if (clean.toLowerCase() === prefix || clean.toLowerCase().startsWith(`${prefix}/`)) {
      const segments = clean.slice(prefix.length).split('/').filter((s) => s !== '');
      const resource = (segments[0] ?? '').toLowerCase();
      const id = segments[1] === undefined ? undefined : decodeURIComponent(segments[1]);
      return { prefix, resource, ...(id !== undefined ? { id } : {}), segments };
    }
  }
  return { prefix: '', resource: '', segments: clean.split('/').filter((s) => s !== '') };
}

function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && /json/i.test(contentType);
}

function parseJson(text: string, contentType: string | undefined): unknown {
  if (text === '' || !isJsonType(contentType)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** The body text a request or response carries after the transforms. */
export function serialiseBody(m: { body?: unknown; rawBody: string }): string {
  return m.body !== undefined ? JSON.stringify(m.body) : m.rawBody;
}

function snapshot(m: object): string {
  return JSON.stringify(m, (k, v) => (k === 'query' && v instanceof URLSearchParams ? v.toString() : v));
}

/** Everything but `notes`, which transforms may use freely. */
function requestSnapshot(r: ProxyRequest): string {
  return snapshot({ method: r.method, path: r.path, query: r.query.toString(), headers: r.headers, body: serialiseBody(r) });
}

function responseSnapshot(r: ProxyResponse): string {
  return snapshot({ status: r.status, headers: r.headers, body: serialiseBody(r) });
}

/** Builds a ProxyRequest (tests and transforms use it too). */
export function makeRequest(method: string, url: string, headers: Record<string, string> = {}, rawBody = ''): ProxyRequest {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const lower = flatHeaders(headers);
  return { method: method.toUpperCase(), path, query, headers: lower, rawBody, body: parseJson(rawBody, lower['content-type']), route: parseRoute(path), notes: {} };
}

/** Builds a JSON ProxyResponse. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ProxyResponse {
  return { status, headers: { 'content-type': 'application/scim+json; charset=utf-8', ...headers }, body, rawBody: JSON.stringify(body) };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): ProxyResponse {
  return { status, headers, body: undefined, rawBody: '' };
}

function urlOf(r: ProxyRequest): string {
  const qs = r.query.toString();
  return qs ? `${r.path}?${qs}` : r.path;
}

export async function startFaultProxy(options: ProxyOptions): Promise<RunningProxy> {
  const target = options.target.replace(/\/+$/, '');
  const pool = new Pool(target, { connections: 16 });
  const fault = options.fault;
  const clients = options.clients ?? [];
  const tokenOwner = new Map<string, string>(); // access token → client name
  const adminTokens = new Map<string, Promise<string>>();
  const stats: ProxyStats = { requests: 0, hits: 0, samples: [], errors: [], transient: { '429': 0, '503': 0, reset: 0, 'reset-after': 0 }, created: [] };
  const transient = options.transient ? transientInjector(options.transient) : undefined;
  const state = new Map<string, unknown>();

  async function send(r: ProxyRequest): Promise<ProxyResponse> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    const body = serialiseBody(r);
    const res = await pool.request({
      method: r.method as 'GET',
      path: urlOf(r),
      headers,
      body: body === '' && (r.method === 'GET' || r.method === 'DELETE' || r.method === 'HEAD') ? undefined : body,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    const resHeaders = flatHeaders(res.headers as Record<string, string | string[] | undefined>);
    for (const k of Object.keys(resHeaders)) if (HOP_BY_HOP.has(k)) delete resHeaders[k];
    if (r.route.resource === 'oauth' && res.statusCode === 200) recordToken(r, text);
    const parsed = parseJson(text, resHeaders['content-type']) as { id?: unknown } | undefined;
    if (r.method === 'POST' && res.statusCode === 201 && typeof parsed?.id === 'string' && r.route.segments.length === 1) {
      stats.created.push(`${r.route.prefix}/${r.route.resource}/${encodeURIComponent(parsed.id)}`);
    }
    return { status: res.statusCode, headers: resHeaders, rawBody: text, body: parsed };
  }

  function recordToken(r: ProxyRequest, text: string): void {
    const basic = /^basic\s+(.+)$/i.exec(r.headers.authorization ?? '');
    if (!basic?.[1]) return;
    const clientId = Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0];
    const client = clients.find((c) => c.clientId === clientId);
    try {
      const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
      if (client && typeof token === 'string') tokenOwner.set(token, client.name);
    } catch {
      /* not JSON: nothing to record */
    }
  }

  async function tokenFor(name: string): Promise<string> {
    let p = adminTokens.get(name);
    if (!p) {
      const client = clients.find((c) => c.name === name);
      if (!client) throw new Error(`no demo client named ${name}`);
      p = send(
        makeRequest('POST', '/oauth/token', {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        }, 'grant_type=client_credentials'),
      ).then((res) => {
        const token = (JSON.parse(res.rawBody) as { access_token?: string }).access_token;
        if (res.status !== 200 || !token) throw new Error(`token for ${name}: ${res.status}`);
        return token;
      });
      p.catch(() => adminTokens.delete(name));
      adminTokens.set(name, p);
    }
    return p;
  }

  const ctx: FaultContext = {
    forward: (r) => send(r),
    get: (path, from, headers = {}) =>
      send(
        makeRequest('GET', path, {
          accept: 'application/scim+json',
          ...(from.headers.authorization ? { authorization: from.headers.authorization } : {}),
          ...(from.headers.host ? { host: from.headers.host } : {}),
          ...headers,
        }),
      ),
    clientOf: (authorization) => {
      const m = /^bearer\s+(.+)$/i.exec(authorization ?? '');
      return m?.[1] ? tokenOwner.get(m[1].trim()) : undefined;
    },
    tokenFor,
    state,
  };

  async function handle(inReq: IncomingMessage, out: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of inReq) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const req = makeRequest(inReq.method ?? 'GET', inReq.url ?? '/', flatHeaders(inReq.headers), raw);
    const label = `${req.method} ${urlOf(req)}`;
    stats.requests++;
    const injected = transient?.(req);
    if (injected) {
      stats.transient[injected]++;
      if (injected === 'reset-after') await send(req).catch(() => undefined);
      if (injected === 'reset' || injected === 'reset-after') return void inReq.socket.destroy();
      const answer = jsonResponse(Number(injected), { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: injected, detail: 'transient fault (fault proxy)' }, { 'retry-after': transientRetryAfter(req) });
      const text = serialiseBody(answer);
      out.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) });
      return void out.end(text);
    }
    let changed = false;
    let answered: ProxyResponse | void = undefined;
    let res: ProxyResponse;
    try {
      if (fault?.request) {
        const before = requestSnapshot(req);
        answered = await fault.request(req, ctx);
        if (requestSnapshot(req) !== before) changed = true;
      }
      if (answered) {
        // The fault answered without forwarding; its response transform does not run on it.
        res = answered;
        changed = true;
      } else {
        res = await send(req);
      }
      if (fault?.response && !answered) {
        const before = responseSnapshot(res);
        const replaced = await fault.response(req, res, ctx);
        if (replaced) res = replaced;
        if (responseSnapshot(res) !== before) changed = true;
      }
    } catch (e) {
      const message = `${label}: ${(e as Error).stack ?? (e as Error).message}`;
      if (stats.errors.length < 20) stats.errors.push(message);
      res = jsonResponse(502, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '502', detail: `fault proxy error: ${(e as Error).message}` });
    }
    if (changed) {
      stats.hits++;
      if (stats.samples.length < 20) stats.samples.push(`${label} → ${res.status}`);
    }
    const body = res.status === 204 || res.status === 304 || req.method === 'HEAD' ? '' : serialiseBody(res);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    if (body !== '' || (res.status !== 204 && res.status !== 304)) headers['content-length'] = String(Buffer.byteLength(body));
    out.writeHead(res.status, headers);
    out.end(body);
  }

  const server: Server = createServer((inReq, out) => {
    handle(inReq, out).catch((e) => {
      if (stats.errors.length < 20) stats.errors.push(String(e));
      if (!out.headersSent) out.writeHead(502, { 'content-type': 'text/plain' });
      out.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(() => pool.close())),
  };
}

/** A request's identity across retries: method, URL and body. */
function fingerprint(r: ProxyRequest): string {
  return createHash('sha1').update(`${r.method} ${urlOf(r)}\u0000${r.rawBody}`).digest('hex');
}

/** Retry-After 0 or 1, stable for a request (seeded by its fingerprint). */
function transientRetryAfter(r: ProxyRequest): string {
  return String(parseInt(fingerprint(r).slice(0, 2), 16) % 2);
}

/**
 * Decides, per request, whether to inject a transient fault and which. Only SCIM requests (never the token
 * endpoint), and never a list page over 25 (count > 25): checks of the documented "too expensive" 429 turn retries
 * off there and judge any 429 as the server's own.
 */
export function transientInjector(t: TransientFaults): (r: ProxyRequest) => TransientKind | undefined {
  const random = seededRandom(t.seed);
  const kinds = t.kinds ?? TRANSIENT_KINDS;
  const cap = t.maxConsecutive ?? 2;
  const streak = new Map<string, number>();
  return (r) => {
    if (!r.route.prefix || Number(r.query.get('count')) > 25) return undefined;
    const key = fingerprint(r);
    const n = streak.get(key) ?? 0;
    if (n >= cap || random() >= t.rate) {
      streak.delete(key);
      return undefined;
    }
    streak.set(key, n + 1);
    return kinds[Math.floor(random() * kinds.length)];
  };
}

/**
 * Several faults as one (request transforms in order until one answers; response transforms in order).
 * Only for faults that touch disjoint requests: the fast test uses it to check a few faults in one run.
 */
export function composeFaults(...faults: Fault[]): Fault {
  return {
    id: faults.map((f) => f.id).join('.'),
    area: faults[0]?.area ?? 'errors',
    description: faults.map((f) => f.description).join('; '),
    affects: faults.flatMap((f) => f.affects),
    request: async (req, ctx) => {
      for (const f of faults) {
        const answered = await f.request?.(req, ctx);
        if (answered) return answered;
      }
    },
    response: async (req, res, ctx) => {
      let current = res;
      for (const f of faults) current = (await f.response?.(req, current, ctx)) ?? current;
      return current === res ? undefined : current;
    },
  };
}
