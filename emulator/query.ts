/**
 * Query-string decoding for the emulator (used as fastify's querystringParser).
 *
 * - `+` and `%20` both decode to a space (application/x-www-form-urlencoded rules, via URLSearchParams).
 * - Repeated keys become arrays, in order.
 * - `attributes` / `excludedAttributes` accept comma-separated values, repeated keys, or both.
 */
import type { ScimQuery } from './http-types.ts';

export type RawQuery = Record<string, string | string[]>;

/** Decode a raw query string (without the leading `?`). The result has no prototype. */
export function parseQueryString(qs: string): RawQuery {
  const out: RawQuery = Object.create(null);
  if (qs === '') return out;
  for (const [key, value] of new URLSearchParams(qs)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (typeof prev === 'string') out[key] = [prev, value];
    else prev.push(value);
  }
  return out;
}

/** Split comma-separated and repeated attribute lists; trims entries and drops empty ones. */
export function splitAttributeList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = typeof value === 'string' ? [value] : value;
  const out: string[] = [];
  for (const part of parts) {
    for (const item of part.split(',')) {
      const trimmed = item.trim();
      if (trimmed !== '') out.push(trimmed);
    }
  }
  return out;
}

/** The first value of a (possibly repeated) key. */
function first(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[0];
}

/** Keys are matched exactly first, then case-insensitively (`startindex`, `Filter`). */
function lookup(raw: RawQuery, key: string): string | string[] | undefined {
  const exact = raw[key];
  if (exact !== undefined) return exact;
  const lower = key.toLowerCase();
  for (const k in raw) if (k.toLowerCase() === lower) return raw[k];
  return undefined;
}

export function toScimQuery(raw: RawQuery): ScimQuery {
  let hasKeys = false;
  for (const _ in raw) { hasKeys = true; break; }
  if (!hasKeys) return { attributes: [], excludedAttributes: [], raw };
  const query: ScimQuery = {
    attributes: splitAttributeList(lookup(raw, 'attributes')),
    excludedAttributes: splitAttributeList(lookup(raw, 'excludedAttributes')),
    raw,
  };
  const filter = first(lookup(raw, 'filter'));
  if (filter !== undefined) query.filter = filter;
  const startIndex = first(lookup(raw, 'startIndex'));
  if (startIndex !== undefined) query.startIndex = startIndex;
  const count = first(lookup(raw, 'count'));
  if (count !== undefined) query.count = count;
  return query;
}

/** Convenience: decode a raw query string straight into a ScimQuery. */
export function parseScimQuery(qs: string): ScimQuery {
  return toScimQuery(parseQueryString(qs));
}
