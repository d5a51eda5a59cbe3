/**
 * Attribute descriptions of the User and Group resources as the domain models them
 * (ScimV2User / ScimV2Group of the 2021 JS doc). Used by the PATCH path resolver and by
 * the projection compiler; attribute names are matched case-insensitively (RFC 7643 §2.1).
 */

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GENESYS_URN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';

export type Mutability = 'readWrite' | 'readOnly' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'default' | 'never' | 'request';
export type AttrType = 'string' | 'boolean' | 'decimal' | 'reference' | 'complex' | 'dateTime';

export interface AttrDef {
  readonly name: string;
  readonly type: AttrType;
  readonly multiValued: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  /** Sub-attributes of a complex attribute, by lower-cased name. */
  readonly sub: ReadonlyMap<string, AttrDef>;
  /** Multi-valued complex attributes: the sub-attribute identifying an item (one item per key value). */
  readonly key?: string;
}

export interface ExtensionDef {
  readonly urn: string;
  readonly attrs: ReadonlyMap<string, AttrDef>;
}

export interface ResourceSchema {
  readonly resourceType: 'User' | 'Group';
  readonly coreUrn: string;
  readonly core: ReadonlyMap<string, AttrDef>;
  /** By lower-cased URN. */
  readonly extensions: ReadonlyMap<string, ExtensionDef>;
  /** Top-level attributes that projections can't remove (plus `schemas`, which is not an attribute). */
  readonly alwaysReturned: ReadonlySet<string>;
  /** The "secondary lookup" attributes the doc names for the count>25 → 429 rule, as projection paths. */
  readonly secondary: readonly (readonly string[])[];
  /** Items of multi-valued attributes that are read-only: writing `emails[type eq "other"]` → mutability. */
  readonly readOnlyItems: readonly { attr: string; sub: string; value: string }[];
}

interface AttrSpec {
  name: string;
  type?: AttrType;
  multi?: boolean;
  mut?: Mutability;
  ret?: Returned;
  sub?: AttrSpec[];
  key?: string;
}

function attr(spec: AttrSpec): AttrDef {
  const sub = new Map<string, AttrDef>();
  for (const s of spec.sub ?? []) sub.set(s.name.toLowerCase(), attr(s));
  return {
    name: spec.name,
    type: spec.type ?? (spec.sub ? 'complex' : 'string'),
    multiValued: spec.multi ?? false,
    mutability: spec.mut ?? 'readWrite',
    returned: spec.ret ?? 'default',
    sub,
    ...(spec.key ? { key: spec.key } : {}),
  };
}

function index(specs: AttrSpec[]): Map<string, AttrDef> {
  return new Map(specs.map((s) => [s.name.toLowerCase(), attr(s)]));
}

const META: AttrSpec = {
  name: 'meta',
  mut: 'readOnly',
  ret: 'always',
  sub: [
    { name: 'resourceType', mut: 'readOnly' },
    { name: 'lastModified', type: 'dateTime', mut: 'readOnly' },
    { name: 'location', type: 'reference', mut: 'readOnly' },
    { name: 'version', mut: 'readOnly' },
  ],
};

