/** Reading one environment value: trimmed, and an empty value counts as unset. Used by the config modules only. */

export type Env = Record<string, string | undefined>;

export function value(env: Env, key: string): string | undefined {
  const v = env[key];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}
