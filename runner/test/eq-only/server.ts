/**
 * A small, self-contained SCIM 2.0 server for the rfc7644 profile (test-tree code, on node:http, 127.0.0.1 only): a
 * server the suite has not seen, conformant to RFC 7643/7644 as far as it goes, whose filters are `eq` only.
 *
 * - mounted at the host root: the SCIM root is `http://127.0.0.1:PORT` (an empty path);
 * - Users only (no /Groups resource type), kept in memory; userName unique case-insensitively (caseExact false);
 * - filter: exactly one `<attribute> eq <value>` clause (core attribute names, sub-attributes, the core URN prefix),
 *   or (option `or`) such clauses joined by `or`; every other operator, and/not and grouping are declined with 400
 *   invalidFilter naming what is supported
 *   (RFC 7644 §3.4.2.2); filter.maxResults 4 caps every page; sort, etag, bulk, changePassword: not supported;
 * - PATCH add/replace/remove on simple and sub-attribute paths, atomic: an unknown op is 400 invalidSyntax, a
 *   malformed path 400 invalidPath, id/meta 400 mutability, nothing applied;
 * - every error is a SCIM Error; /Me and /Bulk answer 501; a filter on a discovery endpoint is 403.
 *
 * It shares no code with the suite (its filter and PATCH handling are its own), so what the suite finds on it is
 * what the suite would find on an unknown server built this way.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningEqOnly {
  /** The SCIM root: the host root, no path. */
  root: string;
  token: string;
  /** userNames currently stored (for the "nothing left behind" check). */
  userNames(): string[];
  close(): Promise<void>;
}

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MAX_RESULTS = 4;

class HttpError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
  }
}

interface Attr {
  name: string;
  type: string;
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite';
  returned: 'always' | 'default';
  uniqueness: 'none' | 'server';
  subAttributes?: Attr[];
}

const attr = (name: string, extra: Partial<Attr> = {}): Attr => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const USER_ATTRIBUTES: Attr[] = [
  attr('id', { mutability: 'readOnly', returned: 'always', caseExact: true, uniqueness: 'server' }),
  attr('userName', { required: true, uniqueness: 'server' }),
  attr('name', { type: 'complex', subAttributes: [attr('givenName'), attr('familyName')] }),
  attr('displayName'),
  attr('title'),
  attr('emails', { type: 'complex', multiValued: true, subAttributes: [attr('value'), attr('type'), attr('primary', { type: 'boolean' })] }),
  attr('externalId', { caseExact: true }),
  attr('active', { type: 'boolean' }),
];
const WRITABLE = new Set(USER_ATTRIBUTES.filter((a) => a.mutability !== 'readOnly').map((a) => a.name.toLowerCase()));

type User = Record<string, any> & { id: string; meta: Record<string, string> };

export interface EqOnlyOptions {
  token?: string;
  /** Also accept `or` between eq clauses (still no sw, and, not or grouping). */
  or?: boolean;
}

