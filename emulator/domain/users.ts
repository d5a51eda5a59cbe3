/**
 * The Users resource: validation of ScimV2CreateUser/ScimV2User bodies against the org, rendering, and the
 * list/create/get/replace/patch/delete handlers.
 *
 * Lifecycle: active ⇄ inactive (`active` false/true) and deleted (DELETE; a soft delete: 404 afterwards, absent
 * from every list; a POST with the same userName revives the record under its old id, with only the roles given).
 * Entering the inactive state drops the user's roles (option rolesOnDeactivation, default 'drop', reference §8).
 *
 * Users lists: no filter → active users; `active eq false|true` → that state; any other filter → matching
 * active and inactive users (so an IdP can find a deactivated user by userName to reactivate it).
 */
import { randomBytes } from 'node:crypto';
import { excerpt, ScimHttpError, type ScimRequest, type ScimResponse } from '../http-types.ts';
import { checkIfMatch, ciGet, etagOf, ifNoneMatchIsCurrent, isObject, parsePaging } from './common.ts';
import { checkCountLimit, listResponse, type DomainContext } from './context.ts';
import { booleanFilterValue, parseFilter, USER_FILTER_SPEC, type FilterClause } from './filter.ts';
import { checkItemCount, checkStringLength } from './limits.ts';
import { applyPatchValidated, parsePatchRequest } from './patch.ts';
import { projectionFor, type Projection } from './projection.ts';
import { ENTERPRISE_URN, GENESYS_URN, USER_SCHEMA, USER_URN } from './schema.ts';
import type { NamedProficiency, TypedValue, UserData, UserRecord } from './store.ts';

export const EMAIL_TYPES = ['work', 'other'] as const;
export const PHONE_TYPES = [
  'work', 'work2', 'work3', 'work4', 'home', 'mobile', 'other', 'microsoftteams', 'zoomphone', 'eightbyeight', 'ringcentral',
] as const;
const USER_SCHEMAS = [USER_URN, ENTERPRISE_URN, GENESYS_URN];

const bad = (detail: string) => new ScimHttpError(400, detail, 'invalidValue');
const notFound = (id: string) => new ScimHttpError(404, `User ${id} not found`);

// ---------------------------------------------------------------- validation

export interface UserInput {
  data: UserData;
  /** Undefined: not given. */
  active?: boolean;
  password?: string;
  rolesGiven: boolean;
}

function optString(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw bad(`${name} must be a string`);
  return checkStringLength(v, name);
}

function reqString(v: unknown, name: string): string {
  const s = optString(v, name);
  if (s === undefined || s.trim() === '') throw bad(`${name} is required`);
  return s;
}

export function parseBoolean(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw bad(`${name} must be a boolean, got ${excerpt(v)}`);
}

function list(v: unknown, name: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(`${name} must be an array`);
  return checkItemCount(v, name) as unknown[];
}

function typedValues(v: unknown, name: string, types: readonly string[]): TypedValue[] {
  const out: TypedValue[] = [];
  for (const item of list(v, name)) {
    if (!isObject(item)) throw bad(`${name} items must be objects`);
    const value = reqString(ciGet(item, 'value'), `${name}.value`);
    const rawType = optString(ciGet(item, 'type'), `${name}.type`);
    const type = (rawType ?? 'work').toLowerCase();
    if (!types.includes(type)) throw bad(`${name}.type "${rawType}" is not one of ${types.join(', ')}`);
    if (out.some((e) => e.type === type)) throw bad(`${name} has more than one value of type "${type}"`);
    const primary = parseBoolean(ciGet(item, 'primary'), `${name}.primary`);
    out.push({ value, type, ...(primary !== undefined ? { primary } : {}) });
  }
  return out;
}

function proficiencies(ctx: DomainContext, v: unknown, name: string, kind: 'skill' | 'language'): NamedProficiency[] {
  const items = list(v, name);
  const out = new Map<string, NamedProficiency>();
  for (const item of items) {
    if (!isObject(item)) throw bad(`${name} items must be objects`);
    const n = reqString(ciGet(item, 'name'), `${name}.name`);
    const known = kind === 'skill' ? ctx.org.skill(n) : ctx.org.language(n);
    if (!known) throw bad(`Unknown routing ${kind} "${n}" in ${name}`);
    const p = ciGet(item, 'proficiency');
    if (p !== undefined && p !== null && (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 5)) {
      throw bad(`${name}.proficiency of "${n}" must be a number from 0 to 5, got ${excerpt(p)}`);
    }
    out.set(known.name, { name: known.name, ...(typeof p === 'number' ? { proficiency: p } : {}) });
  }
  return [...out.values()];
}

