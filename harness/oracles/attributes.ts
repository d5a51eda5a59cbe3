/** Reading SCIM resources the way RFC 7643 §2.1 says names work: attribute names are case-insensitive. */

/** The key of `obj` that names `key` (an exact match first, then ignoring case); undefined for non-objects. */
export function ciKey(obj: unknown, key: string): string | undefined {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** The value of `key` on `obj` (an exact match first, then ignoring case); undefined for non-objects. */
export function ciGet(obj: unknown, key: string): unknown {
  const k = ciKey(obj, key);
  return k === undefined ? undefined : (obj as Record<string, unknown>)[k];
}
