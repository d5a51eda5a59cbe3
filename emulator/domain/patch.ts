/**
 * RFC 7644 §3.5.2 PATCH applied to a resource's writable JSON document (canonical attribute names, extension
 * objects under their URN). The caller re-validates the patched document with the same code as PUT, so value
 * errors (bad types, unknown roles, …) come out of that step; this module raises the structural errors:
 *
 *   body not a PatchOp (schemas URN missing, no Operations, op not add/replace/remove) → 400 invalidSyntax
 *   remove without a path                                                           → 400 noTarget
 *   unknown attribute / malformed path                                              → 400 invalidPath
 *   read-only targets (id, meta, groups, emails[type eq "other"], group externalId)   → 400 mutability
 *   a value filter matching nothing (remove, replace; add on a non-key attribute)    → 400 noTarget
 *
 * Tolerated client quirks (Entra): op in any case; a path-less add/replace whose value object has paths as keys
 * (unknown keys are ignored there, like unknown attributes in a POST/PUT body, since Entra sends `name.givenName`);
 * `{op:"Remove", path:"members", value:[{value:"id"}]}` removes just those members; value filters with single or
 * double quotes, even an unterminated single quote (`[authority eq 'zoomphone]`).
 * add on a multi-valued attribute upserts by the item key (emails/phoneNumbers: type, roles/members: value,
 * routing skills/languages: name, externalIds: authority); an add through a filter on the key matching nothing
 * creates the item (Entra's `phoneNumbers[type eq "mobile"].value`). A replace or remove through a filter matching
 * nothing is noTarget (RFC 7644 §3.5.2.3, §3.12). Replacing a whole extension (path-less or by its URN) replaces the
 * attributes given and keeps the others (a complex attribute, §3.5.2.3).
 * The handlers validate the document after every operation: an operation incompatible with the schema fails even
 * when a later one would repair the result (§3.5.2: "Each operation … MUST be compatible").
 */
import { excerpt, PATCH_OP_URN, ScimHttpError } from '../http-types.ts';
import { ciGet, isObject } from './common.ts';
import { checkItemCount, checkOperationCount, checkPathLength } from './limits.ts';
import { readDoubleQuoted } from './filter.ts';
import { splitUrn, type AttrDef, type ExtensionDef, type ResourceSchema } from './schema.ts';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

export interface ResolvedPath {
  ext?: ExtensionDef;
  /** Undefined when the path is an extension URN alone. */
  attr?: AttrDef;
  filter?: { sub: AttrDef; value: string };
  sub?: AttrDef;
}

const syntax = (detail: string) => new ScimHttpError(400, detail, 'invalidSyntax');
const badPath = (path: string, why: string) => new ScimHttpError(400, `Invalid path "${path}": ${why}`, 'invalidPath');

/** Validates the PatchOp envelope and normalises op names. */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw syntax('The request body must be a PatchOp JSON object');
  const schemas = ciGet(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_URN.toLowerCase())) {
    throw syntax(`schemas must contain "${PATCH_OP_URN}"`);
  }
  const ops = ciGet(body, 'Operations');
  if (!Array.isArray(ops) || ops.length === 0) throw syntax('Operations must be a non-empty array');
  checkOperationCount(ops.length);
  return ops.map((o, i) => {
    if (!isObject(o)) throw syntax(`Operations[${i}] must be an object`);
    const op = ciGet(o, 'op');
    const name = typeof op === 'string' ? op.toLowerCase() : undefined;
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw syntax(`Operations[${i}].op must be one of add, replace, remove; got ${excerpt(op)}`);
    }
    const path = ciGet(o, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') throw syntax(`Operations[${i}].path must be a string`);
    if (typeof path === 'string') checkPathLength(path, `Operations[${i}].path`);
    const p = typeof path === 'string' && path.trim() !== '' ? path.trim() : undefined;
    if (name === 'remove' && p === undefined) {
      throw new ScimHttpError(400, `Operations[${i}]: remove requires a path`, 'noTarget');
    }
    const value = ciGet(o, 'value');
    if (name !== 'remove' && p === undefined && !isObject(value)) {
      throw syntax(`Operations[${i}]: ${name} without a path requires an object value`);
    }
    return { op: name, ...(p !== undefined ? { path: p } : {}), ...(value !== undefined ? { value } : {}) };
  });
}