/**
 * Validates a user body (POST, PUT, or a patched document). Unknown attributes are ignored; read-only ones
 * (id, meta, groups, schemas) too, except an `other` email differing from userName → 400 mutability.
 */
export function parseUserBody(ctx: DomainContext, body: unknown, selfId?: string): UserInput {
  if (!isObject(body)) throw new ScimHttpError(400, 'The request body must be a JSON object', 'invalidSyntax');
  const get = (name: string) => ciGet(body, name);

  const userName = reqString(get('userName'), 'userName').trim();
  const displayName = reqString(get('displayName'), 'displayName');
  const active = parseBoolean(get('active'), 'active');
  const password = optString(get('password'), 'password');

  const emails = typedValues(get('emails'), 'emails', EMAIL_TYPES).filter((e) => {
    if (e.type !== 'other') return true;
    if (e.value.toLowerCase() !== userName.toLowerCase()) {
      throw new ScimHttpError(400, 'emails[type eq "other"] is the userName and is read-only', 'mutability');
    }
    return false;
  });
  const phoneNumbers = typedValues(get('phoneNumbers'), 'phoneNumbers', PHONE_TYPES);

  const rawRoles = get('roles');
  const roles: string[] = [];
  for (const r of list(rawRoles, 'roles')) {
    const name = isObject(r) ? optString(ciGet(r, 'value'), 'roles.value') : optString(r, 'roles');
    if (!name) throw bad('roles items must be {"value": "<role name>"}');
    const role = ctx.org.role(name);
    if (!role) throw bad(`Unknown role "${name}"`);
    if (!roles.includes(role.name)) roles.push(role.name);
  }

  const ent = get(ENTERPRISE_URN) ?? {};
  if (!isObject(ent)) throw bad(`${ENTERPRISE_URN} must be an object`);
  const divName = optString(ciGet(ent, 'division'), 'division');
  let division = ctx.org.defaultDivision;
  if (divName !== undefined && divName !== '') {
    const d = ctx.org.division(divName);
    if (!d) throw bad(`Unknown division "${divName}"`);
    division = d.name;
  }
  const rawManager = ciGet(ent, 'manager');
  const managerId = isObject(rawManager) ? optString(ciGet(rawManager, 'value'), 'manager.value') : optString(rawManager, 'manager');
  if (managerId !== undefined && managerId !== '') {
    if (managerId === selfId) throw bad('A user can not be their own manager');
    if (!ctx.store.liveUser(managerId)) throw bad(`Unknown manager "${managerId}"`);
  }

  const gen = get(GENESYS_URN) ?? {};
  if (!isObject(gen)) throw bad(`${GENESYS_URN} must be an object`);
  const externalIds = new Map<string, { authority: string; value: string }>();
  for (const item of list(ciGet(gen, 'externalIds'), 'externalIds')) {
    if (!isObject(item)) throw bad('externalIds items must be objects');
    const authority = reqString(ciGet(item, 'authority'), 'externalIds.authority');
    const value = reqString(ciGet(item, 'value'), 'externalIds.value');
    externalIds.set(authority.toLowerCase(), { authority, value });
  }

  const data: UserData = {
    userName,
    displayName,
    emails,
    phoneNumbers,
    roles,
    division,
    routingSkills: proficiencies(ctx, ciGet(gen, 'routingSkills'), 'routingSkills', 'skill'),
    routingLanguages: proficiencies(ctx, ciGet(gen, 'routingLanguages'), 'routingLanguages', 'language'),
    externalIds: [...externalIds.values()],
  };
  const title = optString(get('title'), 'title');
  const externalId = optString(get('externalId'), 'externalId');
  const department = optString(ciGet(ent, 'department'), 'department');
  const employeeNumber = optString(ciGet(ent, 'employeeNumber'), 'employeeNumber');
  if (title !== undefined) data.title = title;
  if (externalId !== undefined) data.externalId = externalId;
  if (department !== undefined) data.department = department;
  if (managerId) data.managerId = managerId;
  if (employeeNumber !== undefined) data.employeeNumber = employeeNumber;

  return {
    data,
    ...(active !== undefined ? { active } : {}),
    ...(password !== undefined ? { password } : {}),
    rolesGiven: rawRoles !== undefined && rawRoles !== null,
  };
}

