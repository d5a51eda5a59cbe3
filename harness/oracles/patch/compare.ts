/**
 * Comparing the model with what a server returns: the comparable view of a resource (only what the model determines,
 * normalised), the model read from a representation, and the differences.
 */
import { ciGet } from '../attributes.ts';
import { isObj, lc, same, type Obj, type ResourceKind, type ResourceModel } from './model.ts';
import { findDef, schemaOf, type AttrDef } from './schema.ts';
import { recordView } from './state.ts';


function attrView(attr: AttrDef, v: unknown): unknown {
  if (attr.multi) {
    const list = Array.isArray(v) ? v.filter(isObj) : [];
    return list.map((r) => recordView(attr, r)).map((r) => JSON.stringify(r)).sort().map((s) => JSON.parse(s));
  }
  if (attr.type === 'complex') {
    if (!isObj(v)) return null;
    const r = recordView(attr, v);
    return Object.keys(r).length ? r : null;
  }
  if (v === undefined || v === null) return null;
  return typeof v === 'string' && attr.ci ? lc(v) : v;
}

/** The comparable view of a model or of a resource read from the server: what the model determines, normalised. */
export function viewOf(resource: ResourceKind, doc: Obj): Record<string, unknown> {
  const schema = schemaOf(resource);
  const out: Record<string, unknown> = {};
  for (const attr of schema.core) {
    if (attr.mutability === 'readOnly' || attr.mutability === 'writeOnly') continue;
    out[attr.name] = attrView(attr, doc[attr.name]);
  }
  for (const ext of schema.exts) {
    const c = isObj(doc[ext.urn]) ? doc[ext.urn] : {};
    for (const attr of ext.attrs) out[`${ext.urn}:${attr.name}`] = attrView(attr, c[attr.name]);
  }
  return out;
}

export const fullView = (m: ResourceModel) => ({ view: viewOf(m.resource, m.doc), uncertain: [...m.uncertainRoles].sort() });

/** The model's document from a resource representation (POST/GET body): writable attributes, canonical names. */
export function docFromResource(resource: ResourceKind, body: unknown): Obj {
  const schema = schemaOf(resource);
  const doc: Obj = {};
  if (!isObj(body)) return doc;
  const canon = (defs: AttrDef[], src: Obj, dst: Obj) => {
    for (const [k, v] of Object.entries(src)) {
      const attr = findDef(defs, k);
      if (!attr || attr.mutability === 'readOnly' || attr.mutability === 'writeOnly' || v === null || v === undefined) continue;
      if (attr.multi) {
        const list = (Array.isArray(v) ? v : []).filter(isObj).map((r) => {
          const rec: Obj = {};
          for (const [sk, sv] of Object.entries(r)) {
            const sd = findDef(attr.sub, sk);
            if (sd) rec[sd.name] = sv;
          }
          return rec;
        });
        dst[attr.name] = resource === 'users' && attr.name === 'emails' ? list.filter((r) => lc(String(r.type ?? '')) !== 'other') : list;
      } else if (attr.type === 'complex') {
        if (!isObj(v)) continue;
        const rec: Obj = {};
        for (const [sk, sv] of Object.entries(v)) {
          const sd = findDef(attr.sub, sk);
          if (sd) rec[sd.name] = sv;
        }
        dst[attr.name] = rec;
      } else {
        dst[attr.name] = v;
      }
    }
  };
  canon(schema.core, body, doc);
  for (const ext of schema.exts) {
    const src = ciGet(body, ext.urn);
    if (isObj(src)) {
      doc[ext.urn] = {};
      canon(ext.attrs, src, doc[ext.urn]);
    }
  }
  return doc;
}

/** A model of the resource as the server returned it (the response of its POST, or a GET). */
export function modelFromResource(resource: ResourceKind, body: unknown): ResourceModel {
  const id = isObj(body) && typeof body.id === 'string' ? body.id : '';
  return { resource, id, doc: docFromResource(resource, body), uncertainRoles: [] };
}

export interface Difference {
  attribute: string;
  expected: unknown;
  actual: unknown;
}

/** What differs between the model and a resource the server returned (only what the model determines). */
export function compareResource(model: ResourceModel, body: unknown): Difference[] {
  const expected = viewOf(model.resource, model.doc);
  const actual = viewOf(model.resource, docFromResource(model.resource, body));
  const diffs: Difference[] = [];
  for (const k of Object.keys(expected)) {
    if (k === 'roles' && model.resource === 'users') {
      const definite = (expected[k] as Obj[]).map((r) => String(r.value));
      const got = (actual[k] as Obj[]).map((r) => String(r.value));
      const allowed = new Set([...definite, ...model.uncertainRoles]);
      if (definite.some((r) => !got.includes(r)) || got.some((r) => !allowed.has(r))) {
        diffs.push({
          attribute: k,
          expected: model.uncertainRoles.length ? { all: definite, andMaybe: model.uncertainRoles } : definite,
          actual: got,
        });
      }
      continue;
    }
    if (!same(expected[k], actual[k])) diffs.push({ attribute: k, expected: expected[k], actual: actual[k] });
  }
  return diffs;
}

/** The schema attributes the model knows, for documentation and tests. */
export function modelledAttributes(resource: ResourceKind): string[] {
  return Object.keys(viewOf(resource, {}));
}