/** `sub eq value` inside `[...]`; the value may be double-quoted, single-quoted (closing quote optional) or bare. */
function parseValueFilter(path: string, attr: AttrDef, text: string): { sub: AttrDef; value: string } {
  // Linear: the character classes next to each other are disjoint, and the value is trimmed outside the regex
  // (a lazy `(.*?)\s*$` backtracks quadratically over a long run of spaces).
  const m = /^\s*([A-Za-z$][\w$-]*)\s+(\S+)\s+([\s\S]*)$/.exec(text);
  if (!m) throw badPath(path, 'malformed value filter');
  const sub = attr.sub.get(m[1].toLowerCase());
  if (!sub) throw badPath(path, `"${m[1]}" is not a sub-attribute of ${attr.name}`);
  if (m[2].toLowerCase() !== 'eq') throw badPath(path, `operator "${m[2]}" is not supported in value filters (only eq)`);
  const raw = m[3].trimEnd();
  let value: string;
  if (raw.startsWith('"')) {
    const r = readDoubleQuoted(raw, 0);
    if (!r || r[1] !== raw.length) throw badPath(path, 'malformed quoted value');
    value = r[0];
  } else if (raw.startsWith("'")) {
    value = raw.endsWith("'") && raw.length > 1 ? raw.slice(1, -1) : raw.slice(1);
  } else {
    value = raw;
  }
  return { sub, value };
}

/** End of an attribute name (`[A-Za-z$][\w$-]*`) starting at i; i itself when there is none. */
function nameEnd(text: string, i: number): number {
  if (!/[A-Za-z$]/.test(text[i] ?? '')) return i;
  let j = i + 1;
  while (j < text.length && /[\w$-]/.test(text[j]!)) j++;
  return j;
}

/**
 * `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub` in one left-to-right pass (no regex backtracking): the
 * filter runs to the last `]`, after which only `.sub` may follow.
 */
function splitAttrPath(rest: string): { name: string; filter?: string; sub?: string } | undefined {
  const end = nameEnd(rest, 0);
  if (end === 0) return undefined;
  const name = rest.slice(0, end);
  let i = end;
  let filter: string | undefined;
  if (rest[i] === '[') {
    const close = rest.lastIndexOf(']');
    if (close < i) return undefined;
    filter = rest.slice(i + 1, close);
    i = close + 1;
  }
  if (i === rest.length) return { name, ...(filter !== undefined ? { filter } : {}) };
  if (rest[i] !== '.') return undefined;
  const subEnd = nameEnd(rest, i + 1);
  if (subEnd === i + 1 || subEnd !== rest.length) return undefined;
  return { name, ...(filter !== undefined ? { filter } : {}), sub: rest.slice(i + 1) };
}

export function resolvePatchPath(schema: ResourceSchema, path: string): ResolvedPath {
  const split = splitUrn(schema, path);
  if (!split) throw badPath(path, 'unknown schema URN');
  const { ext, rest } = split;
  if (ext && rest === '') return { ext };
  const parts = splitAttrPath(rest);
  if (!parts) throw badPath(path, 'malformed attribute path');
  const attrs = ext ? ext.attrs : schema.core;
  const attr = attrs.get(parts.name.toLowerCase());
  if (!attr) throw badPath(path, `unknown attribute "${parts.name}"`);
  const rp: ResolvedPath = { ext, attr };
  if (parts.filter !== undefined) {
    if (!attr.multiValued) throw badPath(path, `${attr.name} is not multi-valued`);
    rp.filter = parseValueFilter(path, attr, parts.filter);
  }
  if (parts.sub !== undefined) {
    const sub = attr.sub.get(parts.sub.toLowerCase());
    if (!sub) throw badPath(path, `unknown sub-attribute "${parts.sub}" of ${attr.name}`);
    rp.sub = sub;
  }
  return rp;
}

