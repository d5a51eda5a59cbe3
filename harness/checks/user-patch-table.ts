/**
 * Shared by suites/users/patch.test.ts and patch-errors.test.ts: the rows of fixtures/cases/user-patch.json, their
 * placeholders, and how a row runs on the write subject of its prefix (harness/checks/user-subject.ts).
 *
 * A row states the state it starts from (`before`; for an invalid row also `unchanged`) as assertions, and how to
 * establish it (`with`: top-level attributes of a user body of `template`). It runs on the write subject as it is when
 * its last known representation holds the row's starting state (rows are ordered so that most start where the row
 * before them left the subject); otherwise the subject is first put in that state with one PUT of the minimal (or full)
 * template with `with`. When that PUT does not bring it there (a server whose PUT does not replace), the row falls back
 * to a user of its own, created with that body and deleted when the test ends; a row whose user does not start in its
 * state is skipped (the PATCH could prove nothing).
 */
import { caseTable, placeholdersOf, rowsOf } from '../config/cases.ts';
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { ENTERPRISE_URN, GENESYS_URN, PATCH_OP_URN } from '../oracles/urns.ts';
import { fillRow } from './cases.ts';
import { describeAssertion, unmet, valueAt, verifyState, type Assertion } from './user-state.ts';
import { observe, otherRoleAndDivision, readSubject, referenceUser, writeSubject, writeTo, type WriteSubject } from './user-subject.ts';

interface BaseRow {
  behaviour: string;
  name: string;
  versions?: string[];
  template?: 'minimal' | 'full';
  with?: Record<string, unknown>;
  before?: Assertion[];
  operations?: unknown[];
  body?: unknown;
}