// ---------------------------------------------------------------- rendering

const compact = <T extends Record<string, unknown>>(o: T): T => {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) delete o[k];
  }
  return o;
};

/** The full representation (password never), cached per version and base URL; callers must not mutate it. */
export function renderUser(ctx: DomainContext, u: UserRecord, baseUrl: string): Record<string, unknown> {
  if (u.rendered && u.rendered.version === u.version && u.rendered.baseUrl === baseUrl) return u.rendered.body;
  const location = `${baseUrl}/users/${u.id}`;
  const version = etagOf(u.version, ctx.etagStyle);
  const enterprise = compact({
    division: u.division,
    department: u.department,
    manager: u.managerId ? { value: u.managerId, $ref: `${baseUrl}/users/${u.managerId}` } : undefined,
    employeeNumber: u.employeeNumber,
  });
  const genesys = compact({
    routingSkills: u.routingSkills.map((s) => ({ ...s })),
    routingLanguages: u.routingLanguages.map((l) => ({ ...l })),
    externalIds: u.externalIds.map((e) => ({ ...e })),
  });
  const body = compact({
    schemas: USER_SCHEMAS,
    id: u.id,
    externalId: u.externalId,
    userName: u.userName,
    displayName: u.displayName,
    title: u.title,
    active: u.state === 'active',
    emails: [{ value: u.userName, type: 'other' }, ...u.emails.map((e) => ({ ...e }))],
    phoneNumbers: u.phoneNumbers.map((p) => ({ ...p })),
    groups: ctx.store.groupsOf(u.id).map((g) => ({ value: g.id, $ref: `${baseUrl}/groups/${g.id}`, type: 'Group' })),
    roles: u.roles.map((value) => ({ value })),
    [ENTERPRISE_URN]: enterprise,
    [GENESYS_URN]: Object.keys(genesys).length > 0 ? genesys : undefined,
    meta: { resourceType: 'User', lastModified: u.lastModified, location, version },
  } as Record<string, unknown>);
  u.rendered = { version: u.version, baseUrl, body };
  return body;
}

/** The writable document PATCH operates on: no meta/groups/schemas, no derived `other` email. */
export function writableUserDoc(u: UserRecord): Record<string, unknown> {
  return compact({
    id: u.id,
    externalId: u.externalId,
    userName: u.userName,
    displayName: u.displayName,
    title: u.title,
    active: u.state === 'active',
    emails: u.emails.map((e) => ({ ...e })),
    phoneNumbers: u.phoneNumbers.map((p) => ({ ...p })),
    roles: u.roles.map((value) => ({ value })),
    [ENTERPRISE_URN]: compact({
      division: u.division,
      department: u.department,
      manager: u.managerId ? { value: u.managerId } : undefined,
      employeeNumber: u.employeeNumber,
    }),
    [GENESYS_URN]: compact({
      routingSkills: u.routingSkills.map((s) => ({ ...s })),
      routingLanguages: u.routingLanguages.map((l) => ({ ...l })),
      externalIds: u.externalIds.map((e) => ({ ...e })),
    }),
  } as Record<string, unknown>);
}

// ---------------------------------------------------------------- writes

function randomPassword(): string {
  return randomBytes(30).toString('base64');
}

function assignData(u: UserRecord, d: UserData): void {
  u.userName = d.userName;
  u.displayName = d.displayName;
  u.title = d.title;
  u.externalId = d.externalId;
  u.emails = d.emails;
  u.phoneNumbers = d.phoneNumbers;
  u.roles = d.roles;
  u.division = d.division;
  u.department = d.department;
  u.managerId = d.managerId;
  u.employeeNumber = d.employeeNumber;
  u.routingSkills = d.routingSkills;
  u.routingLanguages = d.routingLanguages;
  u.externalIds = d.externalIds;
}