function checkMutability(schema: ResourceSchema, path: string, rp: ResolvedPath): void {
  const { attr, sub, filter } = rp;
  if (!attr) return;
  const ro = (a: AttrDef) => a.mutability === 'readOnly' || a.mutability === 'immutable';
  if (ro(attr) || (sub && ro(sub))) throw new ScimHttpError(400, `"${path}" is read-only`, 'mutability');
  for (const item of schema.readOnlyItems) {
    if (attr.name === item.attr && filter && filter.sub.name === item.sub && filter.value.toLowerCase() === item.value) {
      throw new ScimHttpError(400, `"${path}" is read-only`, 'mutability');
    }
  }
}

/** Canonical sub-attribute names on an item (unknown keys kept as given). */
function canonItem(attr: AttrDef, item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[attr.sub.get(k.toLowerCase())?.name ?? k] = v;
  return out;
}

function asItems(attr: AttrDef, value: unknown, path: string): Record<string, unknown>[] {
  const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  checkItemCount(list, attr.name, `"${path}": the value`);
  return list.map((v) => {
    if (isObject(v)) return canonItem(attr, v);
    if (attr.sub.has('value') && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) return { value: v };
    throw new ScimHttpError(400, `"${path}": items of ${attr.name} must be objects`, 'invalidValue');
  });
}

/** An item key compared case-insensitively; undefined for a missing key (which matches nothing). */
const keyText = (v: unknown) => (v === undefined || v === null ? undefined : String(v).toLowerCase());


function container(doc: Record<string, unknown>, ext: ExtensionDef | undefined, create: boolean): Record<string, unknown> | undefined {
  if (!ext) return doc;
  const c = doc[ext.urn];
  if (isObject(c)) return c;
  if (!create) return undefined;
  const fresh: Record<string, unknown> = {};
  doc[ext.urn] = fresh;
  return fresh;
}

function applySingle(c: Record<string, unknown>, rp: ResolvedPath & { attr: AttrDef }, op: PatchOpName, value: unknown): void {
  const { attr, sub } = rp;
  const name = attr.name;
  if (sub) {
    const cur = isObject(c[name]) ? { ...(c[name] as Record<string, unknown>) } : {};
    if (op === 'remove' || value === null) delete cur[sub.name];
    else cur[sub.name] = value;
    if (Object.keys(cur).length > 0) c[name] = cur;
    else delete c[name];
    return;
  }
  if (op === 'remove' || value === null) {
    delete c[name];
  } else if (attr.type === 'complex' && isObject(value)) {
    c[name] = { ...(isObject(c[name]) ? (c[name] as Record<string, unknown>) : {}), ...canonItem(attr, value) };
  } else if (attr.type === 'complex' && attr.sub.has('value') && (typeof value === 'string' || typeof value === 'number')) {
    c[name] = { value }; // e.g. enterprise manager given as a bare id
  } else {
    c[name] = value;
  }
}

type Item = Record<string, unknown>;

/**
 * The items of a document's multi-valued attribute by lower-cased key (in array order), kept per array while a
 * PATCH request changes that array in place through `applyKeyed`; any other operation builds a new array, which
 * leaves its index behind.
 */
const keyIndexes = new WeakMap<Item[], Map<string, Item[]>>();

function keyIndex(items: Item[], key: string): Map<string, Item[]> {
  let index = keyIndexes.get(items);
  if (index === undefined) {
    index = new Map();
    for (const it of items) {
      const k = keyText(it[key]);
      if (k === undefined) continue;
      const same = index.get(k);
      if (same) same.push(it);
      else index.set(k, [it]);
    }
    keyIndexes.set(items, index);
  }
  return index;
}

/**
 * The two operations connectors send many of in one request (group memberships): an `add` of items and a `remove`
 * through a filter on the item key. Applied in place with the key index, they cost the items they name, not a pass
 * over a long list each. Same outcome as the general case in applyMulti.
 */
