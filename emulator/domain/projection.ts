/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) compiled once per distinct query into a
 * selection tree over the canonical keys of rendered resources, then applied per resource without string work.
 *
 * - Names: short (`userName`), core-URN-qualified (`urn:…:core:2.0:User:userName`), sub-attributes (`meta.version`,
 *   `emails.value`), an extension URN alone (the whole extension) or `URN:attr[.sub]`; matched case-insensitively.
 * - Always-returned attributes (schema.alwaysReturned, plus `schemas`) are returned whole and can't be excluded.
 * - Unknown names are ignored (in both parameters), so `attributes=foo` returns only the always-returned set.
 * - Both parameters together: the `attributes` selection is applied first, then the exclusions.
 */
import { isObject } from './common.ts';
import { resolveAttrRef, type AttrRef, type ResourceSchema } from './schema.ts';

interface Node {
  all: boolean;
  children: Map<string, Node>;
}

export interface Projection {
  /** True when nothing is selected or excluded (apply returns its argument). */
  readonly identity: boolean;
  apply(resource: Record<string, unknown>): Record<string, unknown>;
  /** Whether any part of the attribute at this canonical path would be returned. */
  includes(path: readonly string[]): boolean;
}

const newNode = (): Node => ({ all: false, children: new Map() });

function refPath(ref: AttrRef): string[] {
  const p: string[] = [];
  if (ref.ext) p.push(ref.ext.urn);
  if (ref.attr) p.push(ref.attr.name);
  if (ref.sub) p.push(ref.sub.name);
  return p;
}

function insert(root: Node, path: readonly string[]): void {
  let n = root;
  for (const seg of path) {
    if (n.all) return;
    let c = n.children.get(seg);
    if (!c) n.children.set(seg, (c = newNode()));
    n = c;
  }
  n.all = true;
  n.children.clear();
}

function pickValue(v: unknown, node: Node): unknown {
  if (node.all) return v;
  if (Array.isArray(v)) {
    const items = v.map((it) => (isObject(it) ? pickObject(it, node) : it)).filter((it) => !isObject(it) || Object.keys(it).length > 0);
    return items.length > 0 ? items : undefined;
  }
  if (isObject(v)) {
    const o = pickObject(v, node);
    return Object.keys(o).length > 0 ? o : undefined;
  }
  return v;
}

function pickObject(obj: Record<string, unknown>, node: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    const child = node.children.get(k);
    if (!child || obj[k] === undefined) continue;
    const v = pickValue(obj[k], child);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function dropObject(obj: Record<string, unknown>, node: Node): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj };
  for (const [k, child] of node.children) {
    const v = out[k];
    if (v === undefined) continue;
    if (child.all) {
      delete out[k];
    } else if (Array.isArray(v)) {
      const items = v.map((it) => (isObject(it) ? dropObject(it, child) : it)).filter((it) => !isObject(it) || Object.keys(it).length > 0);
      if (items.length > 0) out[k] = items;
      else delete out[k];
    } else if (isObject(v)) {
      const o = dropObject(v, child);
      if (Object.keys(o).length > 0) out[k] = o;
      else delete out[k];
    }
  }
  return out;
}

function compile(schema: ResourceSchema, attributes: readonly string[], excluded: readonly string[]): Projection {
  let include: Node | undefined;
  if (attributes.length > 0) {
    include = newNode();
    insert(include, ['schemas']);
    for (const a of schema.alwaysReturned) insert(include, [schema.core.get(a.toLowerCase())!.name]);
    for (const name of attributes) {
      const ref = resolveAttrRef(schema, name);
      if (ref) insert(include, refPath(ref));
    }
  }
  let exclude: Node | undefined;
  for (const name of excluded) {
    const ref = resolveAttrRef(schema, name);
    if (!ref) continue;
    const path = refPath(ref);
    if (!ref.ext && schema.alwaysReturned.has(path[0])) continue;
    insert((exclude ??= newNode()), path);
  }
  const inc = include;
  const exc = exclude;
  return {
    identity: !inc && !exc,
    apply(resource) {
      let r = resource;
      if (inc) r = pickObject(r, inc);
      if (exc) r = dropObject(r, exc);
      return r;
    },
    includes(path) {
      if (inc) {
        let n: Node | undefined = inc;
        for (const seg of path) {
          if (n.all) break;
          n = n.children.get(seg);
          if (!n) return false;
        }
      }
      if (exc) {
        let n: Node | undefined = exc;
        for (const seg of path) {
          n = n.children.get(seg);
          if (!n) return true;
          if (n.all) return false;
        }
      }
      return true;
    },
  };
}

const cache = new Map<string, Projection>();
const CACHE_MAX = 512;

/** Compiled and memoised per (resource type, attributes, excludedAttributes). */
export function projectionFor(schema: ResourceSchema, attributes: readonly string[], excluded: readonly string[]): Projection {
  const key = `${schema.resourceType}\u0000${attributes.join('\u0001')}\u0000${excluded.join('\u0001')}`;
  let p = cache.get(key);
  if (!p) {
    if (cache.size >= CACHE_MAX) cache.clear();
    p = compile(schema, attributes, excluded);
    cache.set(key, p);
  }
  return p;
}
