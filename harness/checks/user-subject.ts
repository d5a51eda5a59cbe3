/**
 * The users the user write checks share, instead of a POST and a DELETE per check (issue 12: request economy on a
 * real org). Shared by suites/users/patch, patch-errors, replace, delete, lifecycle, permissions, etag, last-modified
 * and create.
 *
 * - The reference user: one per run (both prefixes read the same org), created from the full template and never
 *   changed by any check: the manager the checks assign, the userName a uniqueness check collides with, the user the
 *   ETag and permission checks read.
 * - The write subject: one per prefix (every test file of a worker runs one test at a time, so no two checks change it
 *   at once), which the PATCH, PUT, permission and last-modified checks change in turn. Every answer that carries it is
 *   observed, so its last known representation and the versions it went through are known; a check states the state it
 *   needs, and the subject is put there (one PUT, a set-up step) only when it is not there already. A subject whose
 *   state is unknown (a write answered without the resource, a 5xx) is re-established before it is used again, and one
 *   that answers 404 (deleted by a faulty server) is replaced: one check's failure never fails the next.
 * - Shared answers: a write several checks judge (the POST of a user, a DELETE) is sent once by the check that first
 *   asks and handed to the others as their evidence (sharedEvidence, checks/shared-answers.ts).
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import { runLedger } from '../runtime/behaviour/context.ts';
import type { HttpResult, RequestOptions } from '../runtime/http.ts';
import type { LedgerResource } from '../runtime/ledger.ts';
import { SetupFailure } from '../runtime/verify.ts';
import { collectionPath } from '../config/target.ts';
import { ENTERPRISE_URN } from '../oracles/urns.ts';
import { describeAssertion, unmet, type Assertion } from './user-state.ts';

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------- shared answers and kept resources

/**
 * A POST whose answer is returned whatever it is; what it creates is recorded in the run ledger and kept until the end
 * of the run (the end-of-run sweep reads it and removes it unless it is gone: a DELETE that claims success is never
 * taken on trust). An answer lost in
 * transit is settled like any create (ctx.post).
 */
export function keptPost(ctx: BehaviourContext, resource: LedgerResource, body: unknown, opts: Pick<RequestOptions, 'contentType' | 'rawBody'> = {}): Promise<HttpResult> {
  return ctx.post(resource, body, { ...opts, keep: true });
}