export async function startEqOnly(options: EqOnlyOptions = {}): Promise<RunningEqOnly> {
  const token = options.token ?? `eq-only-${randomUUID()}`;
  const users = new Map<string, User>();
  let origin = '';

  const location = (id: string) => `${origin}/Users/${id}`;
  const key = (o: Record<string, any>, name: string) => Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  const get = (o: any, name: string) => (o && typeof o === 'object' ? o[key(o, name) ?? name] : undefined);

  /** The writable attributes of a body, under their schema names; unknown and readOnly ones ignored (RFC 7644 §3.3). */
  const writable = (body: Record<string, any>): Record<string, any> => {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(body)) {
      const a = USER_ATTRIBUTES.find((x) => x.name.toLowerCase() === k.toLowerCase());
      if (a && WRITABLE.has(a.name.toLowerCase()) && v !== null) out[a.name] = v;
    }
    return out;
  };

  const checkUser = (data: Record<string, any>, self?: string) => {
    if (typeof data.userName !== 'string' || data.userName === '') throw new HttpError(400, 'userName is required', 'invalidValue');
    const clash = [...users.values()].find((u) => u.id !== self && u.userName.toLowerCase() === data.userName.toLowerCase());
    if (clash) throw new HttpError(409, `userName ${data.userName} is already taken`, 'uniqueness');
  };

  const represent = (u: User, query?: URLSearchParams): Record<string, any> => {
    const full: Record<string, any> = { schemas: [CORE], ...u, meta: { ...u.meta, location: location(u.id) } };
    const names = (p: string | null) => (p ? p.split(',').map((s) => s.trim().replace(new RegExp(`^${CORE}:`, 'i'), '').split('.')[0].toLowerCase()) : undefined);
    const only = names(query?.get('attributes') ?? null);
    const without = names(query?.get('excludedAttributes') ?? null);
    const always = new Set(['schemas', 'id']);
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(full)) {
      const lower = k.toLowerCase();
      if (always.has(lower)) out[k] = v;
      else if (only) {
        if (only.includes(lower)) out[k] = v;
      } else if (!without?.includes(lower)) out[k] = v;
    }
    return out;
  };

  /** `<attribute> eq <value>`: the only filter this server supports. */
  const eqFilter = (text: string): ((u: User) => boolean) => {
    const m = /^\s*((?:urn:[^\s"]+:)?[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?)\s+([A-Za-z]+)\s+("(?:[^"\\]|\\.)*"|true|false|null|-?\d+(?:\.\d+)?)\s*$/.exec(text);
    const supported = 'only a single "<attribute> eq <value>" clause is supported';
    if (!m || m[2].toLowerCase() !== 'eq') {
      const op = /\s(ne|co|sw|ew|gt|ge|lt|le|pr|and|or)(\s|$)/i.exec(text)?.[1] ?? (/^\s*not\s*\(|\(/i.test(text) ? 'not / ( )' : undefined);
      throw new HttpError(400, op ? `the operator "${op}" is not supported: ${supported}` : `invalid filter: ${supported}`, 'invalidFilter');
    }
    const path = m[1].replace(new RegExp(`^${CORE}:`, 'i'), '');
    if (/^urn:/i.test(path)) throw new HttpError(400, `unknown schema in ${m[1]}`, 'invalidFilter');
    const [top, sub] = path.split('.');
    const a = USER_ATTRIBUTES.find((x) => x.name.toLowerCase() === top.toLowerCase());
    if (!a) throw new HttpError(400, `unknown attribute ${top}`, 'invalidFilter');
    const s = sub ? a.subAttributes?.find((x) => x.name.toLowerCase() === sub.toLowerCase()) : undefined;
    if (sub && !s) throw new HttpError(400, `unknown attribute ${path}`, 'invalidFilter');
    const value = JSON.parse(m[3]) as unknown;
    const exact = (s ?? a).caseExact;
    const same = (x: unknown) => (typeof x === 'string' && typeof value === 'string' ? (exact ? x === value : x.toLowerCase() === value.toLowerCase()) : x === value);
    return (u) => {
      const v = get(u, a.name);
      const items = Array.isArray(v) ? v : v === undefined ? [] : [v];
      return items.some((item) => same(s ? get(item, s.name) : item && typeof item === 'object' ? get(item, 'value') : item));
    };
  };

  /** eq, or (with options.or) eq clauses joined by or (the split ignores "or" inside quoted values). */
  const parseFilter = (text: string): ((u: User) => boolean) => {
    if (!options.or) return eqFilter(text);
    const clauses = text.split(/\s+or\s+(?=(?:[^"]*"[^"]*")*[^"]*$)/i).map(eqFilter);
    return (u) => clauses.some((c) => c(u));
  };

  const list = (params: URLSearchParams) => {
    const filter = params.get('filter');
    const pick = filter ? parseFilter(filter) : () => true;
    const all = [...users.values()].filter(pick);
    const start = Math.max(1, Number.parseInt(params.get('startIndex') ?? '1', 10) || 1);
    const asked = params.get('count');
    const count = Math.min(MAX_RESULTS, asked === null ? MAX_RESULTS : Math.max(0, Number.parseInt(asked, 10) || 0));
    const page = all.slice(start - 1, start - 1 + count);
    return { schemas: [LIST], totalResults: all.length, startIndex: start, itemsPerPage: page.length, Resources: page.map((u) => represent(u, params)) };
  };

  /** PATCH on a copy (atomic): add/replace/remove with a simple or sub-attribute path, or add/replace without one. */
  const patch = (u: User, body: any): User => {
    if (!Array.isArray(body?.schemas) || !body.schemas.includes(PATCH_OP) || !Array.isArray(body.Operations)) throw new HttpError(400, 'a PatchOp body is required', 'invalidSyntax');
    const next: User = structuredClone(u);
    for (const [i, op] of body.Operations.entries()) {
      const kind = String(op?.op ?? '').toLowerCase();
      if (!['add', 'replace', 'remove'].includes(kind)) throw new HttpError(400, `operation ${i + 1}: unknown op ${JSON.stringify(op?.op)}`, 'invalidSyntax');
      if (op.path === undefined) {
        if (kind === 'remove') throw new HttpError(400, `operation ${i + 1}: remove needs a path`, 'noTarget');
        const values = op.value && typeof op.value === 'object' ? op.value : {};
        for (const k of Object.keys(values)) if (!WRITABLE.has(k.toLowerCase()) && USER_ATTRIBUTES.some((a) => a.name.toLowerCase() === k.toLowerCase())) throw new HttpError(400, `${k} is readOnly`, 'mutability');
        Object.assign(next, writable(values));
        continue;
      }
      const path = String(op.path).replace(new RegExp(`^${CORE}:`, 'i'), '');
      if (!/^[A-Za-z][\w$-]*(\.[A-Za-z][\w$-]*)?$/.test(path)) throw new HttpError(400, `operation ${i + 1}: the path ${JSON.stringify(op.path)} is malformed or not supported`, 'invalidPath');
      const [top, sub] = path.split('.');
      const a = USER_ATTRIBUTES.find((x) => x.name.toLowerCase() === top.toLowerCase());
      if (!a) throw new HttpError(400, `operation ${i + 1}: no attribute ${top}`, 'invalidPath');
      if (a.mutability === 'readOnly') throw new HttpError(400, `operation ${i + 1}: ${a.name} is readOnly`, 'mutability');
      if (kind === 'remove') {
        if (a.name === 'userName') throw new HttpError(400, 'userName is required', 'invalidValue');
        if (sub) delete (next[a.name] ?? {})[sub];
        else delete next[a.name];
      } else if (sub) {
        next[a.name] = { ...(next[a.name] ?? {}), [sub]: op.value };
      } else if (a.multiValued && kind === 'add') {
        next[a.name] = [...(next[a.name] ?? []), ...(Array.isArray(op.value) ? op.value : [op.value])];
      } else {
        next[a.name] = op.value;
      }
    }
    checkUser(next, u.id);
    return next;
  };

  const schemaDoc = () => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: CORE,
    name: 'User',
    attributes: USER_ATTRIBUTES,
    meta: { resourceType: 'Schema', location: `${origin}/Schemas/${CORE}` },
  });
  const resourceType = () => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: CORE,
    meta: { resourceType: 'ResourceType', location: `${origin}/ResourceTypes/User` },
  });
  const spc = () => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'A static bearer token' }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${origin}/ServiceProviderConfig` },
  });
  const listOf = (items: unknown[]) => ({ schemas: [LIST], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items });

  const handle = (method: string, path: string, params: URLSearchParams, text: string, req: IncomingMessage): [number, unknown, Record<string, string>?] => {
    if (req.headers.authorization !== `Bearer ${token}`) throw new HttpError(401, 'a valid bearer token is required');
    const body = (): any => {
      try {
        return JSON.parse(text);
      } catch {
        throw new HttpError(400, 'the body is not JSON', 'invalidSyntax');
      }
    };
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [first, second] = [segments[0]?.toLowerCase(), segments[1]];
    if (['serviceproviderconfig', 'resourcetypes', 'schemas'].includes(first ?? '') && params.has('filter')) throw new HttpError(403, 'discovery endpoints are not filtered');
    if (method === 'GET' && first === 'serviceproviderconfig' && segments.length === 1) return [200, spc()];
    if (method === 'GET' && first === 'resourcetypes') {
      if (!second) return [200, listOf([resourceType()])];
      if (second === 'User') return [200, resourceType()];
      throw new HttpError(404, `no resource type ${second}`);
    }
    if (method === 'GET' && first === 'schemas') {
      if (!second) return [200, listOf([schemaDoc()])];
      if (second.toLowerCase() === CORE.toLowerCase()) return [200, schemaDoc()];
      throw new HttpError(404, `no schema ${second}`);
    }
    if (first === 'me' || first === 'bulk') throw new HttpError(501, `${segments[0]} is not implemented`);
    if (first !== 'users') throw new HttpError(404, `no endpoint ${path}`);
    if (second === '.search' && method === 'POST' && segments.length === 2) {
      const b = body();
      const p = new URLSearchParams();
      for (const k of ['filter', 'startIndex', 'count']) if (b?.[k] !== undefined) p.set(k, String(b[k]));
      return [200, list(p)];
    }
    if (!second) {
      if (method === 'GET') return [200, list(params)];
      if (method !== 'POST') throw new HttpError(405, `${method} /Users is not supported`);
      const b = body();
      if (!Array.isArray(b?.schemas) || !b.schemas.includes(CORE)) throw new HttpError(400, `schemas must hold ${CORE}`, 'invalidValue');
      const data = writable(b);
      checkUser(data);
      const now = new Date().toISOString();
      const u: User = { ...data, id: randomUUID(), meta: { resourceType: 'User', created: now, lastModified: now } };
      users.set(u.id, u);
      return [201, represent(u), { location: location(u.id) }];
    }
    const u = users.get(second);
    if (!u || segments.length > 2) throw new HttpError(404, `no user ${second}`);
    switch (method) {
      case 'GET':
        return [200, represent(u, params)];
      case 'PUT': {
        const data = writable(body());
        checkUser(data, u.id);
        const next: User = { ...data, id: u.id, meta: { ...u.meta, lastModified: new Date().toISOString() } };
        users.set(u.id, next);
        return [200, represent(next)];
      }
      case 'PATCH': {
        const next = patch(u, body());
        next.meta = { ...u.meta, lastModified: new Date().toISOString() };
        users.set(u.id, next);
        return [200, represent(next)];
      }
      case 'DELETE':
        users.delete(u.id);
        return [204, undefined];
      default:
        throw new HttpError(405, `${method} is not supported`);
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let status: number;
      let payload: unknown;
      let headers: Record<string, string> = {};
      try {
        [status, payload, headers = {}] = handle(req.method ?? 'GET', url.pathname, url.searchParams, text, req);
      } catch (e) {
        const err = e instanceof HttpError ? e : new HttpError(500, (e as Error).message);
        status = err.status;
        payload = { schemas: [ERROR], status: String(err.status), ...(err.scimType ? { scimType: err.scimType } : {}), detail: err.message };
      }
      res.writeHead(status, { ...(payload === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    root: origin,
    token,
    userNames: () => [...users.values()].map((u) => u.userName),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// `npx tsx runner/test/eq-only/server.ts`: run it by hand (prints the root and the token).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const s = await startEqOnly({ token: process.env.EQ_ONLY_TOKEN, or: process.env.EQ_ONLY_OR === 'true' });
  console.log(`eq-only SCIM server at ${s.root}\ntoken: ${s.token}`);
}
