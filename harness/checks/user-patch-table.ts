/**
 * Shared by suites/users/patch.test.ts and patch-errors.test.ts: the rows of fixtures/cases/user-patch.json, their placeholders,
 * and the state assertions of the table (read a value at a '/'-separated path and compare it). This is an
 * assertion reader, not a PATCH interpreter: the expected state of every row is written in the table.
 */
import { caseTable, placeholdersOf, rowsOf } from '../config/cases.ts';
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { ciGet } from '../oracles/attributes.ts';
import { ENTERPRISE_URN, PATCH_OP_URN } from '../oracles/urns.ts';
import { fillRow } from './cases.ts';

export interface Assertion {
  path: string;
  equals?: unknown;
  notEquals?: unknown;
  absent?: boolean;
  present?: boolean;
  length?: number;
}

interface BaseRow {
  behaviour: string;
  name: string;
  versions?: string[];
  template?: 'minimal' | 'full';
  with?: Record<string, unknown>;
  operations?: unknown[];
  body?: unknown;
}

export interface ValidRow extends BaseRow {
  before?: Assertion[];
  expect: Assertion[];
}

export interface InvalidRow extends BaseRow {
  status: number;
  scimType?: string;
  unchanged?: Assertion[];
}

const TABLE = caseTable<ValidRow | InvalidRow>('user-patch');
const isValid = (row: ValidRow | InvalidRow): row is ValidRow => 'expect' in row;

/** The valid rows (with `expect`) of a behaviour; a behaviour whose rows are not all valid is a broken table. */
export function validRows(id: string): ValidRow[] {
  const rows = rowsOf(TABLE, id);
  if (!rows.every(isValid)) throw new Error(`${TABLE.file}: ${id} mixes valid and invalid rows (its check runs one kind)`);
  return rows;
}

/** The invalid rows (with `status`) of a behaviour. */
export function invalidRows(id: string): InvalidRow[] {
  const rows = rowsOf(TABLE, id);
  if (rows.some(isValid)) throw new Error(`${TABLE.file}: ${id} mixes valid and invalid rows (its check runs one kind)`);
  return rows as InvalidRow[];
}

// ---------------------------------------------------------------- placeholders

type Vars = Record<string, string | undefined>;

const randomDigits = () => String(100000000 + Math.floor(Math.random() * 899999999));

/**
 * Values for the row's placeholders; a second user or a users list is fetched only when the row needs one. A value
 * this target lacks (an org fixture, another role) stays undefined: fillRow then skips the row with that reason.
 */
async function prepareVars(row: BaseRow, ctx: BehaviourContext, user: { userName: string; displayName: string }): Promise<Vars> {
  const { names, target } = ctx;
  const vars: Vars = {
    userName: user.userName,
    displayName: user.displayName,
    newUserName: names.userName('renamed'),
    newDisplayName: names.displayName('renamed'),
    externalId: names.externalId('ext'),
    newExternalId: names.externalId('ext-new'),
    workEmail: names.userName('work'),
    newWorkEmail: names.userName('work-new'),
    teamsId: names.externalId('teams'),
    newTeamsId: names.externalId('teams-new'),
    unknownRole: names.displayName('no-such-role'),
    employeeNumber: randomDigits(),
    newEmployeeNumber: randomDigits(),
    password: `Sc1m-Ct!${Math.random().toString(36).slice(2, 10)}Zq7#`,
    role: target.org.role,
    division: target.org.division,
    routingSkill: target.org.routingSkill,
    routingLanguage: target.org.routingLanguage,
    groupId: target.org.groupId ?? target.org.nonScimGroupId,
  };
  const refs = new Set(placeholdersOf(row));
  // What the target lacks skips the row before anything else is created for it.
  fillRow(ctx, TABLE, [...refs].filter((r) => r in vars).map((r) => `{{${r}}}`), vars);
  if (refs.has('managerId') || refs.has('takenUserName')) {
    const other = await ctx.create('users', ctx.build.user('other'));
    ctx.verify.status(other, [200, 201], 'setup: a second user is created');
    ctx.verify.schema(other, 'ScimV2User');
    vars.managerId = other.body.id;
    vars.takenUserName = other.body.userName;
  }
  if (refs.has('otherRole') || refs.has('otherDivision')) {
    Object.assign(vars, await discoverOthers(ctx));
  }
  return vars;
}

