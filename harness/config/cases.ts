/** Case tables (fixtures/cases/*.json): rows tagged with the behaviour they check. */

/** The rows of `table` for behaviour `id`; a behaviour without rows is a broken table, not a passing test. */
export function rowsOf<R extends { behaviour: string }>(rows: readonly R[], id: string, source: string): R[] {
  const mine = rows.filter((r) => r.behaviour === id);
  if (mine.length === 0) throw new Error(`${source} has no row for ${id}`);
  return mine;
}

/**
 * Fills placeholders in a case-table value (strings, arrays and objects, deeply): `{{name}}`, or `{name}` with
 * `single: true`. A string that is only a placeholder becomes the value itself (so numbers and objects stay
 * typed). A placeholder without a value is a broken table row: it throws, naming `source`.
 */
export function fillCase<T>(template: T, vars: Record<string, unknown>, source: string, options: { single?: boolean } = {}): T {
  const any = options.single ? /\{(\w+)\}/g : /\{\{(\w+)\}\}/g;
  const whole = options.single ? /^\{(\w+)\}$/ : /^\{\{(\w+)\}\}$/;
  const value = (name: string, where: string): unknown => {
    if (vars[name] === undefined) throw new Error(`${source}: no value for placeholder ${name} in "${where}"`);
    return vars[name];
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const w = whole.exec(v);
      if (w) return value(w[1], v);
      return v.replace(any, (_, name: string) => String(value(name, v)));
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(template) as T;
}
