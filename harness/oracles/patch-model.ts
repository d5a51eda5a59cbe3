/**
 * A reference model of SCIM PATCH (RFC 7644 §3.5.2) on a Genesys Cloud user and group, written from the RFC, the
 * SDK docs (seeds 000/002) and the reference notes (genesys-scim-behaviour.md §4, §7, §8). It shares no code with
 * the emulator: it is the independent oracle the property-based suites compare a server against.
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

import { CORE_GROUP_URN, CORE_USER_URN, ENTERPRISE_URN, GENESYS_URN, PATCH_OP_URN } from './urns.ts';

/** Phone types documented for both API versions (reference §4.1, S7 field mapping). */
export const PHONE_TYPES = ['work', 'work2', 'work3', 'work4', 'home', 'mobile', 'other'] as const;
export const EMAIL_TYPES = ['work', 'other'] as const;

export type ScimType = 'invalidSyntax' | 'invalidPath' | 'invalidFilter' | 'noTarget' | 'invalidValue' | 'mutability';
export type ApiVersion = '2021' | '2019';
export type ResourceKind = 'users' | 'groups';

export interface PredictedError {
  kind: 'error';
  status: 400;
  /** The scimType the sources name first. */
  scimType: ScimType;
  /** Every scimType the sources allow for this request (includes scimType). */
  accept: ScimType[];
  detail: string;
  /** Index of the operation that fails (-1: the request as a whole). */
  op: number;
}

export interface Undetermined {
  kind: 'undetermined';
  reason: string;
  op: number;
}

export interface Applied {
  kind: 'ok';
  state: ResourceModel;
  /** Whether anything the model determines changed (a changed resource must get a new version). */
  changed: boolean;
}

export type PatchOutcome = Applied | PredictedError | Undetermined;

