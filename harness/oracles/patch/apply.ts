/**
 * A reference model of SCIM PATCH (RFC 7644 §3.5.2) on a Genesys Cloud user and group, written from the RFC, the
 * SDK docs (seeds 000/002) and the reference notes (genesys-scim-behaviour.md §4, §7, §8). It shares no code with
 * the emulator: it is the independent oracle the property-based suites compare a server against.
 *
 * Modules: model.ts (vocabulary and outcomes), schema.ts (the attributes), path.ts (PATCH paths), value-filter.ts
 * (filters inside a path), state.ts (the document being changed and the values written to it), apply.ts (this file:
 * the operations in order, atomically), compare.ts (the model against a server's representation).
 *
 * applyPatch(model, body) predicts one of:
 *  - ok: the resource after the request (only what the sources determine is compared, see compareResource);
 *  - error: status 400 and the scimType (plus any other scimType the sources allow for that case);
 *  - undetermined: the sources leave the outcome open (the suite then does not send the request).
 *
 * RFC rules applied (RFC 7644 §3.5.2 unless noted):
 *  - the body needs schemas ∋ PatchOp and a non-empty Operations array, each op one of add/remove/replace
 *    (case-insensitive: the SDK validates op case-insensitively and Entra sends "Replace", reference §7) → else invalidSyntax;
 *  - paths follow the §3.5.2 ABNF (attrPath / valuePath [subAttr], optional schema URN prefix, §3.10); attribute names are
 *    case-insensitive (RFC 7643 §2.1); a malformed path is invalidPath (invalidFilter also accepted inside brackets);
 *  - operations apply in order and atomically: one failure leaves the resource unchanged;
 *  - add: single-valued → replaced; complex → sub-attributes merged; multi-valued → values appended, a value already
 *    present changes nothing (§3.5.2.1);
 *  - remove: requires a path (else noTarget, §3.5.2.2); a filter matching nothing → noTarget (§3.12); removing a
 *    required or read-only attribute → mutability (§3.5.2.2; invalidValue also accepted: §3.12 "a required value was missing");
 *  - replace: single-valued set; multi-valued without filter → all values replaced; with a filter → matching records (or
 *    their sub-attribute) replaced, no match → noTarget; complex → sub-attributes merged; a missing attribute is added (§3.5.2.3);
 *  - writing id, meta, groups (RFC 7643 §4.1.2), emails[type eq "other"] (reference §4.1, 2021) → mutability;
 *  - a value of the wrong JSON type for the attribute → invalidValue (invalidSyntax also accepted).
 *
 * Genesys specifics (reference §4.1, §7, §8) that make outcomes undetermined rather than guessed:
 *  - emails/phoneNumbers hold one value per type, skills/languages one per name, externalIds one per authority: adding a
 *    second, different record with the same key is undetermined (replace vs. refuse);
 *  - deactivating a user drops or keeps its roles (a documented contradiction, §8): roles become "uncertain";
 *    role operations on an inactive user are undetermined;
 *  - removing an attribute that has no value, removing division, strings for booleans ("True"), numbers for strings,
 *    unknown names (roles, skills, divisions, managers, members outside `known`), path-less keys that are paths, and
 *    add with a value filter that is not a plain `attr eq "value"` are undetermined;
 *  - add with a value-filter path that matches nothing (`phoneNumbers[type eq "mobile"].value`) creates that record
 *    (Entra sends these, reference §7 "paths that must work").
 */
import { ciGet, ciKey } from '../attributes.ts';
import { PATCH_OP_URN } from '../urns.ts';
import { fullView } from './compare.ts';
import {
  badValue,
  clone,
  isObj,
  isUnassigned,
  lc,
  open,
  PathSyntaxError,
  refuse,
  same,
  Stop,
  type ModelOptions,
  type Obj,
  type PatchOutcome,
  type PredictedError,
  type ResourceModel,
  type ScimType,
} from './model.ts';
import { parsePath, resolveTarget, type ParsedPath, type Target } from './path.ts';
import { findDef, schemaOf, type AttrDef, type ExtDef } from './schema.ts';
import { record, recordView, recKey, scalar, type State } from './state.ts';
import { matchFilter } from './value-filter.ts';