export const USER_SCHEMA: ResourceSchema = {
  resourceType: 'User',
  coreUrn: USER_URN,
  core: index([
    { name: 'id', mut: 'readOnly', ret: 'always' },
    { name: 'externalId' },
    { name: 'userName', ret: 'always' },
    { name: 'displayName' },
    { name: 'title' },
    { name: 'active', type: 'boolean', ret: 'always' },
    { name: 'password', mut: 'writeOnly', ret: 'never' },
    {
      name: 'emails', multi: true, key: 'type',
      sub: [{ name: 'value' }, { name: 'type' }, { name: 'primary', type: 'boolean' }],
    },
    {
      name: 'phoneNumbers', multi: true, key: 'type',
      sub: [{ name: 'value' }, { name: 'type' }, { name: 'primary', type: 'boolean' }],
    },
    {
      name: 'groups', multi: true, key: 'value', mut: 'readOnly',
      sub: [{ name: 'value', mut: 'readOnly' }, { name: '$ref', type: 'reference', mut: 'readOnly' }, { name: 'type', mut: 'readOnly' }],
    },
    { name: 'roles', multi: true, key: 'value', sub: [{ name: 'value' }] },
    META,
  ]),
  extensions: new Map([
    [ENTERPRISE_URN.toLowerCase(), {
      urn: ENTERPRISE_URN,
      attrs: index([
        { name: 'division' },
        { name: 'department' },
        { name: 'manager', sub: [{ name: 'value' }, { name: '$ref', type: 'reference', mut: 'readOnly' }] },
        { name: 'employeeNumber' },
      ]),
    }],
    [GENESYS_URN.toLowerCase(), {
      urn: GENESYS_URN,
      attrs: index([
        { name: 'routingSkills', multi: true, key: 'name', sub: [{ name: 'name' }, { name: 'proficiency', type: 'decimal' }] },
        { name: 'routingLanguages', multi: true, key: 'name', sub: [{ name: 'name' }, { name: 'proficiency', type: 'decimal' }] },
        { name: 'externalIds', multi: true, key: 'authority', sub: [{ name: 'authority' }, { name: 'value' }] },
      ]),
    }],
  ]),
  alwaysReturned: new Set(['id', 'userName', 'active', 'meta']),
  secondary: [['externalId'], ['roles'], [GENESYS_URN, 'routingLanguages'], [GENESYS_URN, 'routingSkills']],
  readOnlyItems: [{ attr: 'emails', sub: 'type', value: 'other' }],
};

export const GROUP_SCHEMA: ResourceSchema = {
  resourceType: 'Group',
  coreUrn: GROUP_URN,
  core: index([
    { name: 'id', mut: 'readOnly', ret: 'always' },
    { name: 'displayName' },
    // Server-managed here: auto-created on POST, marks a SCIM-created (deletable) group.
    { name: 'externalId', mut: 'readOnly' },
    {
      name: 'members', multi: true, key: 'value',
      sub: [{ name: 'value' }, { name: 'type' }, { name: '$ref', type: 'reference', mut: 'readOnly' }, { name: 'display', mut: 'readOnly' }],
    },
    META,
  ]),
  extensions: new Map(),
  alwaysReturned: new Set(['id', 'meta']),
  secondary: [['externalId']],
  readOnlyItems: [],
};

/** A parsed attribute path (no value filter): `[attr]`, `[attr, sub]`, `[urn]`, `[urn, attr]`, `[urn, attr, sub]`. */
export interface AttrRef {
  ext?: ExtensionDef;
  attr?: AttrDef;
  sub?: AttrDef;
}

/** Splits a leading schema URN off an attribute path. Returns the extension (if any) and the rest. */
export function splitUrn(schema: ResourceSchema, text: string): { ext?: ExtensionDef; rest: string; core?: boolean } | undefined {
  const lower = text.toLowerCase();
  const core = schema.coreUrn.toLowerCase();
  if (lower.startsWith(core + ':')) return { rest: text.slice(core.length + 1), core: true };
  for (const [urn, ext] of schema.extensions) {
    if (lower === urn) return { ext, rest: '' };
    if (lower.startsWith(urn + ':')) return { ext, rest: text.slice(urn.length + 1) };
  }
  if (lower.startsWith('urn:')) return undefined;
  return { rest: text };
}

/** Resolves `name`, `name.sub`, core-URN-qualified and extension forms; undefined when unknown. */
export function resolveAttrRef(schema: ResourceSchema, text: string): AttrRef | undefined {
  const split = splitUrn(schema, text.trim());
  if (!split) return undefined;
  const { ext, rest } = split;
  if (ext && rest === '') return { ext };
  const m = /^([A-Za-z$][\w$-]*)(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!m) return undefined;
  const attrs = ext ? ext.attrs : schema.core;
  const a = attrs.get(m[1].toLowerCase());
  if (!a) return undefined;
  if (m[2] === undefined) return { ext, attr: a };
  const s = a.sub.get(m[2].toLowerCase());
  return s ? { ext, attr: a, sub: s } : undefined;
}