export interface ModelOptions {
  apiVersion: ApiVersion;
  /**
   * Names and ids the target is known to accept. A name outside the list is undetermined (the target may know it).
   * userIds: users that exist (managers, group members).
   */
  known?: { roles?: string[]; divisions?: string[]; skills?: string[]; languages?: string[]; userIds?: string[] };
  /** What deactivation does to roles: 'unknown' (default: either, reference §8), 'drop' or 'keep'. */
  rolesOnDeactivation?: 'unknown' | 'drop' | 'keep';
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, any>;

/** The model of one resource: its writable attributes (canonical names) and what is uncertain about them. */
export interface ResourceModel {
  resource: ResourceKind;
  id: string;
  /** Core attributes by canonical name; extension attributes under their schema URN. */
  doc: Obj;
  /** Role names that may or may not still be assigned (after a deactivation). */
  uncertainRoles: string[];
}

// ------------------------------------------------------------------------------------------------ schema

type AttrType = 'string' | 'boolean' | 'decimal' | 'complex' | 'reference';
type RefKind = 'roles' | 'divisions' | 'skills' | 'languages' | 'userIds';

interface AttrDef {
  name: string;
  type: AttrType;
  multi?: boolean;
  required?: boolean;
  mutability?: 'readWrite' | 'readOnly' | 'writeOnly';
  /** Compared case-insensitively (RFC caseExact false where servers may change the case). */
  ci?: boolean;
  sub?: AttrDef[];
  /** Multi-valued complex: the sub-attribute Genesys keeps one record per value of. */
  key?: string;
  /** Allowed values (lower case); others are undetermined. */
  canonical?: readonly string[];
  range?: [number, number];
  ref?: RefKind;
  /** Sub-attribute: a record without it is undetermined (the server picks a default). */
  needed?: boolean;
  /** Sub-attribute not compared (primary, $ref, display, member type). */
  ignored?: boolean;
  /** Removing it is undetermined (the server falls back to a default, e.g. the default division). */
  noRemove?: boolean;
  /** Complex attribute that also takes a bare value for this sub-attribute (manager: a user id, reference §7). */
  bare?: string;
  /** Whether a client may write it is not determined. */
  noWrite?: boolean;
}

interface ExtDef {
  urn: string;
  since2021: boolean;
  attrs: AttrDef[];
}

interface ResourceSchema {
  resource: ResourceKind;
  coreUrn: string;
  core: AttrDef[];
  exts: ExtDef[];
}

const META: AttrDef = {
  name: 'meta',
  type: 'complex',
  mutability: 'readOnly',
  sub: ['resourceType', 'created', 'lastModified', 'location', 'version'].map((name) => ({ name, type: 'string' as const })),
};
const ID: AttrDef = { name: 'id', type: 'string', mutability: 'readOnly' };

const USER_SCHEMA: ResourceSchema = {
  resource: 'users',
  coreUrn: CORE_USER_URN,
  core: [
    ID,
    { name: 'userName', type: 'string', required: true, ci: true },
    { name: 'displayName', type: 'string', required: true },
    { name: 'title', type: 'string' },
    { name: 'active', type: 'boolean', noRemove: true },
    { name: 'externalId', type: 'string' },
    { name: 'password', type: 'string', mutability: 'writeOnly' },
    {
      name: 'emails',
      type: 'complex',
      multi: true,
      key: 'type',
      sub: [
        { name: 'value', type: 'string', required: true, ci: true },
        { name: 'type', type: 'string', ci: true, canonical: EMAIL_TYPES, needed: true },
        { name: 'primary', type: 'boolean', ignored: true },
      ],
    },
    {
      name: 'phoneNumbers',
      type: 'complex',
      multi: true,
      key: 'type',
      sub: [
        { name: 'value', type: 'string', required: true },
        { name: 'type', type: 'string', ci: true, canonical: PHONE_TYPES, needed: true },
        { name: 'primary', type: 'boolean', ignored: true },
      ],
    },
    {
      name: 'groups',
      type: 'complex',
      multi: true,
      mutability: 'readOnly',
      sub: [
        { name: 'value', type: 'string' },
        { name: '$ref', type: 'reference' },
        { name: 'type', type: 'string' },
        { name: 'display', type: 'string' },
      ],
    },
    {
      name: 'roles',
      type: 'complex',
      multi: true,
      key: 'value',
      sub: [{ name: 'value', type: 'string', required: true, ref: 'roles' }],
    },
    META,
  ],
  exts: [
    {
      urn: ENTERPRISE_URN,
      since2021: true,
      attrs: [
        { name: 'division', type: 'string', ref: 'divisions', noRemove: true },
        { name: 'department', type: 'string' },
        { name: 'employeeNumber', type: 'string' },
        {
          name: 'manager',
          type: 'complex',
          bare: 'value',
          sub: [
            { name: 'value', type: 'string', required: true, ref: 'userIds' },
            { name: '$ref', type: 'reference', ignored: true },
            { name: 'displayName', type: 'string', ignored: true },
          ],
        },
      ],
    },
    {
      urn: GENESYS_URN,
      since2021: true,
      attrs: [
        {
          name: 'routingSkills',
          type: 'complex',
          multi: true,
          key: 'name',
          sub: [
            { name: 'name', type: 'string', required: true, ref: 'skills' },
            { name: 'proficiency', type: 'decimal', range: [0, 5] },
          ],
        },
        {
          name: 'routingLanguages',
          type: 'complex',
          multi: true,
          key: 'name',
          sub: [
            { name: 'name', type: 'string', required: true, ref: 'languages' },
            { name: 'proficiency', type: 'decimal', range: [0, 5] },
          ],
        },
        {
          name: 'externalIds',
          type: 'complex',
          multi: true,
          key: 'authority',
          sub: [
            { name: 'authority', type: 'string', required: true, ci: true },
            { name: 'value', type: 'string', required: true },
          ],
        },
      ],
    },
  ],
};

const GROUP_SCHEMA: ResourceSchema = {
  resource: 'groups',
  coreUrn: CORE_GROUP_URN,
  core: [
    ID,
    { name: 'displayName', type: 'string', required: true },
    // Set by the server on create and deciding whether DELETE is allowed (seed 000 postScimGroups): writable or not is open.
    { name: 'externalId', type: 'string', noWrite: true },
    {
      name: 'members',
      type: 'complex',
      multi: true,
      key: 'value',
      sub: [
        { name: 'value', type: 'string', required: true, ref: 'userIds' },
        { name: '$ref', type: 'reference', ignored: true },
        { name: 'type', type: 'string', ci: true, canonical: ['user', 'group'], ignored: true },
        { name: 'display', type: 'string', ignored: true },
      ],
    },
    META,
  ],
  exts: [],
};

const schemaOf = (r: ResourceKind) => (r === 'users' ? USER_SCHEMA : GROUP_SCHEMA);

// ------------------------------------------------------------------------------------------------ helpers

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const lc = (s: string) => s.toLowerCase();
const clone = <T>(v: T): T => structuredClone(v);

function ciKey(o: Obj, name: string): string | undefined {
  const l = lc(name);
  return Object.keys(o).find((k) => lc(k) === l);
}
function ciGet(o: Obj, name: string): unknown {
  const k = ciKey(o, name);
  return k === undefined ? undefined : o[k];
}
const findDef = (defs: readonly AttrDef[] | undefined, name: string) => defs?.find((d) => lc(d.name) === lc(name));
const isUnassigned = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/** Thrown inside an application step; caught by applyPatch. */
class Stop {
  constructor(readonly failure: { kind: 'error'; scimType: ScimType; accept: ScimType[]; detail: string } | { kind: 'undetermined'; reason: string }) {}
}
function refuse(scimType: ScimType, detail: string, also: ScimType[] = []): never {
  throw new Stop({ kind: 'error', scimType, accept: [scimType, ...also.filter((t) => t !== scimType)], detail });
}
function open(reason: string): never {
  throw new Stop({ kind: 'undetermined', reason });
}
function badValue(detail: string): never {
  return refuse('invalidValue', detail, ['invalidSyntax']);
}

// ------------------------------------------------------------------------------------------------ filters

export type Filter =
  | { kind: 'cmp'; attr: string; op: 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'; value: string | number | boolean | null }
  | { kind: 'pr'; attr: string }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; inner: Filter };

export class PathSyntaxError extends Error {
  constructor(
    message: string,
    readonly inFilter: boolean,
  ) {
    super(message);
  }
}

type Token = { t: 'name' | 'str' | 'num' | 'lit' | '(' | ')'; v: string };

function tokenizeFilter(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const err = (m: string) => new PathSyntaxError(`filter "${text}": ${m}`, true);
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c, v: c });
      i++;
    } else if (c === '"' || c === "'") {
      // JSON string (RFC 7644 §3.4.2.2); single quotes accepted as Entra sends them (reference §7).
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') {
          const n = text[j + 1];
          if (n === undefined) throw err('unterminated escape');
          const map: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (n === 'u') {
            const hex = text.slice(j + 2, j + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw err('bad \\u escape');
            s += String.fromCharCode(parseInt(hex, 16));
            j += 6;
            continue;
          }
          if (!(n in map)) throw err(`bad escape \\${n}`);
          s += map[n];
          j += 2;
        } else {
          s += text[j];
          j++;
        }
      }
      if (j >= text.length) throw err('unterminated string');
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
      if (!m) throw err(`unexpected "${c}"`);
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z$]/.test(c)) {
      const m = /^[A-Za-z$][\w$.:-]*/.exec(text.slice(i))!;
      out.push({ t: 'name', v: m[0] });
      i += m[0].length;
    } else {
      throw err(`unexpected "${c}"`);
    }
  }
  return out;
}