// ------------------------------------------------------------------------------------------------ application

function container(st: State, ext: ExtDef | undefined, create: boolean): Obj | undefined {
  if (!ext) return st.doc;
  let c = st.doc[ext.urn];
  if (!isObj(c)) {
    if (!create) return undefined;
    c = {};
    st.doc[ext.urn] = c;
  }
  return c;
}

function guardRoles(st: State, attr: AttrDef): void {
  if (attr.name === 'roles' && st.schema.resource === 'users' && st.doc.active === false && (st.opts.rolesOnDeactivation ?? 'unknown') === 'unknown') {
    open('a role change on an inactive user (what deactivation did to its roles is not determined, reference §8)');
  }
}

/** Records of a multi-valued attribute including derived read-only ones (the `other` email is the userName). */
function recordsWithDerived(st: State, attr: AttrDef, list: Obj[]): { rec: Obj; readOnly: boolean }[] {
  const out = list.map((rec) => ({ rec, readOnly: false }));
  if (st.schema.resource === 'users' && attr.name === 'emails' && typeof st.doc.userName === 'string') {
    out.unshift({ rec: { value: st.doc.userName, type: 'other' }, readOnly: true });
  }
  return out;
}

function isReadOnlyRecord(st: State, attr: AttrDef, rec: Obj): boolean {
  return st.schema.resource === 'users' && attr.name === 'emails' && lc(String(rec.type ?? '')) === 'other';
}

function rejectOtherEmail(st: State, attr: AttrDef, rec: Obj, what: string): void {
  if (!isReadOnlyRecord(st, attr, rec)) return;
  if (st.opts.apiVersion !== '2021') open(`${what}: an "other" email (its read-only rule is documented for 2021)`);
  if (typeof rec.value === 'string' && typeof st.doc.userName === 'string' && lc(rec.value) === lc(st.doc.userName)) {
    open(`${what}: the "other" email equal to userName (ignored or refused)`);
  }
  refuse('mutability', `${what}: emails[type eq "other"] is the userName and read-only (reference §4.1)`);
}

/** Adds records to a multi-valued attribute (§3.5.2.1). */
function addRecords(st: State, attr: AttrDef, c: Obj, items: Obj[], what: string): void {
  guardRoles(st, attr);
  const list: Obj[] = Array.isArray(c[attr.name]) ? c[attr.name] : [];
  for (const item of items) {
    rejectOtherEmail(st, attr, item, what);
    const view = recordView(attr, item);
    if (list.some((r) => same(recordView(attr, r), view))) {
      if (attr.name === 'roles') st.uncertainRoles.delete(String(item.value));
      continue; // "already contains the value specified": no change (§3.5.2.1)
    }
    const key = recKey(attr, item);
    if (key !== undefined && list.some((r) => recKey(attr, r) === key)) {
      open(`${what}: a second ${attr.name} record with ${attr.key} ${key} (Genesys keeps one per ${attr.key}: replace or refuse)`);
    }
    if (attr.name === 'roles' && st.uncertainRoles.has(String(item.value))) st.uncertainRoles.delete(String(item.value));
    list.push(item);
  }
  c[attr.name] = list;
}

function setRecords(st: State, attr: AttrDef, c: Obj, items: Obj[], what: string): void {
  guardRoles(st, attr);
  if (st.schema.resource === 'users' && attr.name === 'emails') open(`${what}: replacing every email (the read-only "other" email is among them)`);
  const list: Obj[] = [];
  for (const item of items) {
    rejectOtherEmail(st, attr, item, what);
    const view = recordView(attr, item);
    if (list.some((r) => same(recordView(attr, r), view))) open(`${what}: the same value twice`);
    const key = recKey(attr, item);
    if (key !== undefined && list.some((r) => recKey(attr, r) === key)) open(`${what}: two records with ${attr.key} ${key}`);
    list.push(item);
  }
  if (attr.name === 'roles') st.uncertainRoles.clear();
  c[attr.name] = list;
}