export interface ValidRow extends BaseRow {
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
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Values that are new for every row: the values a row writes. */
function freshVars(ctx: BehaviourContext): Vars {
  const { names } = ctx;
  return {
    newUserName: names.userName('renamed'),
    newDisplayName: names.displayName('renamed'),
    newExternalId: names.externalId('ext-new'),
    newWorkEmail: names.userName('work-new'),
    newTeamsId: names.externalId('teams-new'),
    newEmployeeNumber: randomDigits(),
    unknownRole: names.displayName('no-such-role'),
    password: `Sc1m-Ct!${Math.random().toString(36).slice(2, 10)}Zq7#`,
    // Used when the user does not hold such a value: `with` then establishes it.
    externalId: names.externalId('ext'),
    workEmail: names.userName('work'),
    teamsId: names.externalId('teams'),
    employeeNumber: randomDigits(),
  };
}

/**
 * The row's placeholder values on `user` (a representation): the values it holds ({{userName}}, {{externalId}},
 * {{workEmail}}, …; a fresh one where it holds none, which `with` then establishes), the fresh values the row writes,
 * and the org fixtures. A second user (the reference user) or another role and division are fetched only when the row
 * names them.
 */
async function varsFor(row: BaseRow, ctx: BehaviourContext, user: Record<string, any> | undefined, fresh: Vars): Promise<Vars> {
  const { target } = ctx;
  const vars: Vars = {
    ...fresh,
    userName: text(user?.userName) ?? ctx.names.userName('patch'),
    displayName: text(user?.displayName) ?? ctx.names.displayName('patch'),
    externalId: text(user?.externalId) ?? fresh.externalId,
    title: text(user?.title) ?? 'Before Title',
    workEmail: text(valueAt(user, 'emails/type=work/value')) ?? fresh.workEmail,
    teamsId: text(valueAt(user, `${GENESYS_URN}/externalIds/authority=microsoftteams/value`)) ?? fresh.teamsId,
    employeeNumber: text(valueAt(user, `${ENTERPRISE_URN}/employeeNumber`)) ?? fresh.employeeNumber,
    department: text(valueAt(user, `${ENTERPRISE_URN}/department`)) ?? 'Before Department',
    role: target.org.role,
    division: target.org.division,
    routingSkill: target.org.routingSkill,
    routingLanguage: target.org.routingLanguage,
    groupId: target.org.groupId ?? target.org.nonScimGroupId,
  };
  const refs = new Set(placeholdersOf(row));
  // What the target lacks skips the row before anything is sent for it.
  fillRow(ctx, TABLE, [...refs].filter((r) => r in vars).map((r) => `{{${r}}}`), vars);
  if (refs.has('managerId') || refs.has('takenUserName')) {
    const other = await referenceUser(ctx);
    vars.managerId = other.id;
    vars.takenUserName = other.userName;
  }
  if (refs.has('otherRole') || refs.has('otherDivision')) Object.assign(vars, await otherRoleAndDivision(ctx));
  return vars;
}

// ---------------------------------------------------------------- steps

export interface Prepared {
  /** The user the row patches: the write subject, or (fallback) a user of the row's own. */
  id: string;
  path: string;
  subject?: WriteSubject;
  vars: Vars;
  body: unknown;
}

/** The state a row starts from: `before`, and for an invalid row whose atomicity is checked, `unchanged`. */
const startOf = (row: ValidRow | InvalidRow): Assertion[] => [...(row.before ?? []), ...('unchanged' in row ? (row.unchanged ?? []) : [])];

/** A user body that establishes the row's starting state, named `userName` / `displayName`. */
function establishingBody(ctx: BehaviourContext, row: BaseRow, vars: Vars, names: { userName?: string; displayName?: string } = {}): Record<string, unknown> {
  const filled = fillRow(ctx, TABLE, row.with ?? {}, vars);
  return ctx.build.user('patch', row.template ?? 'minimal', { ...names, ...filled });
}

/**
 * Row setup: skips rows of other API versions and rows that need a value the target lacks (anywhere in the row: a row
 * never runs with part of it left out); brings the write subject into the row's starting state (or falls back to a user
 * of its own, skipping when that does not start there either). Returns the user, the placeholder values and the body.
 */
export async function prepare(row: ValidRow | InvalidRow, ctx: BehaviourContext): Promise<Prepared> {
  const { verify, target, skip } = ctx;
  if (row.versions && !row.versions.includes(target.apiVersion)) {
    skip(`this row is not documented for API version ${target.apiVersion} (documented for ${row.versions.join(', ')})`, 'version');
  }
  const fresh = freshVars(ctx);
  const s = await writeSubject(ctx);
  const start = (vars: Vars) => fillRow(ctx, TABLE, startOf(row), vars);
  let vars = await varsFor(row, ctx, s.state, fresh);
  if (!s.state || unmet(start(vars), s.state)) {
    // Set-up: one PUT of the starting state, keeping the subject's names.
    const put = await writeTo(s, (p) => ctx.scim.put(p, establishingBody(ctx, row, vars, { userName: vars.userName, displayName: vars.displayName })));
    if (put.status === 200 && s.state) vars = await varsFor(row, ctx, s.state, fresh);
  }
  if (s.state && !s.gone && !unmet(start(vars), s.state)) return { id: s.id, path: s.path, subject: s, vars, body: bodyOf(ctx, row, vars) };

  // Fallback: a user of the row's own, created in the starting state.
  const created = await ctx.create('users', establishingBody(ctx, row, await varsFor(row, ctx, undefined, fresh)));
  verify.schema(created, 'ScimV2User', created.body, 'set-up: the user to PATCH is created (a ScimV2User)');
  vars = await varsFor(row, ctx, created.body, fresh);
  const missing = unmet(start(vars), created.body);
  if (missing) {
    skip(
      `the user does not start in the state this row needs (${describeAssertion(missing)}; got ${JSON.stringify(valueAt(created.body, missing.path))}), so the PATCH could prove nothing`,
      'row',
    );
  }
  return { id: created.body.id, path: `/users/${encodeURIComponent(created.body.id)}`, vars, body: bodyOf(ctx, row, vars) };
}

function bodyOf(ctx: BehaviourContext, row: BaseRow, vars: Vars): unknown {
  const filled = fillRow(ctx, TABLE, { operations: row.operations, body: row.body }, vars);
  return filled.body !== undefined ? filled.body : { schemas: [PATCH_OP_URN], Operations: filled.operations ?? [] };
}

/** The PATCH of a prepared row, observed when it is sent to the write subject. */
async function send(ctx: BehaviourContext, p: Prepared): Promise<HttpResult> {
  const res = await ctx.scim.patch(p.path, p.body);
  if (p.subject) observe(p.subject, res, true);
  return res;
}

/** A GET of a prepared row's user, observed when it is the write subject. */
async function readBack(ctx: BehaviourContext, p: Prepared): Promise<HttpResult> {
  if (p.subject) return readSubject(ctx, p.subject);
  return ctx.scim.get(p.path);
}

/**
 * A valid row: PATCH → 200 ScimV2User showing the expected state (the answer carries the whole resource, RFC 7644
 * §3.5.2). `readBack` also GETs the user (for a check about what is stored).
 */
export async function runValid(row: ValidRow, ctx: BehaviourContext, options: { readBack?: boolean } = {}): Promise<{ patched: HttpResult; fetched?: HttpResult; vars: Vars }> {
  const { verify } = ctx;
  const p = await prepare(row, ctx);
  const expected = fillRow(ctx, TABLE, row.expect, p.vars);
  const patched = await send(ctx, p);
  verify.status(patched, 200);
  verify.schema(patched, 'ScimV2User');
  verify.equal(patched, patched.body.id, p.id, 'the PATCH response is the patched user (id)');
  verifyState(ctx, patched, patched.body, expected, 'PATCH response');
  if (!options.readBack) return { patched, vars: p.vars };
  const fetched = await readBack(ctx, p);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verifyState(ctx, fetched, fetched.body, expected, 'stored user (GET after the PATCH)');
  return { patched, fetched, vars: p.vars };
}

/** An invalid row: PATCH → the SCIM error of the row; with `unchanged`, a fresh GET shows the user as it started. */
export async function runInvalid(row: InvalidRow, ctx: BehaviourContext): Promise<void> {
  const { verify } = ctx;
  const p = await prepare(row, ctx);
  const res = await send(ctx, p);
  verify.scimError(res, row.status, row.scimType);
  if (row.unchanged) {
    const fetched = await readBack(ctx, p);
    verify.status(fetched, 200);
    verify.schema(fetched, 'ScimV2User');
    verifyState(ctx, fetched, fetched.body, fillRow(ctx, TABLE, row.unchanged, p.vars), 'stored user after the refused PATCH (nothing applied)');
  }
}