/** A role and a division other than the org fixtures', read from the users the org lists (one request). */
async function discoverOthers(ctx: BehaviourContext): Promise<Vars> {
  const { scim, verify, target } = ctx;
  const query: Record<string, string> =
    target.apiVersion === '2019'
      ? { filter: 'active eq true', count: '25' }
      : { count: '25', attributes: `roles,${ENTERPRISE_URN}:division` };
  const res = await scim.get('/users', { query });
  verify.status(res, 200, 'setup: list users to find another role and division');
  verify.schema(res, 'ScimUserListResponse');
  const lower = (s: unknown) => String(s ?? '').toLowerCase();
  let otherRole: string | undefined;
  let otherDivision: string | undefined;
  for (const u of (res.body.Resources ?? []) as Record<string, any>[]) {
    for (const r of (Array.isArray(u.roles) ? u.roles : []) as { value?: unknown }[]) {
      const name = r?.value;
      // Never hand a test user an administrator role.
      if (!otherRole && typeof name === 'string' && name !== '' && lower(name) !== lower(target.org.role) && !/admin/i.test(name)) otherRole = name;
    }
    const division = u[ENTERPRISE_URN]?.division;
    if (!otherDivision && typeof division === 'string' && division !== '' && lower(division) !== lower(target.org.division)) otherDivision = division;
  }
  return { otherRole, otherDivision };
}


// ---------------------------------------------------------------- state assertions

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);


/** The value at `path`: keys separated by '/', `key=value` picks the first matching item of an array. */
export function valueAt(resource: unknown, path: string): unknown {
  let cur: unknown = resource;
  for (const segment of path.split('/')) {
    if (cur === undefined || cur === null) return undefined;
    const select = /^([^=]+)=(.*)$/.exec(segment);
    if (select) {
      if (!Array.isArray(cur)) return undefined;
      const [, key, want] = select;
      cur = cur.find((item) => isObject(item) && String(ciGet(item, key) ?? '').toLowerCase() === want.toLowerCase());
    } else {
      if (!isObject(cur)) return undefined;
      cur = ciGet(cur, segment);
    }
  }
  return cur;
}

/** RFC 7643 §2.5: unassigned, null and an empty array are the same state. */
const unassigned = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function describe(a: Assertion): string {
  if ('equals' in a) return `${a.path} = ${JSON.stringify(a.equals)}`;
  if ('notEquals' in a) return `${a.path} ≠ ${JSON.stringify(a.notEquals)}`;
  if (a.absent) return `${a.path} unassigned`;
  if (a.present) return `${a.path} present`;
  return `${a.path} has ${a.length} values`;
}

function holds(a: Assertion, actual: unknown): boolean {
  if ('equals' in a) return same(actual, a.equals);
  if ('notEquals' in a) return !same(actual, a.notEquals);
  if (a.absent) return unassigned(actual);
  if (a.present) return !unassigned(actual);
  if (a.length !== undefined) return Array.isArray(actual) && actual.length === a.length;
  throw new Error(`assertion without a comparison: ${JSON.stringify(a)}`);
}

function expectedText(a: Assertion): unknown {
  if ('equals' in a) return a.equals;
  if ('notEquals' in a) return `anything but ${JSON.stringify(a.notEquals)}`;
  if (a.absent) return '(unassigned: absent, null or [])';
  if (a.present) return '(a value)';
  return `an array of ${a.length} values`;
}

/** Verifies every assertion against `resource` (the body of `res`). */
export function verifyState(ctx: BehaviourContext, res: HttpResult, resource: unknown, assertions: Assertion[], where: string): void {
  for (const a of assertions) {
    const actual = valueAt(resource, a.path);
    ctx.verify.that(res, holds(a, actual), `${where}: ${describe(a)}`, expectedText(a), actual === undefined ? '(absent)' : actual);
  }
}

