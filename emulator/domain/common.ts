/** Small helpers shared by the users and groups handlers: ETags, preconditions, paging parameters, JSON checks. */
import { clip, ScimHttpError, type ScimRequest } from '../http-types.ts';

export type EtagStyle = 'strong' | 'weak';

/** The ETag header value, which is also meta.version verbatim: `"3"` (or `W/"3"`). */
export function etagOf(version: number, style: EtagStyle): string {
  return style === 'weak' ? `W/"${version}"` : `"${version}"`;
}

/** Reduces an entity tag to its opaque part so `"3"`, `W/"3"` and a bare `3` compare equal. */
function opaque(tag: string): string {
  let t = tag.trim();
  if (t.startsWith('W/') || t.startsWith('w/')) t = t.slice(2);
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1);
  return t;
}

function tagList(header: string): string[] {
  return header.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function headerMatches(header: string, etag: string): boolean {
  const current = opaque(etag);
  return tagList(header).some((t) => t === '*' || opaque(t) === current);
}

/** If-Match on PUT/PATCH/DELETE: absent or matching → ok; stale → 400 invalidVers (Genesys, not the RFC's 412). */
export function checkIfMatch(req: ScimRequest, etag: string): void {
  const h = req.headers['if-match'];
  if (h === undefined || h.trim() === '') return;
  if (!headerMatches(h, etag)) {
    throw new ScimHttpError(400, `If-Match ${clip(h)} does not match the current version ${etag}`, 'invalidVers');
  }
}

/** If-None-Match on GET: true when the client's copy is current (→ 304). */
export function ifNoneMatchIsCurrent(req: ScimRequest, etag: string): boolean {
  const h = req.headers['if-none-match'];
  return h !== undefined && h.trim() !== '' && headerMatches(h, etag);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Case-insensitive key lookup (RFC 7643 §2.1): exact key first, then any key equal ignoring case. */
export function ciGet(obj: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

export function ciHas(obj: Record<string, unknown>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(obj).some((k) => k.toLowerCase() === lower);
}

export interface Paging {
  startIndex: number;
  count: number;
}

function intParam(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined || raw.trim() === '') return dflt;
  const t = raw.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new ScimHttpError(400, `${name} must be an integer, got "${clip(raw)}"`, 'invalidValue');
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new ScimHttpError(400, `${name} is out of range: "${clip(raw)}"`, 'invalidValue');
  return n;
}

/** startIndex: 1-based, default 1, values < 1 treated as 1. count: default 25, negative → 0. Non-integers → 400 invalidValue. */
export function parsePaging(req: ScimRequest, defaultCount = 25): Paging {
  const startIndex = Math.max(1, intParam('startIndex', req.query.startIndex, 1));
  const count = Math.max(0, intParam('count', req.query.count, defaultCount));
  return { startIndex, count };
}

export function deepClone<T>(v: T): T {
  return structuredClone(v);
}