function applyKeyed(c: Record<string, unknown>, name: string, key: string, items: Item[], rp: ResolvedPath & { attr: AttrDef }, op: PatchOpName, value: unknown, path: string): void {
  const index = keyIndex(items, key);
  if (op === 'add') {
    for (const item of asItems(rp.attr, value, path)) {
      const k = keyText(item[key]);
      const same = k === undefined ? undefined : index.get(k);
      if (same) {
        const merged = { ...same[0], ...item };
        items[items.indexOf(same[0]!)] = merged;
        same[0] = merged;
      } else {
        items.push(item);
        if (k !== undefined) index.set(k, [item]);
      }
    }
  } else {
    const k = keyText(rp.filter!.value)!;
    const gone = index.get(k);
    if (!gone) throw new ScimHttpError(400, `"${path}" matches no ${name} value`, 'noTarget');
    index.delete(k);
    const drop = new Set(gone);
    let kept = 0;
    for (const it of items) if (!drop.has(it)) items[kept++] = it;
    items.length = kept;
  }
  if (items.length === 0) delete c[name];
}

function applyMulti(c: Record<string, unknown>, rp: ResolvedPath & { attr: AttrDef }, op: PatchOpName, value: unknown, path: string): void {
  const { attr, sub, filter } = rp;
  const name = attr.name;
  const key = attr.key ?? 'value';
  const own = c[name];
  // The document is this request's own copy: its arrays hold objects only (asItems, the writable documents).
  if (Array.isArray(own) && !sub && (op === 'add' ? !filter : op === 'remove' && filter?.sub.name === key)) {
    applyKeyed(c, name, key, own as Item[], rp, op, value, path);
    return;
  }
  // Items are replaced, never changed in place, so no deep copy here.
  let cur: Item[] = Array.isArray(own) ? (own as unknown[]).filter(isObject) : [];

  if (filter) {
    const wanted = keyText(filter.value);
    const matches = (it: Record<string, unknown>) => keyText(it[filter.sub.name]) === wanted;
    if (op === 'remove') {
      // RFC 7644 §3.12 noTarget: "the specified path contains a filter that yields no match"
      const noMatch = () => new ScimHttpError(400, `"${path}" matches no ${name} value`, 'noTarget');
      if (sub) {
        if (!cur.some(matches)) throw noMatch();
        cur = cur.flatMap((it) => {
          if (!matches(it)) return [it];
          const copy = { ...it };
          delete copy[sub.name];
          // An item left with nothing but its identifying attribute is gone.
          return Object.keys(copy).some((k) => k !== filter.sub.name && k !== key) ? [copy] : [];
        });
      } else {
        const kept = cur.filter((it) => !matches(it));
        if (kept.length === cur.length) throw noMatch();
        cur = kept;
      }
    } else {
      const hits = cur.filter(matches);
      if (hits.length === 0) {
        // replace: RFC 7644 §3.5.2.3 "no record match was made" → noTarget; add through a key filter creates the item.
        if (op === 'replace' || filter.sub.name !== key) throw new ScimHttpError(400, `"${path}" matches no ${name} value`, 'noTarget');
        if (sub) {
          if (value !== null) cur.push({ [filter.sub.name]: filter.value, [sub.name]: value });
        } else if (value !== null) {
          const [item] = asItems(attr, value, path);
          cur.push({ ...item, [filter.sub.name]: filter.value });
        }
      } else {
        cur = cur.map((it) => {
          if (!matches(it)) return it;
          if (sub) {
            const copy = { ...it };
            if (value === null) delete copy[sub.name];
            else copy[sub.name] = value;
            return copy;
          }
          const [item] = asItems(attr, value, path);
          const base = op === 'add' ? it : { [filter.sub.name]: it[filter.sub.name] };
          return { ...base, ...(item ?? {}) };
        });
      }
    }
  } else if (sub) {
    // `emails.type`-style paths address the sub-attribute of every item.
    if (op !== 'remove' && cur.length === 0) throw new ScimHttpError(400, `"${path}": ${name} has no values`, 'noTarget');
    cur = cur.map((it) => {
      const copy = { ...it };
      if (op === 'remove' || value === null) delete copy[sub.name];
      else copy[sub.name] = value;
      return copy;
    });
  } else if (op === 'remove') {
    if (value === undefined || value === null) {
      cur = [];
    } else {
      const gone = new Set(asItems(attr, value, path).map((g) => keyText(g[key])));
      cur = cur.filter((it) => { const k = keyText(it[key]); return k === undefined || !gone.has(k); });
    }
  } else if (op === 'replace') {
    cur = asItems(attr, value, path);
  } else {
    // upsert by the item key: one index, so adding many items to a long list stays linear
    const at = new Map<string, number>();
    cur.forEach((it, i) => { const k = keyText(it[key]); if (k !== undefined && !at.has(k)) at.set(k, i); });
    for (const item of asItems(attr, value, path)) {
      const k = keyText(item[key]);
      const i = k === undefined ? undefined : at.get(k);
      if (i !== undefined) {
        cur[i] = { ...cur[i], ...item };
      } else {
        cur.push(item);
        if (k !== undefined) at.set(k, cur.length - 1);
      }
    }
  }
  if (cur.length > 0) c[name] = cur;
  else delete c[name];
}

