/** Reading one environment value: trimmed, and an empty value counts as unset. Used by the config modules only. */

export type Env = Record<string, string | undefined>;

export function value(env: Env, key: string): string | undefined {
  const v = env[key];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/**
 * Ideal conditions: the embedded emulator outside its live-org profile. Nothing there may be blocked, lists never lag,
 * and the property-based checks get their full budget; anything else is judged like a real org.
 */
export function isIdeal(target: { embedded: boolean; live?: boolean }): boolean {
  return target.embedded && !target.live;
}