// ---------------------------------------------------------------- steps

export interface Prepared {
  id: string;
  created: HttpResult;
  vars: Vars;
  body: unknown;
}

/**
 * Row setup: skips rows of other API versions and rows that need a value the target lacks (anywhere in the row: a
 * row never runs with part of it left out); creates the user; skips when the created user does not start in the state
 * `startState` describes (the PATCH could not prove anything then). Returns the user, the placeholder values and the
 * PATCH body.
 */
export async function prepare(row: BaseRow, ctx: BehaviourContext, startState: Assertion[] | undefined): Promise<Prepared> {
  const { verify, target, skip, build } = ctx;
  if (row.versions && !row.versions.includes(target.apiVersion)) {
    skip(`this row is not documented for API version ${target.apiVersion} (documented for ${row.versions.join(', ')})`, 'version');
  }
  const base = build.user('patch', row.template ?? 'minimal');
  const vars = await prepareVars(row, ctx, { userName: base.userName, displayName: base.displayName });
  const filled = fillRow(ctx, TABLE, { with: row.with ?? {}, operations: row.operations, body: row.body, start: startState ?? [] }, vars);
  const created = await ctx.create('users', { ...base, ...filled.with });
  verify.status(created, [200, 201], 'setup: the user to PATCH is created');
  verify.schema(created, 'ScimV2User');
  const unmet = filled.start.find((a) => !holds(a, valueAt(created.body, a.path)));
  if (unmet) {
    skip(`the created user does not start in the state this row needs (${describe(unmet)}; got ${JSON.stringify(valueAt(created.body, unmet.path))}), so the PATCH could prove nothing`, 'row');
  }
  const body = filled.body !== undefined ? filled.body : { schemas: [PATCH_OP_URN], Operations: filled.operations ?? [] };
  return { id: created.body.id, created, vars, body };
}

/** The row's assertions with their placeholders filled (prepare has skipped a row missing a value). */
const fillAssertions = (ctx: BehaviourContext, list: Assertion[], vars: Vars): Assertion[] => fillRow(ctx, TABLE, list, vars);

/** A valid row: PATCH → 200 ScimV2User showing the expected state; a fresh GET shows it too. */
export async function runValid(row: ValidRow, ctx: BehaviourContext): Promise<{ patched: HttpResult; fetched: HttpResult; vars: Vars }> {
  const { scim, verify } = ctx;
  const { id, vars, body } = await prepare(row, ctx, row.before);
  const expected = fillAssertions(ctx, row.expect, vars);
  const patched = await scim.patch(`/users/${encodeURIComponent(id)}`, body);
  verify.status(patched, 200);
  verify.schema(patched, 'ScimV2User');
  verify.equal(patched, patched.body.id, id, 'the PATCH response is the patched user (id)');
  verifyState(ctx, patched, patched.body, expected, 'PATCH response');
  const fetched = await scim.get(`/users/${encodeURIComponent(id)}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verifyState(ctx, fetched, fetched.body, expected, 'stored user (GET after the PATCH)');
  return { patched, fetched, vars };
}

/** An invalid row: PATCH → the SCIM error of the row; with `unchanged`, a fresh GET shows the user as created. */
export async function runInvalid(row: InvalidRow, ctx: BehaviourContext): Promise<void> {
  const { scim, verify } = ctx;
  const { id, vars, body } = await prepare(row, ctx, row.unchanged);
  const res = await scim.patch(`/users/${encodeURIComponent(id)}`, body);
  verify.scimError(res, row.status, row.scimType);
  if (row.unchanged) {
    const fetched = await scim.get(`/users/${encodeURIComponent(id)}`);
    verify.status(fetched, 200);
    verify.schema(fetched, 'ScimV2User');
    verifyState(ctx, fetched, fetched.body, fillAssertions(ctx, row.unchanged, vars), 'stored user after the refused PATCH (nothing applied)');
  }
}