function setSimple(st: State, attr: AttrDef, c: Obj, v: unknown, what: string): void {
  const value = scalar(st, attr, v, what);
  if (attr.mutability === 'writeOnly') return; // password: accepted, never returned
  const wasActive = st.doc.active;
  c[attr.name] = value;
  if (st.schema.resource === 'users' && attr.name === 'active' && wasActive === true && value === false) {
    const policy = st.opts.rolesOnDeactivation ?? 'unknown';
    const roles: Obj[] = Array.isArray(st.doc.roles) ? st.doc.roles : [];
    if (policy === 'drop') st.doc.roles = [];
    if (policy === 'unknown') {
      for (const r of roles) st.uncertainRoles.add(String(r.value));
      st.doc.roles = [];
    }
  }
  if (attr.required) st.removedRequired.delete(attr.name);
}

function mergeComplex(st: State, attr: AttrDef, c: Obj, v: unknown, what: string): void {
  const rec = record(st, attr, v, what, true);
  const cur = isObj(c[attr.name]) ? c[attr.name] : {};
  const next = { ...cur, ...rec };
  record(st, attr, next, what); // the result must be complete
  c[attr.name] = next;
}

function matches(st: State, t: Target, list: Obj[]): { hits: Obj[]; readOnlyHit: boolean; uncertainHit: boolean } {
  const attr = t.attr!;
  const hits: Obj[] = [];
  let readOnlyHit = false;
  for (const { rec, readOnly } of recordsWithDerived(st, attr, list)) {
    if (!matchFilter(t.filter!, rec, attr)) continue;
    if (readOnly) readOnlyHit = true;
    else hits.push(rec);
  }
  let uncertainHit = false;
  if (attr.name === 'roles') uncertainHit = [...st.uncertainRoles].some((value) => matchFilter(t.filter!, { value }, attr));
  return { hits, readOnlyHit, uncertainHit };
}

type OpName = 'add' | 'replace' | 'remove';

