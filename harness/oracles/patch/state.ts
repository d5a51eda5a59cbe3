/**
 * The state of one PATCH application (the resource document as the operations change it), and the values written to
 * it: validated for the attribute they go to and brought into canonical form, or refused, or left undetermined.
 */
import { ciGet } from '../attributes.ts';
import { badValue, isObj, lc, open, type ModelOptions, type Obj } from './model.ts';
import { findDef, type AttrDef, type RefKind, type ResourceSchema } from './schema.ts';


export interface State {
  schema: ResourceSchema;
  opts: ModelOptions;
  id: string;
  doc: Obj;
  uncertainRoles: Set<string>;
  /** Required attributes removed by an earlier operation of this request (and the op index). */
  removedRequired: Map<string, number>;
}

export function knownRef(st: State, kind: RefKind, value: string, what: string): string {
  if (kind === 'userIds' && st.schema.resource === 'users' && value === st.id) open(`${what}: the user itself`);
  const list = st.opts.known?.[kind];
  const hit = list?.find((n) => (kind === 'userIds' ? lc(n) === lc(value) : n === value));
  if (hit === undefined) return open(`${what} "${value}" is not known to exist on the target`);
  return hit;
}

/** Validates and canonicalises a scalar value for `def`. */
export function scalar(st: State, def: AttrDef, v: unknown, what: string): string | boolean | number {
  switch (def.type) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return open(`${what}: the string "${v}" for a boolean (Entra sends it; tolerance is inferred)`);
      return badValue(`${what} must be a boolean, got ${JSON.stringify(v)}`);
    case 'decimal': {
      if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return open(`${what}: a number given as a string`);
      if (typeof v !== 'number' || !Number.isFinite(v)) return badValue(`${what} must be a number, got ${JSON.stringify(v)}`);
      if (def.range && (v < def.range[0] || v > def.range[1])) return badValue(`${what} must be from ${def.range[0]} to ${def.range[1]}, got ${v}`);
      return v;
    }
    default: {
      if (typeof v === 'number') return open(`${what}: a number for a string attribute (servers may convert it)`);
      if (typeof v !== 'string') return badValue(`${what} must be a string, got ${JSON.stringify(v)}`);
      if (v.trim() === '') return open(`${what}: an empty string (unassign or refuse)`);
      if (def.canonical && !def.canonical.includes(lc(v))) return open(`${what}: "${v}" is not a documented value (${def.canonical.join(', ')})`);
      if (def.ref) return knownRef(st, def.ref, v, what);
      return v;
    }
  }
}

/** Validates one record of a multi-valued complex attribute (or a complex value) and returns it with canonical keys. */
export function record(st: State, attr: AttrDef, v: unknown, what: string, partial = false): Obj {
  if (attr.bare && (typeof v === 'string' || typeof v === 'number')) v = { [attr.bare]: v };
  if (!isObj(v)) return badValue(`${what} must be an object, got ${JSON.stringify(v)}`);
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const def = findDef(attr.sub, k);
    if (!def) return open(`${what}: unknown sub-attribute "${k}"`);
    if (def.ignored) {
      if (def.type === 'boolean' && x !== undefined && typeof x !== 'boolean') return open(`${what}.${def.name}: not a boolean`);
      continue;
    }
    if (x === null) return open(`${what}.${def.name}: null`);
    out[def.name] = scalar(st, def, x, `${what}.${def.name}`);
  }
  if (!partial) {
    for (const def of attr.sub ?? []) {
      if (def.ignored || out[def.name] !== undefined) continue;
      if (def.required) badValue(`${what}: ${def.name} is required`);
      if (def.needed) open(`${what}: no ${def.name} (the server chooses a default)`);
    }
  }
  return out;
}

/** The comparable form of a record: compared sub-attributes, case-folded where not case-exact. */
export function recordView(attr: AttrDef, rec: Obj): Obj {
  const out: Obj = {};
  for (const def of attr.sub ?? []) {
    if (def.ignored) continue;
    const v = ciGet(rec, def.name);
    if (v === undefined || v === null) continue;
    out[def.name] = typeof v === 'string' && def.ci ? lc(v) : v;
  }
  return out;
}
export const recKey = (attr: AttrDef, rec: Obj) => (attr.key ? JSON.stringify(recordView(attr, rec)[attr.key] ?? null) : undefined);
