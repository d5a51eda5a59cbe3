/** Small predicates and builders the fault transforms share. */
import { jsonResponse } from './proxy.ts';
import type { FaultContext, ProxyRequest, ProxyResponse } from './types.ts';

export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const GENESYS_URN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export type Json = Record<string, any>;
type Resource = 'users' | 'groups' | 'serviceproviderconfig' | 'resourcetypes' | 'schemas';

/** A request under a SCIM prefix (not /oauth/token). */
export const isScim = (req: ProxyRequest): boolean => req.route.prefix !== '';

/** GET of a collection (no id) of one of these resources. */
export const isList = (req: ProxyRequest, ...resources: Resource[]): boolean =>
  req.method === 'GET' && isScim(req) && resources.includes(req.route.resource as Resource) && req.route.id === undefined;

/** A request on one resource (`/users/{id}`) with one of these methods. */
export const isItem = (req: ProxyRequest, methods: string[], ...resources: Resource[]): boolean =>
  isScim(req) && methods.includes(req.method) && resources.includes(req.route.resource as Resource) && req.route.id !== undefined;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const isScimError = (res: ProxyResponse): boolean =>
  isObject(res.body) && Array.isArray(res.body.schemas) && res.body.schemas.includes(ERROR_URN);

export const isListResponse = (res: ProxyResponse): boolean =>
  isObject(res.body) && Array.isArray(res.body.schemas) && res.body.schemas.includes(LIST_URN) && Array.isArray(res.body.Resources);

/** The resources a body carries: the list's Resources, or the body itself. */
export function resourcesOf(res: ProxyResponse): Json[] {
  if (!isObject(res.body)) return [];
  if (Array.isArray(res.body.Resources)) return res.body.Resources.filter(isObject);
  return [res.body];
}

export function scimError(status: number, detail: string, scimType?: string, headers: Record<string, string> = {}): ProxyResponse {
  return jsonResponse(status, { schemas: [ERROR_URN], status: String(status), ...(scimType ? { scimType } : {}), detail }, headers);
}

/** The values of a query parameter, repeated keys and comma lists flattened, lower-cased. */
export function queryNames(req: ProxyRequest, key: string): string[] {
  const out: string[] = [];
  for (const [k, v] of req.query) {
    if (k.toLowerCase() !== key.toLowerCase()) continue;
    for (const part of v.split(',')) if (part.trim()) out.push(part.trim().toLowerCase());
  }
  return out;
}

export function hasQuery(req: ProxyRequest, key: string): boolean {
  return [...req.query.keys()].some((k) => k.toLowerCase() === key.toLowerCase());
}

export function deleteQuery(req: ProxyRequest, key: string): void {
  for (const k of [...req.query.keys()]) if (k.toLowerCase() === key.toLowerCase()) req.query.delete(k);
}

export function getQuery(req: ProxyRequest, key: string): string | undefined {
  for (const [k, v] of req.query) if (k.toLowerCase() === key.toLowerCase()) return v;
  return undefined;
}

/** `attr op value` of a simple filter. */
export function parseSimpleFilter(filter: string | undefined): { attr: string; op: string; value: string } | undefined {
  const m = /^\s*(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(filter ?? '');
  if (!m) return undefined;
  return { attr: m[1]!, op: m[2]!, value: m[3]!.replace(/^"(.*)"$/, '$1') };
}

/** The last segment of a possibly URN-qualified attribute name: `urn:…:User:userName` → `username`. */
export const shortName = (name: string): string => (name.split(':').pop() ?? name).toLowerCase();

/** Was this request sent with a token of the all-permissions demo client? */
export const isAdmin = (req: ProxyRequest, ctx: FaultContext): boolean => ctx.clientOf(req.headers.authorization) === 'admin';

function opaque(tag: string): string {
  let t = tag.trim();
  if (/^w\//i.test(t)) t = t.slice(2);
  return t.replace(/^"(.*)"$/, '$1');
}

/** If-Match absent, `*`, or naming the current entity tag. */
export function ifMatchHolds(req: ProxyRequest, currentEtag: string | undefined): boolean {
  const h = req.headers['if-match'];
  if (h === undefined || h.trim() === '') return true;
  return h.split(',').some((t) => t.trim() === '*' || (currentEtag !== undefined && opaque(t) === opaque(currentEtag)));
}

/** GET the resource the request addresses, with the request's identity. */
export function current(req: ProxyRequest, ctx: FaultContext): Promise<ProxyResponse> {
  return ctx.get(req.path, req);
}

/** A 200 answer carrying a resource read from the target (body and ETag). */
export function asAnswer(status: number, read: ProxyResponse, extra: Record<string, string> = {}): ProxyResponse {
  const headers: Record<string, string> = { ...extra };
  if (read.headers.etag) headers.etag = read.headers.etag;
  return jsonResponse(status, read.body, headers);
}

/** Fix totalResults/itemsPerPage after Resources were removed from a list. */
export function recount(body: Json, removed: number): void {
  if (typeof body.totalResults === 'number') body.totalResults -= removed;
  if (Array.isArray(body.Resources)) body.itemsPerPage = body.Resources.length;
}