function applyOne(schema: ResourceSchema, doc: Record<string, unknown>, path: string, rp: ResolvedPath, op: PatchOpName, value: unknown): void {
  checkMutability(schema, path, rp);
  if (!rp.attr) {
    // A whole extension: apply each of its attributes.
    const ext = rp.ext!;
    if (op === 'remove') {
      delete doc[ext.urn];
      return;
    }
    if (value === null) {
      delete doc[ext.urn];
      return;
    }
    if (!isObject(value)) throw new ScimHttpError(400, `"${path}": the value must be an object`, 'invalidValue');
    // A complex target: the given attributes are replaced, the others left unchanged (RFC 7644 §3.5.2.3).
    applyObject(schema, doc, op, value, ext);
    return;
  }
  const c = container(doc, rp.ext, op !== 'remove');
  if (!c) {
    // an extension with no values at all: a value filter in it matches nothing
    if (rp.filter) throw new ScimHttpError(400, `"${path}" matches no ${rp.attr.name} value`, 'noTarget');
    return;
  }
  const withAttr = rp as ResolvedPath & { attr: AttrDef };
  if (rp.attr.multiValued) applyMulti(c, withAttr, op, value, path);
  else applySingle(c, withAttr, op, value);
  if (rp.ext && Object.keys(c).length === 0) delete doc[rp.ext.urn];
}

/** A path-less add/replace: every key of the value object is a path (or an extension object). */
function applyObject(schema: ResourceSchema, doc: Record<string, unknown>, op: PatchOpName, value: Record<string, unknown>, within?: ExtensionDef): void {
  for (const [k, v] of Object.entries(value)) {
    if (!within && k.toLowerCase() === 'schemas') continue;
    const path = within ? `${within.urn}:${k}` : k;
    checkPathLength(path, 'a key of a path-less value');
    let rp: ResolvedPath;
    try {
      rp = resolvePatchPath(schema, path);
    } catch (e) {
      if (e instanceof ScimHttpError && e.scimType === 'invalidPath') continue; // unknown attribute: ignored
      throw e;
    }
    if (rp.attr?.name === 'id' && !rp.ext && v === doc.id) continue;
    applyOne(schema, doc, path, rp, op, v);
  }
}

/**
 * Applies the operations in order to `doc` (mutated in place; pass a copy for atomicity).
 * `doc.id`, when present, lets a path-less value repeat the resource's own id harmlessly.
 */
export function applyPatch(schema: ResourceSchema, doc: Record<string, unknown>, ops: readonly PatchOperation[]): void {
  for (const o of ops) {
    if (o.path === undefined) {
      applyObject(schema, doc, o.op, o.value as Record<string, unknown>);
    } else {
      applyOne(schema, doc, o.path, resolvePatchPath(schema, o.path), o.op, o.value);
    }
  }
}

/**
 * Applies PATCH operations one at a time, validating the resource after each (RFC 7644 §3.5.2: every
 * operation must leave a valid resource, not only the last), and returns the last validation's result.
 */
export function applyPatchValidated<T>(
  schema: ResourceSchema,
  doc: Record<string, unknown>,
  ops: readonly PatchOperation[],
  validate: (doc: Record<string, unknown>) => T,
): T {
  let result: T | undefined;
  for (const op of ops) {
    applyPatch(schema, doc, [op]);
    result = validate(doc);
  }
  return result ?? validate(doc);
}
