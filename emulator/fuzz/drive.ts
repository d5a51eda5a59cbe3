/**
 * Sending fuzz cases (emulator/fuzz/cases.ts) to a running emulator and judging the answers: no 5xx, every error
 * answer a SCIM error body (schemas with the Error URN, status as a string equal to the HTTP status, a non-empty
 * detail), every answer within a time bound. Used by emulator/test/fuzz.test.ts and bench/fuzz.ts.
 */
import { connect } from 'node:net';
import { Pool } from 'undici';
import type { RunningEmulator } from '../server.ts';
import { basic, tokenFor } from '../test/helpers.ts';
import type { FuzzCase, Identity } from './cases.ts';

const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** The per-request bound: generous, a catastrophic-cost guard. */
export const TIME_BOUND_MS = 1000;

export interface FuzzAnswer {
  /** 0: no answer (connection error or closed without a response). */
  status: number;
  contentType?: string;
  body: string;
  ms: number;
  error?: string;
}

/** What came back on a raw connection: the final response (after any 1xx), its headers lower-cased. */
export interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  contentType?: string;
  body: string;
  error?: string;
}

export interface FuzzTarget {
  emu: RunningEmulator;
  pool: Pool;
  authorization: Record<Identity, string | undefined>;
  close(): Promise<void>;
}

/** Tokens for every identity and a keep-alive pool to the emulator. */
export async function fuzzTarget(emu: RunningEmulator, connections = 4): Promise<FuzzTarget> {
  const admin = emu.clients.find((c) => c.name === 'admin')!;
  const authorization: Record<Identity, string | undefined> = {
    admin: `Bearer ${await tokenFor(emu, 'admin')}`,
    readonly: `Bearer ${await tokenFor(emu, 'readonly')}`,
    none: `Bearer ${await tokenFor(emu, 'none')}`,
    invalid: 'Bearer not-a-token-of-this-emulator',
    missing: undefined,
    basic: basic(admin.clientId, admin.clientSecret),
  };
  const pool = new Pool(emu.url, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { emu, pool, authorization, close: () => pool.close() };
}

/** What undici sends (a request it refuses leaves its Pool stuck, undici 7.30: never hand it one). */
const SENDABLE_PATH = /^\/[\u0021-\u00ff]*$/;

async function sendHttp(t: FuzzTarget, c: Extract<FuzzCase, { kind: 'http' }>): Promise<Omit<FuzzAnswer, 'ms'>> {
  if (!SENDABLE_PATH.test(c.path)) throw new Error(`the generator made a path no HTTP client sends: ${JSON.stringify(c.path.slice(0, 80))}`);
  const headers: Record<string, string> = { ...c.headers };
  const auth = t.authorization[c.identity];
  if (auth !== undefined) headers.authorization = auth;
  const res = await t.pool.request({ method: c.method as 'GET', path: c.path, headers, body: c.body });
  const body = await res.body.text();
  const ct = res.headers['content-type'];
  return { status: res.statusCode, body, ...(ct !== undefined ? { contentType: String(ct) } : {}) };
}

/** A raw case's bytes (Connection: close) on a fresh connection. */
function sendRaw(t: FuzzTarget, c: Extract<FuzzCase, { kind: 'raw' }>): Promise<RawAnswer> {
  const auth = t.authorization[c.identity];
  const lines = [c.requestLine, 'Host: 127.0.0.1', ...(auth ? [`Authorization: ${auth}`] : []), ...c.headerLines, 'Connection: close'];
  return rawExchange(t.emu.port, Buffer.from(`${lines.join('\r\n')}\r\n\r\n${c.body}`, 'latin1'));
}

/**
 * Writes bytes on a fresh connection to 127.0.0.1:port, half-closes it and reads until the server closes (10 s at
 * most): for what no HTTP client sends.
 */
export function rawExchange(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 10 s')), 10_000);
    let error: string | undefined;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e) => { error = e.message; });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRaw(Buffer.concat(chunks).toString('latin1'), error));
    });
    socket.end(bytes);
  });
}

/** The final response in the bytes read, after any 1xx (body by Content-Length, or to the end). */
function parseRaw(all: string, error: string | undefined): RawAnswer {
  let text = all;
  while (/^HTTP\/1\.[01] 1\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return { status: 0, headers: new Map(), body: text, error: error ?? (text === '' ? 'closed without an answer' : 'incomplete answer') };
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const length = headers.get('content-length');
  const rest = Buffer.from(text.slice(split + 4), 'latin1');
  const body = (length !== undefined ? rest.subarray(0, Number(length)) : rest).toString('utf8');
  const ct = headers.get('content-type');
  return { status: Number(statusLine.split(' ')[1]) || 0, headers, body, ...(ct !== undefined ? { contentType: ct } : {}) };
}

export async function send(t: FuzzTarget, c: FuzzCase): Promise<FuzzAnswer> {
  const t0 = performance.now();
  try {
    if (c.kind === 'http') return { ...(await sendHttp(t, c)), ms: performance.now() - t0 };
    const { headers: _, ...answer } = await sendRaw(t, c);
    return { ...answer, ms: performance.now() - t0 };
  } catch (err) {
    return { status: 0, body: '', ms: performance.now() - t0, error: (err as Error).message };
  }
}

/** What is wrong with an answer (empty: nothing). */
export function judge(c: FuzzCase, a: FuzzAnswer): string[] {
  const problems: string[] = [];
  if (a.ms > TIME_BOUND_MS) problems.push(`took ${a.ms.toFixed(0)} ms (bound ${TIME_BOUND_MS} ms)`);
  if (a.status === 0) {
    problems.push(`no answer: ${a.error ?? 'connection closed'}`);
    return problems;
  }
  if (a.status >= 500) problems.push(`status ${a.status}`);
  if (a.status >= 400 && !(c.kind === 'http' && c.method === 'HEAD')) {
    const why = notScimError(a);
    if (why) problems.push(`not a SCIM error body (${why}): ${a.body.slice(0, 200)}`);
  }
  return problems;
}

/** Why an error answer is not a SCIM error body (undefined: it is one). */
export function notScimError(a: FuzzAnswer): string | undefined {
  const type = a.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/scim+json' && type !== 'application/json') return `content type ${a.contentType ?? '(none)'}`;
  let body: unknown;
  try {
    body = JSON.parse(a.body);
  } catch {
    return 'not JSON';
  }
  const b = body as { schemas?: unknown; status?: unknown; detail?: unknown };
  if (!Array.isArray(b.schemas) || !b.schemas.includes(ERROR_URN)) return 'schemas without the Error URN';
  if (b.status !== String(a.status)) return `status ${JSON.stringify(b.status)} for HTTP ${a.status}`;
  if (typeof b.detail !== 'string' || b.detail.trim() === '') return 'no detail';
  return undefined;
}