function applyTarget(st: State, op: OpName, t: Target, value: unknown, hasValue: boolean): void {
  const what = `${op} ${t.text}`;
  if (!t.attr) {
    // the whole extension object
    if (op === 'remove') open(`${what}: removing a whole extension (division falls back to a default)`);
    if (!isObj(value)) badValue(`${what}: the value must be an object of ${t.ext!.urn} attributes`);
    for (const [k, x] of Object.entries(value as Obj)) {
      const attr = findDef(t.ext!.attrs, k) ?? open(`${what}: unknown attribute "${k}"`);
      applyTarget(st, op, { ext: t.ext, attr, text: `${t.ext!.urn}:${attr.name}` }, x, true);
    }
    return;
  }
  const attr = t.attr;
  if (attr.mutability === 'readOnly') refuse('mutability', `${what}: ${attr.name} is read-only`);
  if (attr.mutability === 'writeOnly' && (op === 'remove' || t.sub || t.filter)) open(`${what}: a write-only attribute`);
  if (attr.noWrite) open(`${what}: whether ${attr.name} may be written is not determined`);
  const c = container(st, t.ext, op !== 'remove');
  const cur = c?.[attr.name];

  if (op === 'remove') {
    if (attr.multi) guardRoles(st, attr);
    if (t.filter) {
      const list: Obj[] = Array.isArray(cur) ? cur : [];
      const { hits, readOnlyHit, uncertainHit } = matches(st, t, list);
      if (readOnlyHit) rejectOtherEmail(st, attr, { type: 'other', value: '' }, what);
      if (uncertainHit) open(`${what}: the filter matches a role that deactivation may have dropped`);
      if (hits.length === 0) refuse('noTarget', `${what}: the filter matches no value`);
      if (hasValue) open(`${what}: a value with a filtered remove`);
      if (t.sub) {
        if (t.sub.required || t.sub.needed || t.sub.ignored) open(`${what}: removing ${t.sub.name} of a record`);
        for (const h of hits) delete h[t.sub.name];
        return;
      }
      c![attr.name] = list.filter((r) => !hits.includes(r));
      return;
    }
    if (t.sub) {
      if (attr.multi) open(`${what}: a sub-attribute of every record`);
      if (t.sub.required || t.sub.ignored) open(`${what}: removing ${attr.name}.${t.sub.name}`);
      if (!isObj(cur) || cur[t.sub.name] === undefined) open(`${what}: nothing to remove`);
      delete cur[t.sub.name];
      return;
    }
    if (attr.noRemove) open(`${what}: ${attr.name} falls back to a default or is refused`);
    if (attr.multi && hasValue) {
      // Entra's legacy form {op: remove, path: members, value: [{value: id}]} (reference §7, S9)
      if (!(st.schema.resource === 'groups' && attr.name === 'members')) open(`${what}: a value on remove`);
      if (!Array.isArray(value) || value.length === 0) return badValue(`${what}: the value must list members`);
      const list: Obj[] = Array.isArray(cur) ? cur : [];
      const drop = value.map((x, i) => recordView(attr, record(st, attr, x, `${what}[${i}]`)));
      for (const d of drop) if (!list.some((r) => same(recordView(attr, r), d))) open(`${what}: ${JSON.stringify(d)} is not a member`);
      c![attr.name] = list.filter((r) => !drop.some((d) => same(recordView(attr, r), d)));
      return;
    }
    if (hasValue) open(`${what}: a value on remove`);
    if (attr.multi && st.schema.resource === 'users' && attr.name === 'emails') open(`${what}: removing every email (the read-only "other" email is among them)`);
    if (isUnassigned(cur)) open(`${what}: removing an attribute without a (known) value (no-op or noTarget)`);
    if (attr.required) {
      st.removedRequired.set(attr.name, -1);
    }
    delete c![attr.name];
    if (attr.name === 'roles') st.uncertainRoles.clear();
    return;
  }

  // add / replace
  if (!hasValue) refuse('invalidSyntax', `${what}: no value`, ['invalidValue']);
  if (value === null) open(`${what}: null (unassign or refuse)`);

  if (t.filter) {
    const list: Obj[] = Array.isArray(cur) ? cur : [];
    guardRoles(st, attr);
    const { hits, readOnlyHit, uncertainHit } = matches(st, t, list);
    if (readOnlyHit) rejectOtherEmail(st, attr, { type: 'other', value: '' }, what);
    if (uncertainHit) open(`${what}: the filter matches a role that deactivation may have dropped`);
    if (hits.length === 0) {
      if (op === 'replace') refuse('noTarget', `${what}: the filter matches no value (§3.5.2.3)`);
      // add with a filter that matches nothing: Entra's way of creating a typed value (reference §7)
      const f = t.filter;
      if (!t.sub || f.kind !== 'compare' || f.op !== 'eq' || typeof f.value !== 'string') open(`${what}: add through a filter that is not attr eq "value"`);
      const keyDef = findDef(attr.sub, f.path.attr)!;
      const rec = record(st, attr, { [keyDef.name]: f.value, [t.sub.name]: value }, what);
      addRecords(st, attr, c!, [rec], what);
      return;
    }
    if (t.sub) {
      if (t.sub.ignored) open(`${what}: an uncompared sub-attribute`);
      const v = scalar(st, t.sub, value, what);
      for (const h of hits) {
        h[t.sub.name] = v;
        rejectOtherEmail(st, attr, h, what);
      }
      if (attr.key === t.sub.name && hits.length > 1) open(`${what}: several records get the same ${attr.key}`);
      checkKeys(attr, list, what);
      return;
    }
    if (op === 'add') open(`${what}: add of a whole record through a filter`);
    const rec = record(st, attr, value, what, true);
    // "all matching record values SHALL be replaced": whether the record is replaced or merged is not said;
    // both must give the same compared result.
    for (const h of hits) {
      const merged = { ...h, ...rec };
      const replaced = record(st, attr, rec, what);
      if (!same(recordView(attr, merged), recordView(attr, replaced))) open(`${what}: replacing a record with a partial value`);
      for (const k of Object.keys(h)) delete h[k];
      Object.assign(h, merged);
      rejectOtherEmail(st, attr, h, what);
    }
    checkKeys(attr, list, what);
    return;
  }

  if (t.sub) {
    if (attr.multi) open(`${what}: a sub-attribute of every record`);
    if (t.sub.ignored) open(`${what}: an uncompared sub-attribute`);
    mergeComplex(st, attr, c!, { [t.sub.name]: value }, what);
    return;
  }

  if (attr.multi) {
    if (isObj(value)) open(`${what}: a single object for a multi-valued attribute`);
    // RFC 7644 §3.5.2.1: "The value MAY be a quoted value": for a complex attribute with a `value` sub-attribute a
    // server may take it as that sub-attribute (with a default type) or refuse it.
    if ((typeof value === 'string' || typeof value === 'number') && findDef(attr.sub, 'value')) open(`${what}: a bare value for ${attr.name}`);
    const items = Array.isArray(value) ? value : badValue(`${what}: ${attr.name} takes an array, got ${JSON.stringify(value)}`);
    if (op === 'add') {
      // A partial record with the key of an existing one may be a merge (upsert by key) or a refusal: check keys first.
      const list: Obj[] = Array.isArray(cur) ? cur : [];
      const partial = (items as unknown[]).map((x, i) => record(st, attr, x, `${what}[${i}]`, true));
      for (const p of partial) {
        const key = recKey(attr, p);
        const existing = key !== undefined && key !== 'null' ? list.find((r) => recKey(attr, r) === key) : undefined;
        if (existing && !same(recordView(attr, p), recordView(attr, existing))) {
          rejectOtherEmail(st, attr, p, what);
          open(`${what}: a second ${attr.name} record with ${attr.key} ${key} (Genesys keeps one per ${attr.key}: replace, merge or refuse)`);
        }
      }
      addRecords(st, attr, c!, (items as unknown[]).map((x, i) => record(st, attr, x, `${what}[${i}]`)), what);
      return;
    }
    setRecords(st, attr, c!, (items as unknown[]).map((x, i) => record(st, attr, x, `${what}[${i}]`)), what);
    return;
  }
  if (attr.type === 'complex') {
    mergeComplex(st, attr, c!, value, what);
    return;
  }
  setSimple(st, attr, c!, value, what);
}