/** Applies validated input to an existing record (state transitions, role drop, indexes, version). */
function commit(ctx: DomainContext, u: UserRecord, input: UserInput): void {
  const wasActive = u.state === 'active';
  const oldUserName = u.userName;
  const oldExternalId = u.externalId;
  assignData(u, input.data);
  if (input.password !== undefined) u.password = input.password;
  if (input.active !== undefined) u.state = input.active ? 'active' : 'inactive';
  if (wasActive && u.state === 'inactive' && ctx.rolesOnDeactivation === 'drop') u.roles = [];
  ctx.store.reindexUser(u, oldUserName, oldExternalId);
  ctx.store.touch(u);
}

function checkUserNameFree(ctx: DomainContext, userName: string, selfId?: string): void {
  const other = ctx.store.userByUserName(userName);
  if (other && other.id !== selfId && other.state !== 'deleted') {
    throw new ScimHttpError(409, `userName "${userName}" is already taken`, 'uniqueness');
  }
}

/**
 * Creates (or revives) a user from a validated body. Shared by POST and the seed loader.
 * Returns the record and whether it is a revived deleted user.
 */
export function createUserRecord(ctx: DomainContext, input: UserInput, id?: string): UserRecord {
  checkUserNameFree(ctx, input.data.userName);
  const existing = ctx.store.userByUserName(input.data.userName);
  if (existing && existing.state === 'deleted' && ctx.reviveDeletedOnCreate && id === undefined) {
    // Revival (reference §8): same id, active again, no default role restored.
    existing.state = 'inactive'; // so the transition below is not a deactivation
    commit(ctx, existing, { ...input, active: input.active ?? true, password: input.password ?? randomPassword() });
    return existing;
  }
  const data = input.data;
  if (!input.rolesGiven) data.roles = [ctx.org.defaultRole];
  const state = input.active === false ? 'inactive' : 'active';
  if (state === 'inactive' && ctx.rolesOnDeactivation === 'drop') data.roles = [];
  const rec: UserRecord = {
    ...data,
    id: id ?? ctx.newId(),
    seq: 0,
    state,
    password: input.password ?? randomPassword(),
    version: 1,
    lastModified: ctx.store.now().toISOString(),
  };
  if (ctx.store.userRecord(rec.id)) throw new Error(`duplicate user id ${rec.id}`);
  ctx.store.insertUser(rec);
  return rec;
}

// ---------------------------------------------------------------- queries

function userMatches(u: UserRecord, c: FilterClause, active: boolean | undefined): boolean {
  const v = c.value;
  const lv = v.toLowerCase();
  switch (c.attr) {
    case 'id':
      return u.id.toLowerCase() === lv;
    case 'userName':
      return u.userName.toLowerCase() === lv;
    case 'externalId':
      return u.externalId === v;
    case 'email':
      return u.userName.toLowerCase() === lv || u.emails.some((e) => e.value.toLowerCase() === lv);
    case 'manager':
      return (u.managerId ?? '').toLowerCase() === lv;
    case 'division':
      return u.division.toLowerCase() === lv;
    case 'employeeNumber':
      return u.employeeNumber === v;
    case 'active':
      return u.state === (active ? 'active' : 'inactive');
    default:
      return false;
  }
}

/** Users matching the parsed filter (undefined: no filter → active users), in creation order. */
export function selectUsers(ctx: DomainContext, clauses: FilterClause[] | undefined): UserRecord[] {
  const { store } = ctx;
  if (clauses === undefined) return [...store.allUsers()].filter((u) => u.state === 'active');
  const activeClause = clauses.find((c) => c.attr === 'active');
  const active = activeClause ? booleanFilterValue(activeClause, USER_FILTER_SPEC) : undefined;
  for (const c of clauses) if (c.attr === 'active' && booleanFilterValue(c, USER_FILTER_SPEC) !== active) return [];

  // Indexed lookups first (O(1)), then a scan.
  let candidates: Iterable<UserRecord> | undefined;
  for (const c of clauses) {
    if (c.attr === 'id') {
      const u = store.liveUser(c.value) ?? store.liveUser(c.value.toLowerCase());
      candidates = u ? [u] : [];
    } else if (c.attr === 'userName') {
      const u = store.userByUserName(c.value);
      candidates = u ? [u] : [];
    } else if (c.attr === 'externalId') {
      candidates = store.liveUsersByExternalId(c.value);
    } else continue;
    break;
  }
  const out: UserRecord[] = [];
  for (const u of candidates ?? store.allUsers()) {
    if (u.state === 'deleted') continue;
    if (clauses.every((c) => userMatches(u, c, active))) out.push(u);
  }
  return out;
}

