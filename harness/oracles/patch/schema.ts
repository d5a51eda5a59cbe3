/**
 * The attributes the PATCH model knows, per resource (RFC 7643 §4.1, §4.2 and the Genesys extensions of the SDK docs):
 * type, multi-valued, mutability, case-exactness, the sub-attribute Genesys keeps one record per value of, and what
 * makes an outcome undetermined (noRemove, noWrite, needed, ignored).
 */
import { CORE_GROUP_URN, CORE_USER_URN, ENTERPRISE_URN, GENESYS_URN } from '../urns.ts';
import { lc, type ResourceKind } from './model.ts';

/** Phone types documented for both API versions (reference §4.1, S7 field mapping). */
export const PHONE_TYPES = ['work', 'work2', 'work3', 'work4', 'home', 'mobile', 'other'] as const;
export const EMAIL_TYPES = ['work', 'other'] as const;


export type AttrType = 'string' | 'boolean' | 'decimal' | 'complex' | 'reference';
export type RefKind = 'roles' | 'divisions' | 'skills' | 'languages' | 'userIds';

export interface AttrDef {
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

export interface ExtDef {
  urn: string;
  since2021: boolean;
  attrs: AttrDef[];
}

export interface ResourceSchema {
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

export const schemaOf = (r: ResourceKind) => (r === 'users' ? USER_SCHEMA : GROUP_SCHEMA);


export const findDef = (defs: readonly AttrDef[] | undefined, name: string) => defs?.find((d) => lc(d.name) === lc(name));