function checkKeys(attr: AttrDef, list: Obj[], what: string): void {
  if (!attr.key) return;
  const keys = list.map((r) => recKey(attr, r));
  if (new Set(keys).size !== keys.length) open(`${what}: two records end up with the same ${attr.key}`);
}

/** A path-less add/replace: the value is an object of attributes (extension URNs hold objects of theirs). */
function applyPathless(st: State, op: OpName, value: unknown): void {
  const what = `${op} (no path)`;
  if (value === undefined) refuse('invalidSyntax', `${what}: no value`, ['invalidValue']);
  if (!isObj(value)) badValue(`${what}: the value must be an object of attributes`);
  const entries = Object.entries(value as Obj);
  if (entries.length === 0) open(`${what}: an empty value object`);
  for (const [k, x] of entries) {
    const ext = st.schema.exts.find((e) => lc(e.urn) === lc(k));
    if (ext) {
      if (ext.since2021 && st.opts.apiVersion !== '2021') open(`${ext.urn} is not documented for API version ${st.opts.apiVersion}`);
      applyTarget(st, op, { ext, text: ext.urn }, x, true);
      continue;
    }
    if (/[:.[]/.test(k)) open(`${what}: a key that is a path ("${k}", Entra's form)`);
    if (lc(k) === 'schemas') open(`${what}: "schemas" in the value`);
    const attr = findDef(st.schema.core, k) ?? open(`${what}: unknown attribute "${k}" (ignored or refused)`);
    if (attr.mutability === 'readOnly') open(`${what}: read-only attribute "${k}" in the value (ignored or refused)`);
    if (attr.name === 'roles' && st.opts.apiVersion !== '2021') open('roles are documented for API version 2021 only');
    applyTarget(st, op, { attr, text: attr.name }, x, true);
  }
}

// ------------------------------------------------------------------------------------------------ static checks

interface ParsedOp {
  index: number;
  op?: OpName;
  target?: Target;
  /** The op carries a value member. */
  hasValue: boolean;
  value: unknown;
  /** Errors visible without the resource (syntax, path, mutability, value type). */
  errors: { scimType: ScimType; accept: ScimType[]; detail: string }[];
  undetermined?: string;
}

function parseOp(st: State, raw: unknown, index: number): ParsedOp {
  const out: ParsedOp = { index, hasValue: false, value: undefined, errors: [] };
  const add = (scimType: ScimType, detail: string, also: ScimType[] = []) => out.errors.push({ scimType, accept: [scimType, ...also], detail });
  if (!isObj(raw)) {
    add('invalidSyntax', `Operations[${index}] is not an object`);
    return out;
  }
  const name = ciGet(raw, 'op');
  if (typeof name !== 'string' || !['add', 'remove', 'replace'].includes(lc(name))) {
    add('invalidSyntax', `Operations[${index}].op ${JSON.stringify(name)} is not add, remove or replace`);
    return out;
  }
  out.op = lc(name) as OpName;
  const valueKey = ciKey(raw, 'value');
  out.hasValue = valueKey !== undefined;
  out.value = valueKey === undefined ? undefined : raw[valueKey];
  const path = ciGet(raw, 'path');
  if (path === undefined) {
    if (out.op === 'remove') add('noTarget', `Operations[${index}]: remove without a path (§3.5.2.2)`);
    return out;
  }
  if (typeof path !== 'string') {
    add('invalidPath', `Operations[${index}].path is not a string`, ['invalidSyntax']);
    return out;
  }
  const knownUrns = [st.schema.coreUrn, ...st.schema.exts.map((e) => e.urn)];
  let parsed: ParsedPath;
  try {
    parsed = parsePath(path, knownUrns);
  } catch (e) {
    if (!(e instanceof PathSyntaxError)) throw e;
    add('invalidPath', e.message, e.inFilter ? ['invalidFilter'] : []);
    return out;
  }
  try {
    out.target = resolveTarget(st.schema, parsed, st.opts, path);
    if (out.target.attr?.mutability === 'readOnly') add('mutability', `Operations[${index}]: ${out.target.attr.name} is read-only`);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    if (e.failure.kind === 'error') out.errors.push({ scimType: e.failure.scimType, accept: e.failure.accept, detail: e.failure.detail });
    else out.undetermined = e.failure.reason;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ the model API

function snapshot(st: State): State {
  return { ...st, doc: clone(st.doc), uncertainRoles: new Set(st.uncertainRoles), removedRequired: new Map(st.removedRequired) };
}

function applyParsed(st: State, p: ParsedOp): void {
  if (p.target) applyTarget(st, p.op!, p.target, p.value, p.hasValue);
  else applyPathless(st, p.op!, p.value);
}

/**
 * scimTypes a server may report instead of the first failure: one that validates every operation before applying
 * any reports a later operation's syntax, path, mutability or value error (never a later noTarget, which needs the
 * operations before it applied).
 */
function laterAccept(before: State, later: ParsedOp[]): ScimType[] {
  const out = new Set<ScimType>();
  for (const p of later) {
    for (const x of p.errors) for (const t of x.accept) out.add(t);
    if (p.errors.length || p.undetermined || !p.op) continue;
    try {
      applyParsed(snapshot(before), p);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      if (e.failure.kind === 'error') for (const t of e.failure.accept) if (t !== 'noTarget') out.add(t);
    }
  }
  return [...out];
}

/** Predicts the outcome of a PATCH request body on the modelled resource. */
export function applyPatch(model: ResourceModel, body: unknown, opts: ModelOptions): PatchOutcome {
  const schema = schemaOf(model.resource);
  const fresh = (): State => ({
    schema,
    opts,
    id: model.id,
    doc: clone(model.doc),
    uncertainRoles: new Set(model.uncertainRoles),
    removedRequired: new Map(),
  });
  const st = fresh();
  const whole = (detail: string): PredictedError => ({ kind: 'error', status: 400, scimType: 'invalidSyntax', accept: ['invalidSyntax'], detail, op: -1 });
  if (!isObj(body)) return whole('the body is not a JSON object');
  const schemas = ciGet(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && lc(s) === lc(PATCH_OP_URN))) {
    return whole(`schemas does not hold ${PATCH_OP_URN}`);
  }
  const ops = ciGet(body, 'Operations');
  if (!Array.isArray(ops) || ops.length === 0) return whole('Operations is not a non-empty array');

  const parsed = ops.map((o, i) => parseOp(st, o, i));
  let deferred: { accept: ScimType[]; detail: string; op: number } | undefined;
  const predicted = (scimType: ScimType, accept: Iterable<ScimType>, detail: string, op: number): PredictedError => ({
    kind: 'error',
    status: 400,
    scimType: deferred ? 'mutability' : scimType,
    accept: [...new Set([...(deferred?.accept ?? []), scimType, ...accept])],
    detail: deferred ? `${deferred.detail}; then ${detail}` : detail,
    op: deferred ? deferred.op : op,
  });
  for (const p of parsed) {
    const later = parsed.slice(p.index + 1);
    if (p.errors.length) {
      const accept = new Set<ScimType>(p.errors.flatMap((x) => x.accept));
      // a value error on a filtered replace/remove: the server may look for the target first
      if (p.target?.filter && p.op !== 'add' && p.target.attr && !p.target.attr.mutability) {
        const c = container(st, p.target.ext, false);
        const list: Obj[] = Array.isArray(c?.[p.target.attr.name]) ? c![p.target.attr.name] : [];
        if (matches(st, p.target, list).hits.length === 0) accept.add('noTarget');
      }
      return predicted(p.errors[0].scimType, [...accept, ...laterAccept(st, later)], p.errors[0].detail, p.index);
    }
    if (p.undetermined) return { kind: 'undetermined', reason: p.undetermined, op: p.index };
    try {
      applyParsed(st, p);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      if (e.failure.kind === 'undetermined') return { kind: 'undetermined', reason: e.failure.reason, op: p.index };
      // the state before this op (the failed op may have changed st part-way): replay the ops before it
      const before = fresh();
      for (const q of parsed.slice(0, p.index)) applyParsed(before, q);
      const accept = [...e.failure.accept, ...laterAccept(before, later)];
      // a value error found while applying: a server validating values first would report it even with no target
      return predicted(e.failure.scimType, accept, e.failure.detail, p.index);
    }
    // A required attribute removed by this op: RFC §3.5.2.2 fails this op (mutability); a server that validates the
    // result instead fails at the end (invalidValue or mutability), after later ops may have failed first.
    for (const [name, at] of st.removedRequired) {
      if (at !== -1) continue;
      st.removedRequired.set(name, p.index);
      if (!deferred) {
        deferred = { accept: ['mutability', 'invalidValue', ...laterAccept(st, later)], detail: `remove of the required attribute ${name}`, op: p.index };
      }
    }
  }
  if (deferred) {
    const stillMissing = [...st.removedRequired.keys()].some((name) => isUnassigned(st.doc[name]));
    if (!stillMissing) return { kind: 'undetermined', reason: 'a required attribute is removed and set again in the same request', op: deferred.op };
    return { kind: 'error', status: 400, scimType: 'mutability', accept: [...new Set(deferred.accept)], detail: deferred.detail, op: deferred.op };
  }
  const state: ResourceModel = { resource: model.resource, id: model.id, doc: st.doc, uncertainRoles: [...st.uncertainRoles].sort() };
  return { kind: 'ok', state, changed: !same(fullView(model), fullView(state)) };
}