// ---------------------------------------------------------------- handlers

function projectionOf(ctx: DomainContext, req: ScimRequest): Projection {
  if (ctx.apiVersion === '2019') return projectionFor(USER_SCHEMA, [], []);
  return projectionFor(USER_SCHEMA, req.query.attributes, req.query.excludedAttributes);
}

function respond(ctx: DomainContext, req: ScimRequest, u: UserRecord, status: number, extra: Record<string, string> = {}): ScimResponse {
  const body = projectionOf(ctx, req).apply(renderUser(ctx, u, req.baseUrl));
  return { status, headers: { ETag: etagOf(u.version, ctx.etagStyle), ...extra }, body };
}

function liveUserOr404(ctx: DomainContext, req: ScimRequest): UserRecord {
  const id = req.params.id ?? '';
  const u = ctx.store.liveUser(id);
  if (!u) throw notFound(id);
  return u;
}

export function userHandlers(ctx: DomainContext) {
  return {
    listUsers(req: ScimRequest): ScimResponse {
      const filter = req.query.filter?.trim() || undefined;
      if (filter === undefined && ctx.apiVersion === '2019') {
        throw new ScimHttpError(400, `The filter parameter is required. Supported filters: ${USER_FILTER_SPEC.supported}.`, 'invalidFilter');
      }
      const clauses = filter === undefined ? undefined : parseFilter(filter, USER_FILTER_SPEC, ctx.filterStrictness);
      const paging = parsePaging(req);
      const projection = projectionOf(ctx, req);
      checkCountLimit(ctx, USER_SCHEMA, paging, projection);
      const matches = selectUsers(ctx, clauses);
      return {
        status: 200,
        body: listResponse(matches, paging, (u) => projection.apply(renderUser(ctx, u, req.baseUrl))),
      };
    },

    createUser(req: ScimRequest): ScimResponse {
      const input = parseUserBody(ctx, req.body);
      const u = createUserRecord(ctx, input);
      return respond(ctx, req, u, 201, { Location: `${req.baseUrl}/users/${u.id}` });
    },

    getUser(req: ScimRequest): ScimResponse {
      const u = liveUserOr404(ctx, req);
      const etag = etagOf(u.version, ctx.etagStyle);
      if (ifNoneMatchIsCurrent(req, etag)) return { status: 304, headers: { ETag: etag } };
      return respond(ctx, req, u, 200);
    },

    replaceUser(req: ScimRequest): ScimResponse {
      const u = liveUserOr404(ctx, req);
      checkIfMatch(req, etagOf(u.version, ctx.etagStyle));
      const input = parseUserBody(ctx, req.body, u.id);
      checkUserNameFree(ctx, input.data.userName, u.id);
      commit(ctx, u, input);
      return respond(ctx, req, u, 200);
    },

    patchUser(req: ScimRequest): ScimResponse {
      const u = liveUserOr404(ctx, req);
      checkIfMatch(req, etagOf(u.version, ctx.etagStyle));
      const ops = parsePatchRequest(req.body);
      const doc = writableUserDoc(u);
      const input = applyPatchValidated(USER_SCHEMA, doc, ops, (d) => parseUserBody(ctx, d, u.id));
      checkUserNameFree(ctx, input.data.userName, u.id);
      commit(ctx, u, input);
      return respond(ctx, req, u, 200);
    },

    deleteUser(req: ScimRequest): ScimResponse {
      const u = liveUserOr404(ctx, req);
      checkIfMatch(req, etagOf(u.version, ctx.etagStyle));
      u.state = 'deleted';
      ctx.store.touch(u);
      ctx.store.removeFromAllGroups(u.id);
      // Reports of a deleted manager lose the reference (otherwise GET-then-PUT would fail on it).
      for (const r of ctx.store.allUsers()) {
        if (r.managerId === u.id) {
          r.managerId = undefined;
          ctx.store.touch(r);
        }
      }
      return ctx.deleteStatus === 204 ? { status: 204 } : { status: 200, body: {} };
    },
  };
}
