/** Reading SCIM resources the way RFC 7643 §2.1 says names work: attribute names are case-insensitive. */

/** The value of `key` on `obj` (an exact match first, then ignoring case); undefined for non-objects. */
export function ciGet(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const o = obj as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(o, key)) return o[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}