/** The version an answer announces: its ETag header, else meta.version. */
function versionOf(res: HttpResult): string | undefined {
  const v = res.headers.etag ?? res.body?.meta?.version;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

// ---------------------------------------------------------------- the reference user

/** The run's reference user (full template), created once for both prefixes and never changed by a check. */
export function referenceUser(ctx: BehaviourContext): Promise<Record<string, any>> {
  return ctx.shared(
    'uw:reference-user',
    async (create) => {
      const res = await create('users', ctx.build.user('reference', 'full'));
      ctx.verify.schema(res, 'ScimV2User', res.body, 'set-up: the reference user is created (POST /users answers a ScimV2User)');
      return res.body as Record<string, any>;
    },
    { scope: 'run' },
  );
}

/**
 * A role and a division other than the org fixtures', read from the users the org lists (one request per run),
 * for the rows that move a user between two of them. Never an administrator role.
 */
export function otherRoleAndDivision(ctx: BehaviourContext): Promise<{ otherRole?: string; otherDivision?: string }> {
  return ctx.shared(
    'uw:other-role-division',
    async () => {
      const { scim, verify, target } = ctx;
      const query: Record<string, string> =
        target.apiVersion === '2019' ? { filter: 'active eq true', count: '25' } : { count: '25', attributes: `roles,${ENTERPRISE_URN}:division` };
      const res = await scim.get('/users', { query });
      verify.status(res, 200, 'set-up: list users to find another role and division');
      verify.schema(res, 'ScimUserListResponse');
      const lower = (s: unknown) => String(s ?? '').toLowerCase();
      let otherRole: string | undefined;
      let otherDivision: string | undefined;
      for (const u of (res.body.Resources ?? []) as Record<string, any>[]) {
        for (const r of (Array.isArray(u.roles) ? u.roles : []) as { value?: unknown }[]) {
          const name = r?.value;
          if (!otherRole && typeof name === 'string' && name !== '' && lower(name) !== lower(target.org.role) && !/admin/i.test(name)) otherRole = name;
        }
        const division = u[ENTERPRISE_URN]?.division;
        if (!otherDivision && typeof division === 'string' && division !== '' && lower(division) !== lower(target.org.division)) otherDivision = division;
      }
      return { otherRole, otherDivision };
    },
    { scope: 'run' },
  );
}

// ---------------------------------------------------------------- the write subject

export interface WriteSubject {
  id: string;
  /** '/users/<id>' */
  path: string;
  /** The last representation the target answered with (POST, PUT, PATCH, GET); undefined when not known. */
  state?: Record<string, any>;
  /** The answer `state` comes from. */
  answer?: HttpResult;
  /** The version of `state` (ETag header, else meta.version), when the answer announced one. */
  version?: string;
  /** The versions it went through, oldest first. */
  versions: string[];
  /** When the last write to it was answered (ms since the epoch). */
  writtenAt: number;
  /** It answered 404: deleted (by a faulty server); the next check gets a new subject. */
  gone: boolean;
}

const generation = new Map<string, number>();

/**
 * The write subject of this prefix (full template; on 2021 holding a second, non-admin role of the org when the org
 * lists one, for the role rows). Created by the first check that needs it, kept until the end of the run.
 */
export async function writeSubject(ctx: BehaviourContext): Promise<WriteSubject> {
  for (;;) {
    const gen = generation.get(ctx.prefix) ?? 0;
    const subject = await ctx.shared(`uw:write-subject#${gen}`, async (create) => {
      const body = ctx.build.user('subject', 'full');
      if (ctx.target.apiVersion === '2021' && ctx.target.org.role) {
        const { otherRole } = await otherRoleAndDivision(ctx);
        if (otherRole) body.roles = [...(Array.isArray(body.roles) ? body.roles : []), { value: otherRole }];
      }
      const res = await create('users', body);
      ctx.verify.schema(res, 'ScimV2User', res.body, 'set-up: the write subject is created (POST /users answers a ScimV2User)');
      const s: WriteSubject = { id: res.body.id, path: `/users/${encodeURIComponent(res.body.id)}`, versions: [], writtenAt: 0, gone: false };
      observe(s, res, true);
      return s;
    });
    if (!subject.gone) return subject;
    generation.set(ctx.prefix, gen + 1);
  }
}

/**
 * Records what an answer about the subject says: a 2xx carrying it is its new state (and version); a 404 means it is
 * gone; a write answered otherwise than 2xx-with-the-resource or 4xx (refused: unchanged) leaves its state unknown.
 */
export function observe(s: WriteSubject, res: HttpResult, write: boolean): void {
  if (write) s.writtenAt = Date.now();
  const deleted = res.exchange.request.method === 'DELETE' && res.status >= 200 && res.status < 300;
  if (res.status === 404 || deleted) {
    s.gone = true;
    s.state = s.answer = s.version = undefined;
    return;
  }
  const body = res.body;
  if (res.status >= 200 && res.status < 300 && isObject(body) && String(body.id ?? '').toLowerCase() === s.id.toLowerCase()) {
    s.state = body;
    s.answer = res;
    s.version = versionOf(res);
    if (s.version !== undefined && s.versions.at(-1) !== s.version) s.versions.push(s.version);
    return;
  }
  // A refusal leaves the subject as it was, unless an earlier attempt of the same write got no answer (it may have
  // been applied: the refusal may be of the state it left).
  if (write && (res.ambiguous || !(res.status >= 400 && res.status < 500))) s.state = s.answer = s.version = undefined;
}

/** A write to the subject (main identity), observed. */
export async function writeTo(s: WriteSubject, send: (path: string) => Promise<HttpResult>): Promise<HttpResult> {
  const res = await send(s.path);
  observe(s, res, true);
  return res;
}

/** GET the subject (main identity), observed. */
export async function readSubject(ctx: BehaviourContext, s: WriteSubject): Promise<HttpResult> {
  const res = await ctx.scim.get(s.path);
  observe(s, res, false);
  return res;
}

/**
 * The subject's current representation: the last one observed, or (set-up) a GET when it is not known. Blocks the check
 * when the subject cannot be read.
 */
export async function currentState(ctx: BehaviourContext, s: WriteSubject): Promise<Record<string, any>> {
  if (!s.state) {
    const res = await readSubject(ctx, s);
    if (res.status !== 200 || !s.state) setupFailed(ctx, res, 'GET the write subject', 'a 200 answer carrying the user');
  }
  return s.state!;
}

/**
 * The subject in a state where every `need` holds: as it is when its last known representation holds them; otherwise
 * (set-up) after one PUT of `establish(names)`, a full user body keeping the subject's names. Blocks the check when the
 * PUT does not bring it there.
 */
export async function subjectIn(
  ctx: BehaviourContext,
  needs: readonly Assertion[],
  establish: (names: { userName: string; displayName: string }) => Record<string, unknown>,
): Promise<WriteSubject> {
  const s = await writeSubject(ctx);
  if (s.state && !unmet(needs, s.state)) return s;
  const names = {
    userName: typeof s.state?.userName === 'string' ? s.state.userName : ctx.names.userName('subject'),
    displayName: typeof s.state?.displayName === 'string' ? s.state.displayName : ctx.names.displayName('subject'),
  };
  const res = await writeTo(s, (p) => ctx.scim.put(p, establish(names)));
  const missing = s.state ? unmet(needs, s.state) : needs[0];
  if (res.status !== 200 || !s.state || missing) {
    setupFailed(ctx, res, `a PUT brings the write subject into the state the check starts from${missing ? ` (${describeAssertion(missing)})` : ''}`, 'a 200 answer showing that state');
  }
  return s;
}

/**
 * The subject's current version (the one its last known representation announced; set-up: a GET when that one is not
 * known or announced none). Undefined when the target announces none.
 */
export async function currentVersion(ctx: BehaviourContext, s: WriteSubject): Promise<string | undefined> {
  await currentState(ctx, s);
  if (s.version === undefined) await readSubject(ctx, s);
  return s.version;
}

/**
 * A version of the subject that is no longer current: one it went through before the last change, or (set-up) after a
 * PATCH of its title when only one is known. Blocks the check when the subject does not change version.
 */
export async function staleVersion(ctx: BehaviourContext, s: WriteSubject): Promise<string> {
  await currentVersion(ctx, s);
  if (s.versions.length < 2) {
    const res = await writeTo(s, (p) =>
      ctx.scim.patch(p, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `Stale ${Date.now()}` }] }),
    );
    if (res.status !== 200 || s.versions.length < 2) setupFailed(ctx, res, 'a PATCH moves the write subject to a new version', 'a 200 answer with a new version');
  }
  return s.versions[s.versions.length - 2];
}

/** A set-up step failed: block the check with the step and its exchange (a 5xx still fails it: judge.ts). */
export function setupFailed(ctx: BehaviourContext, res: HttpResult, step: string, expected: string): never {
  throw new SetupFailure({ requirement: ctx.verify.requirement, check: `set-up: ${step}`, expected, actual: res.status, exchange: res.exchange });
}