const CMP_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;

/** Parses a valFilter (RFC 7644 §3.4.2.2 grammar, as used inside a valuePath). */
export function parseFilter(text: string): Filter {
  const toks = tokenizeFilter(text);
  let p = 0;
  const err = (m: string) => new PathSyntaxError(`filter "${text}": ${m}`, true);
  const peek = () => toks[p];
  const isWord = (tok: Token | undefined, w: string) => tok?.t === 'name' && lc(tok.v) === w;

  const primary = (): Filter => {
    const tok = peek();
    if (!tok) throw err('unexpected end');
    if (isWord(tok, 'not')) {
      p++;
      if (peek()?.t !== '(') throw err('"not" needs "("');
      p++;
      const inner = or();
      if (peek()?.t !== ')') throw err('missing ")"');
      p++;
      return { kind: 'not', inner };
    }
    if (tok.t === '(') {
      p++;
      const inner = or();
      if (peek()?.t !== ')') throw err('missing ")"');
      p++;
      return inner;
    }
    if (tok.t !== 'name' || !/^[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?$/.test(tok.v)) throw err(`expected an attribute, got "${tok.v}"`);
    p++;
    const opTok = peek();
    if (!opTok || opTok.t !== 'name') throw err(`expected an operator after ${tok.v}`);
    const op = lc(opTok.v);
    p++;
    if (op === 'pr') return { kind: 'pr', attr: tok.v };
    if (!(CMP_OPS as readonly string[]).includes(op)) throw err(`unknown operator "${opTok.v}"`);
    const vt = peek();
    if (!vt) throw err('missing comparison value');
    p++;
    let value: string | number | boolean | null;
    if (vt.t === 'str') value = vt.v;
    else if (vt.t === 'num') value = Number(vt.v);
    else if (vt.t === 'name' && ['true', 'false', 'null'].includes(lc(vt.v))) value = lc(vt.v) === 'null' ? null : lc(vt.v) === 'true';
    else throw err(`comparison value must be quoted, a number, true, false or null (got ${vt.v})`);
    return { kind: 'cmp', attr: tok.v, op: op as (typeof CMP_OPS)[number], value };
  };
  const and = (): Filter => {
    let left = primary();
    while (isWord(peek(), 'and')) {
      p++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Filter => {
    let left = and();
    while (isWord(peek(), 'or')) {
      p++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  if (toks.length === 0) throw err('empty filter');
  const f = or();
  if (p !== toks.length) throw err(`unexpected "${toks[p].v}"`);
  return f;
}

// ------------------------------------------------------------------------------------------------ paths

export interface ParsedPath {
  /** Schema URN prefix as written (undefined: none). */
  urn?: string;
  /** Attribute name (undefined: the path is only a schema URN). */
  attr?: string;
  filter?: Filter;
  filterText?: string;
  sub?: string;
}

const ATTRNAME = /^(\$ref|[A-Za-z][\w-]*)/;

/** Parses a PATCH path (RFC 7644 §3.5.2 ABNF + §3.10 URN prefixes). Throws PathSyntaxError. */
export function parsePath(path: string, knownUrns: readonly string[]): ParsedPath {
  const err = (m: string) => new PathSyntaxError(`path "${path}": ${m}`, false);
  let rest = path;
  const out: ParsedPath = {};
  if (/^urn:/i.test(rest)) {
    const urn = [...knownUrns].sort((a, b) => b.length - a.length).find((u) => lc(rest).startsWith(lc(u)) && (rest.length === u.length || rest[u.length] === ':'));
    if (!urn) {
      // An unknown schema URN: the attribute it names does not exist here.
      const m = /^(urn:[^[\]]*):([A-Za-z$][\w$-]*)$/i.exec(rest);
      if (!m) throw err('unknown schema URN');
      out.urn = m[1];
      rest = m[2];
    } else {
      out.urn = urn;
      rest = rest.slice(urn.length);
      if (rest === '') return out;
      rest = rest.slice(1);
    }
  }
  const m = ATTRNAME.exec(rest);
  if (!m) throw err(rest === '' ? 'missing attribute name' : `"${rest}" does not start with an attribute name`);
  out.attr = m[0];
  rest = rest.slice(m[0].length);
  if (rest.startsWith('[')) {
    // the matching "]" outside quoted strings
    let j = 1;
    let quote: string | undefined;
    for (; j < rest.length; j++) {
      const c = rest[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') throw err('nested "["');
      else if (c === ']') break;
    }
    if (j >= rest.length) {
      if (quote) throw new PathSyntaxError(`path "${path}": unterminated string in the filter`, true);
      throw err('missing "]"');
    }
    out.filterText = rest.slice(1, j);
    out.filter = parseFilter(out.filterText);
    rest = rest.slice(j + 1);
  }
  if (rest.startsWith('.')) {
    const s = ATTRNAME.exec(rest.slice(1));
    if (!s) throw err('missing sub-attribute name after "."');
    out.sub = s[0];
    rest = rest.slice(1 + s[0].length);
  }
  if (rest !== '') throw err(`unexpected "${rest}"`);
  return out;
}

// ------------------------------------------------------------------------------------------------ targets

interface Target {
  /** Extension URN holding the attribute (undefined: core). */
  ext?: ExtDef;
  /** undefined: the whole extension object. */
  attr?: AttrDef;
  filter?: Filter;
  sub?: AttrDef;
  /** For messages. */
  text: string;
}

function resolveTarget(schema: ResourceSchema, p: ParsedPath, opts: ModelOptions, text: string): Target {
  const knownUrns = [schema.coreUrn, ...schema.exts.map((e) => e.urn)];
  let ext: ExtDef | undefined;
  if (p.urn !== undefined) {
    if (!knownUrns.some((u) => lc(u) === lc(p.urn!))) refuse('invalidPath', `unknown schema ${p.urn}`);
    ext = schema.exts.find((e) => lc(e.urn) === lc(p.urn!));
    if (!ext && p.attr === undefined) open(`a path naming only the core schema (${text})`);
  }
  if (ext?.since2021 && opts.apiVersion !== '2021') open(`${ext.urn} is not documented for API version ${opts.apiVersion}`);
  if (p.attr === undefined) return { ext, text };
  const defs = ext ? ext.attrs : schema.core;
  if (!ext && lc(p.attr) === 'schemas') open('modifying "schemas" (RFC 7644 §3.5.2: clients MUST NOT; the server answer is not specified)');
  const attr = findDef(defs, p.attr) ?? refuse('invalidPath', `unknown attribute "${p.attr}" (${text})`, ['noTarget']);
  if (attr.name === 'roles' && opts.apiVersion !== '2021') open('roles are documented for API version 2021 only');
  if (p.filter && !attr.multi) refuse('invalidPath', `a value filter on the single-valued attribute ${attr.name}`, ['invalidFilter']);
  let sub: AttrDef | undefined;
  if (p.sub !== undefined) {
    if (attr.type !== 'complex') refuse('invalidPath', `${attr.name} has no sub-attributes`);
    sub = findDef(attr.sub, p.sub) ?? refuse('invalidPath', `unknown sub-attribute ${attr.name}.${p.sub}`, ['noTarget']);
  }
  if (p.filter) checkFilterAttrs(p.filter, attr);
  return { ext, attr, filter: p.filter, sub, text };
}

function checkFilterAttrs(f: Filter, attr: AttrDef): void {
  switch (f.kind) {
    case 'and':
    case 'or':
      checkFilterAttrs(f.left, attr);
      checkFilterAttrs(f.right, attr);
      return;
    case 'not':
      checkFilterAttrs(f.inner, attr);
      return;
    default: {
      const def = findDef(attr.sub, f.attr);
      if (!def) open(`a filter on "${f.attr}", not a sub-attribute of ${attr.name}`);
      if (def.ignored) open(`a filter on ${attr.name}.${def.name}, which the model does not determine`);
    }
  }
}

function matchFilter(f: Filter, rec: Obj, attr: AttrDef): boolean {
  switch (f.kind) {
    case 'and':
      return matchFilter(f.left, rec, attr) && matchFilter(f.right, rec, attr);
    case 'or':
      return matchFilter(f.left, rec, attr) || matchFilter(f.right, rec, attr);
    case 'not':
      return !matchFilter(f.inner, rec, attr);
    case 'pr':
      return !isUnassigned(ciGet(rec, f.attr));
    case 'cmp': {
      const def = findDef(attr.sub, f.attr)!;
      let a = ciGet(rec, f.attr) as unknown;
      let b = f.value as unknown;
      if (typeof a === 'string' && typeof b === 'string' && def.ci) {
        a = lc(a);
        b = lc(b);
      }
      if (a === undefined || a === null) return f.op === 'ne' ? b !== null : f.op === 'eq' && b === null;
      switch (f.op) {
        case 'eq':
          return a === b;
        case 'ne':
          return a !== b;
        case 'co':
          return typeof a === 'string' && typeof b === 'string' && a.includes(b);
        case 'sw':
          return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
        case 'ew':
          return typeof a === 'string' && typeof b === 'string' && a.endsWith(b);
        case 'gt':
          return typeof a === typeof b && (a as any) > (b as any);
        case 'ge':
          return typeof a === typeof b && (a as any) >= (b as any);
        case 'lt':
          return typeof a === typeof b && (a as any) < (b as any);
        case 'le':
          return typeof a === typeof b && (a as any) <= (b as any);
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------ values

interface State {
  schema: ResourceSchema;
  opts: ModelOptions;
  id: string;
  doc: Obj;
  uncertainRoles: Set<string>;
  /** Required attributes removed by an earlier operation of this request (and the op index). */
  removedRequired: Map<string, number>;
}

function knownRef(st: State, kind: RefKind, value: string, what: string): string {
  if (kind === 'userIds' && st.schema.resource === 'users' && value === st.id) open(`${what}: the user itself`);
  const list = st.opts.known?.[kind];
  const hit = list?.find((n) => (kind === 'userIds' ? lc(n) === lc(value) : n === value));
  if (hit === undefined) return open(`${what} "${value}" is not known to exist on the target`);
  return hit;
}

/** Validates and canonicalises a scalar value for `def`. */
function scalar(st: State, def: AttrDef, v: unknown, what: string): string | boolean | number {
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
function record(st: State, attr: AttrDef, v: unknown, what: string, partial = false): Obj {
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
function recordView(attr: AttrDef, rec: Obj): Obj {
  const out: Obj = {};
  for (const def of attr.sub ?? []) {
    if (def.ignored) continue;
    const v = ciGet(rec, def.name);
    if (v === undefined || v === null) continue;
    out[def.name] = typeof v === 'string' && def.ci ? lc(v) : v;
  }
  return out;
}
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const recKey = (attr: AttrDef, rec: Obj) => (attr.key ? JSON.stringify(recordView(attr, rec)[attr.key] ?? null) : undefined);

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
      if (!t.sub || f.kind !== 'cmp' || f.op !== 'eq' || typeof f.value !== 'string') open(`${what}: add through a filter that is not attr eq "value"`);
      const keyDef = findDef(attr.sub, f.attr)!;
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

// ------------------------------------------------------------------------------------------------ views and comparison

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

const fullView = (m: ResourceModel) => ({ view: viewOf(m.resource, m.doc), uncertain: [...m.uncertainRoles].sort() });

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

export type { Json };
