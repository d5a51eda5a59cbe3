/**
 * The groups the group checks work on (suites/groups/*), made once and shared, so that a run against a real org sends
 * about one request per behaviour and prefix.
 *
 * - Member users (`groupMembers`): users created once per run (a shared fixture), the members every group check uses.
 * - The posted groups (`postedGroups`): where the API creates groups (2021, writes allowed), one POST through every
 *   configured prefix, early in the run, each with a member. Its answer is what the POST checks of that prefix judge,
 *   and the group is what the read checks of that prefix read (GET, projections, filters, lists): nothing changes it,
 *   so its reads are shared (ctx.read) and filters find it once the index has caught up. Removed at the end of the run.
 * - The subject group (`onSubjectGroup`), the group write checks change:
 *   - where the API creates groups, one for the run (both prefixes reach the same org), shared by the write checks of
 *     every file (PUT, PATCH, permissions, lastModified). Its state is tracked from every answer: a check states what it needs (e.g. exactly these
 *     members) and a prerequisite PUT is sent only when the group is not already so. An answer that leaves the state in
 *     doubt (a refused write: a non-conformant server may have applied part of it) makes the next check that depends on
 *     the state read it first; a check that fails or throws leaves it unknown (the next one reads or sets it again);
 *     a group deleted after all is created again.
 *   - where it cannot (2019), the configured scratch group (target.org.groupId, requirement org:group). The PUT and PATCH
 *     checks live in different files, and files run in parallel, so every check that may write the scratch group holds
 *     a cross-process lock on it for the whole test (a directory in the OS temp dir: no two checks ever change it at the
 *     same time). It is read first, and when any PUT/PATCH/DELETE of the test to it was not refused with a 4xx, its
 *     displayName, externalId and members are restored at the end (PUT, PATCH as a fallback).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectionPath, isIdeal } from '../config/target.ts';
import { runLedger, type BehaviourContext } from '../runtime/behaviour/context.ts';
import { SCRATCH_GROUP_MISSING } from '../runtime/behaviour/skips.ts';
import { isCreated } from '../runtime/behaviour/creates.ts';
import type { HttpResult, RequestOptions } from '../runtime/http.ts';
import { SetupFailure } from '../runtime/verify.ts';
import { CORE_GROUP_URN, PATCH_OP_URN } from '../oracles/urns.ts';
import { idsOf } from './lists.ts';
import { reuse } from './shared-answers.ts';

type Rep = Record<string, any>;

/** Every 4xx status, for checks whose requirement is "refused with a 4xx". */
export const CLIENT_ERRORS: readonly number[] = Array.from({ length: 100 }, (_, i) => 400 + i);

/** An id that names no resource. */
export const unknownId = (): string => randomUUID();

/** Member values of a group representation, lower-cased and sorted; duplicates are kept (so they can be seen). */
export function memberIds(body: unknown): string[] {
  const members = (body as { members?: unknown } | undefined)?.members;
  if (!Array.isArray(members)) return [];
  return members.map((m) => String((m as { value?: unknown } | null)?.value ?? '').toLowerCase()).sort();
}

/** Ids as memberIds would show them. */
export const idSet = (ids: readonly string[]): string[] => ids.map((id) => id.toLowerCase()).sort();

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The version a response carries: its ETag header, else meta.version. */
export function versionOf(res: HttpResult): string | undefined {
  return res.headers.etag ?? res.body?.meta?.version ?? undefined;
}

/** A set-up step failed: the check is blocked, not failed (a 5xx still fails it). */
function setupFailure(ctx: BehaviourContext, check: string, expected: unknown, actual: unknown, res?: HttpResult): SetupFailure {
  return new SetupFailure({ requirement: ctx.verify.requirement, check: `set-up: ${check}`, expected, actual, exchange: res?.exchange });
}

/** A PUT body rebuilt from a representation: displayName, externalId and members are kept unless changed. */
export function putBody(current: Record<string, any>, changes: { displayName?: string; members?: readonly string[] } = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: [CORE_GROUP_URN], displayName: changes.displayName ?? current.displayName };
  // A PUT replaces the resource: an omitted externalId could be cleared, so it is sent back as it was.
  if (typeof current.externalId === 'string' && current.externalId !== '') body.externalId = current.externalId;
  body.members = changes.members
    ? changes.members.map((value) => ({ value }))
    : (Array.isArray(current.members) ? current.members : []).map((m: { value: string; type?: string }) =>
        m.type ? { value: m.value, type: m.type } : { value: m.value },
      );
  return body;
}

/** GET a group: 200 and a valid ScimV2Group. */
export async function readGroup(ctx: BehaviourContext, id: string, check = 'GET the group'): Promise<HttpResult> {
  const res = await ctx.scim.get(`/groups/${encodeURIComponent(id)}`);
  ctx.verify.status(res, 200, `${check}: HTTP status`);
  ctx.verify.schema(res, 'ScimV2Group', res.body, `${check}: body is a valid ScimV2Group`);
  return res;
}

/** Where the API creates groups (2021, writes allowed): the run makes its own; elsewhere it uses the scratch group. */
export function canCreateGroups(ctx: BehaviourContext): boolean {
  return ctx.target.apiVersion === '2021' && ctx.target.allowWrites;
}

// ------------------------------------------------------------------ member users and the posted groups

/**
 * The users group checks make members: created once per run (read-only for the checks; removed at the end of the run).
 * Two against a real org, three on the ideal emulator (the property checks then get a third member for free).
 */
export function groupMembers(ctx: BehaviourContext): Promise<string[]> {
  const count = isIdeal(ctx.target) ? 3 : 2;
  return ctx.shared(
    `grp:members:${count}`,
    async (create) => {
      const ids: string[] = [];
      for (let i = 1; i <= count; i++) ids.push((await create('users', ctx.build.user(`grp-member-${i}`))).body.id);
      return ids;
    },
    { scope: 'run' },
  );
}

/** One POST of the posted groups: the body sent and the answer. */
export interface PostedGroup {
  body: Record<string, any>;
  res: HttpResult;
  /** The member user the body names. */
  memberId: string;
}

/**
 * The posted groups (where the API creates groups): one POST through every configured prefix, all sent when a check of
 * either prefix first needs one, each group with one member user. The answers are returned whatever they are (the POST
 * checks judge them); what was created stays until the end-of-run clean-up.
 */
function postedGroups(ctx: BehaviourContext): Promise<Map<string, PostedGroup>> {
  return ctx.shared(
    'grp:posted',
    async () => {
      const [memberId] = await groupMembers(ctx);
      const out = new Map<string, PostedGroup>();
      for (const prefix of ctx.target.prefixes) {
        const body = ctx.build.group('posted', 'minimal', { members: [{ value: memberId }] });
        // Kept for the run (the runner removes it); a lost answer is settled like any create's.
        out.set(prefix, { body, res: await ctx.post('groups', body, { keep: true, prefix }), memberId });
      }
      return out;
    },
    { scope: 'run' },
  );
}

/**
 * The POST of this prefix's posted group, as evidence of the check asking (its exchange recorded here as reused when
 * another check sent it). Only where the API creates groups.
 */
export async function postedGroup(ctx: BehaviourContext): Promise<PostedGroup> {
  const posted = (await postedGroups(ctx)).get(ctx.prefix);
  if (!posted) throw new Error(`no posted group for prefix ${ctx.prefix}`);
  // Sent by this check (it built the fixture), or by another one: then judged here too, as a reused answer.
  return { ...posted, res: reuse(ctx, posted.res) };
}

/** A group the read checks read and nothing changes meanwhile. */
export interface ReadableGroup {
  id: string;
  path: string;
  /** A user the run made a member of it (the posted groups); undefined for the scratch group. */
  memberId?: string;
  /** The displayName it was created with (the posted groups); undefined for the scratch group (read it). */
  displayName?: string;
  /** true: the configured scratch group (held unchanged for the test); false: the posted group of this prefix. */
  scratch: boolean;
}

/**
 * The group read checks read. Where the API creates groups: the posted group of this prefix (its POST must have
 * created it, else the check is blocked). Elsewhere: the scratch group, held unchanged (locked) until the test ends.
 */
export async function readableGroup(ctx: BehaviourContext): Promise<ReadableGroup> {
  if (canCreateGroups(ctx)) {
    const posted = (await postedGroups(ctx)).get(ctx.prefix)!;
    if (!isCreated(posted.res)) {
      throw setupFailure(ctx, 'POST /groups creates the group the check reads', 'a 2xx answer carrying the new group (with its id)', posted.res.status, posted.res);
    }
    const id = String(posted.res.body.id);
    return { id, path: `/groups/${encodeURIComponent(id)}`, memberId: posted.memberId, displayName: String(posted.res.body.displayName ?? posted.body.displayName), scratch: false };
  }
  const id = scratchGroupId(ctx);
  // Other checks may change the scratch group: hold it unchanged while this one reads it.
  await holdScratchGroup(ctx);
  return { id, path: `/groups/${encodeURIComponent(id)}`, scratch: true };
}

/**
 * GET the group read (with a query: attributes, excludedAttributes): the posted group's answers are shared between
 * checks (nothing changes it); the scratch group is read afresh.
 */
export function getReadable(ctx: BehaviourContext, g: ReadableGroup, query?: Record<string, string>): Promise<HttpResult> {
  return g.scratch ? ctx.scim.get(g.path, { query }) : ctx.read(g.path, { query });
}

/**
 * GET groups with `filter`, sent until it lists group `id` or answers other than 200 (lists lag writes on a live org,
 * ctx.eventually); for the posted group the answer is shared by the checks of this prefix sending the same filter.
 */
export function filteredUntilListed(ctx: BehaviourContext, g: Pick<ReadableGroup, 'id' | 'scratch'>, filter: string): Promise<HttpResult> {
  const settled = (res: HttpResult) => res.status !== 200 || idsOf(res).includes(g.id);
  return g.scratch ? ctx.eventually(() => ctx.scim.get('/groups', { query: { filter } }), settled) : ctx.read('/groups', { query: { filter }, settled });
}

/** A group id that checks may read but do not change: the posted group (2021), else the scratch group (no lock). */
export async function readableGroupId(ctx: BehaviourContext): Promise<string> {
  if (canCreateGroups(ctx)) return (await readableGroup(ctx)).id;
  return scratchGroupId(ctx);
}

// ------------------------------------------------------------------ the group the delete checks delete

/**
 * The group the DELETE checks of a prefix delete (where the API creates groups): one per prefix, made when a check
 * first needs it alive (kept in the ledger until it is deleted), and deleted by one of them; the others judge that
 * deletion, or make a new one when they need a group alive again.
 */
export interface DeletionSubject {
  id: string;
  path: string;
  /** Its current displayName, as last seen. */
  displayName: string;
  /** Versions it had (ETag, else meta.version), oldest first. */
  versions: string[];
  /** Its deletion: the DELETE, and the GET after it. */
  deletion?: { del: HttpResult; after?: HttpResult };
}

const deletionSubjects = new Map<string, { generation: number; subject?: DeletionSubject }>();

/** This prefix's deletion subject as it is (deleted or not), if one was made. */
export function lastDeletionSubject(ctx: BehaviourContext): DeletionSubject | undefined {
  return deletionSubjects.get(ctx.prefix)?.subject;
}

/** This prefix's deletion subject, alive: a new one when there is none or the last was deleted. */
export async function aliveDeletionSubject(ctx: BehaviourContext): Promise<DeletionSubject> {
  let entry = deletionSubjects.get(ctx.prefix);
  if (!entry) deletionSubjects.set(ctx.prefix, (entry = { generation: 0 }));
  if (entry.subject && !entry.subject.deletion) return entry.subject;
  const generation = entry.generation++;
  const created = await ctx.shared(`grp:deletion-subject:${generation}`, (create) => create('groups', ctx.build.group('delete', 'minimal')));
  const id = String(created.body.id);
  const v = versionOf(created);
  entry.subject = { id, path: `/groups/${encodeURIComponent(id)}`, displayName: String(created.body.displayName), versions: v ? [v] : [] };
  return entry.subject;
}

/** Learns the deletion subject's state from an answer about it: a new version, or its deletion. */
export function observeDeletionSubject(ctx: BehaviourContext, s: DeletionSubject, res: HttpResult): void {
  const method = res.exchange.request.method;
  if (method === 'DELETE') {
    if ((res.status >= 200 && res.status < 300) || res.status === 404) {
      s.deletion = { del: res };
      // Deleted by the check: nothing is left for the end-of-run clean-up to read or remove.
      runLedger(ctx.target).deleted('groups', s.id, ctx.prefix);
    }
    return;
  }
  if (method === 'GET' && res.status === 404 && s.deletion) s.deletion.after = res;
  if (res.status >= 200 && res.status < 300 && res.body?.id === s.id) {
    const v = versionOf(res);
    if (v !== undefined && s.versions.at(-1) !== v) s.versions.push(v);
    if (typeof res.body.displayName === 'string') s.displayName = res.body.displayName;
  }
}

// ------------------------------------------------------------------ the subject group write checks change

/** What a check needs the subject group to hold before it acts. */
export interface SubjectNeeds {
  /** Exactly these members (user ids). */
  members?: readonly string[];
  /**
   * false: the check does not rely on knowing the group's state (e.g. it only judges a refusal), so nothing is read
   * for it when the state is in doubt. Default true.
   */
  known?: boolean;
}

interface SubjectState {
  id: string;
  path: string;
  scratch: boolean;
  /** The representation last known to be current; undefined: unknown (read or set it before relying on it). */
  known?: Rep;
  /** When `known` was received (ms since the epoch). */
  knownAt: number;
  /** A refused write since: a conformant server changed nothing, a non-conformant one may have applied part of it. */
  suspect: boolean;
  /** Versions (ETag, else meta.version) the group had, oldest first; the last is the current one when known. */
  versions: string[];
  /** The current version was read (GET), not taken from a write's answer (which a faulty server may get wrong). */
  versionRead: boolean;
  /** Deleted (e.g. a non-conformant server accepted a refused DELETE): a new one is made for the next check. */
  gone: boolean;
}

/** The subject group of this worker (where the API creates groups): one for both prefixes, made again when deleted. */
const subject: { generation: number; state?: SubjectState } = { generation: 0 };

/** The group a write check works on, with what is known of its state. */
export class SubjectGroup {
  constructor(
    private readonly ctx: BehaviourContext,
    private readonly state: SubjectState,
  ) {}

  get id(): string {
    return this.state.id;
  }
  /** '/groups/<id>' */
  get path(): string {
    return this.state.path;
  }
  /** true: the configured scratch group (2019), restored at the end of the test. */
  get scratch(): boolean {
    return this.state.scratch;
  }
  /** The group as it is before the check acts (a validated ScimV2Group), once its state was established. */
  get body(): Rep {
    if (!this.state.known) throw new Error('the state of the subject group is not known: establish it first');
    return this.state.known;
  }
  /** The current version (ETag, else meta.version), if known. */
  get version(): string | undefined {
    return this.state.known ? this.state.versions.at(-1) : undefined;
  }
  /** The current version was read with a GET (not taken from a write's answer). */
  get versionRead(): boolean {
    return this.state.known !== undefined && this.state.versionRead;
  }
  /** A version the group had before its current one, if one was seen. */
  get staleVersion(): string | undefined {
    const current = this.version;
    return [...this.state.versions].reverse().find((v) => v !== current);
  }
  /** ms since the current representation was received. */
  get knownForMs(): number {
    return Date.now() - this.state.knownAt;
  }

  /** Learn the state from an answer about the group (any request, any identity). */
  observe(res: HttpResult): void {
    const s = this.state;
    const method = res.exchange.request.method;
    if (method === 'DELETE' && res.status >= 200 && res.status < 300) {
      s.gone = true;
      s.known = undefined;
      return;
    }
    if (res.status >= 200 && res.status < 300) {
      if (res.body && typeof res.body === 'object' && String(res.body.id).toLowerCase() === s.id.toLowerCase()) {
        s.known = res.body;
        s.knownAt = Date.now();
        s.suspect = false;
        s.versionRead = method === 'GET';
        const v = versionOf(res);
        if (v !== undefined && s.versions.at(-1) !== v) s.versions.push(v);
      } else {
        s.known = undefined; // a 204, or an answer that does not show the group
      }
      return;
    }
    if (res.status === 401 || res.status === 403 || res.status === 304) return; // refused before anything was written
    if (res.status === 404) {
      // Gone, whichever request says so (a write after a lost attempt of a DELETE included).
      s.gone = true;
      s.known = undefined;
      return;
    }
    // A refusal after a lost attempt of the same write: the attempt may have been applied.
    if (res.status >= 400 && res.status < 500 && !res.ambiguous) s.suspect = true;
    else s.known = undefined;
  }

  /** Forget what is known: the next check reads or sets the group first. */
  forget(): void {
    this.state.known = undefined;
  }

  private async send(method: 'PUT' | 'PATCH' | 'DELETE', body: unknown, opts: RequestOptions = {}): Promise<HttpResult> {
    const res = await this.ctx.scim.request(method, this.path, body === undefined ? opts : { ...opts, body });
    this.observe(res);
    return res;
  }
  put(body: unknown, opts?: RequestOptions): Promise<HttpResult> {
    return this.send('PUT', body, opts);
  }
  patch(body: unknown, opts?: RequestOptions): Promise<HttpResult> {
    return this.send('PATCH', body, opts);
  }
  delete(opts?: RequestOptions): Promise<HttpResult> {
    return this.send('DELETE', undefined, opts);
  }

  /** GET the group, judged: 200 and a valid ScimV2Group. */
  async read(check = 'GET the group'): Promise<HttpResult> {
    const res = await this.ctx.scim.get(this.path);
    this.observe(res);
    this.ctx.verify.status(res, 200, `${check}: HTTP status`);
    this.ctx.verify.schema(res, 'ScimV2Group', res.body, `${check}: body is a valid ScimV2Group`);
    return res;
  }

  /** GET the group as a set-up step: anything but 200 with a valid ScimV2Group blocks the check. */
  async readForSetUp(check: string): Promise<HttpResult> {
    const res = await this.ctx.scim.get(this.path);
    this.observe(res);
    if (res.status !== 200 || !this.state.known) throw setupFailure(this.ctx, check, '200 with the group', res.status, res);
    return res;
  }

  /**
   * Sends a conditional request with the current version. A version taken from an earlier write answer is checked
   * once when the request is refused: if a GET shows another current version, the request is sent again with it (the
   * check judges If-Match, not whether the write answer's ETag was the stored one).
   */
  async conditional(send: (version: string) => Promise<HttpResult>): Promise<HttpResult> {
    if (this.version === undefined || this.state.suspect) await this.readForSetUp('GET the group for its current version');
    const version = this.version;
    if (version === undefined) throw setupFailure(this.ctx, 'the group carries a version (ETag or meta.version)', 'a version', '(none)');
    const res = await send(version);
    if (res.status !== 400 && res.status !== 412) return res;
    await this.readForSetUp('GET the group again: the conditional request was refused');
    const now = this.version;
    if (now === undefined || now === version) return res;
    this.ctx.test.annotate(`the version ${version} of an earlier answer was not the current one (${now}): sent again with ${now}`);
    return send(now);
  }

  /** Brings the group into the state the check needs, sending a prerequisite request only when it is not so already. */
  async establish(needs: SubjectNeeds, label: string): Promise<void> {
    const s = this.state;
    const want = needs.members ? idSet(needs.members) : undefined;
    const holds = () => s.known !== undefined && (want === undefined || sameIds(memberIds(s.known), want));
    if (want === undefined && needs.known === false) return;
    // A check that does not rely on the state takes the members last seen, even after a refusal (which changes nothing).
    if (holds() && (!s.suspect || needs.known === false)) return;
    if (want === undefined || holds()) {
      await this.readForSetUp('GET the group the check works on (its state was in doubt)');
      if (holds()) return;
    }
    const base = s.known ?? { displayName: this.ctx.names.displayName(label) };
    const res = await this.put(putBody(base, { members: needs.members }));
    if (res.status !== 200 || !holds()) {
      throw setupFailure(this.ctx, 'PUT sets the members the check starts from', `200 with members ${JSON.stringify(want)}`, res.status === 200 ? memberIds(res.body) : res.status, res);
    }
  }
}

/**
 * Runs `fn` on the subject group brought into the state the check needs. Where the API creates groups it is this
 * prefix's shared subject (created on first use, and again if it was deleted); elsewhere the scratch group, locked for
 * the test and restored at its end. A check that throws (failed, blocked, skipped) leaves the state unknown.
 */
export async function onSubjectGroup<T>(ctx: BehaviourContext, label: string, needs: SubjectNeeds, fn: (g: SubjectGroup) => Promise<T>): Promise<T> {
  const g = canCreateGroups(ctx) ? await sharedSubject(ctx) : await scratchSubject(ctx);
  try {
    await g.establish(needs, label);
    return await fn(g);
  } catch (e) {
    g.forget();
    throw e;
  }
}

async function sharedSubject(ctx: BehaviourContext): Promise<SubjectGroup> {
  const entry = subject;
  if (entry.state?.gone) {
    entry.generation++;
    entry.state = undefined;
  }
  if (!entry.state) {
    const [memberId] = await groupMembers(ctx);
    // Kept until the end of the run: the write checks of both prefixes work on it (every prefix reaches the same org).
    const created = await ctx.shared(
      `grp:subject:${entry.generation}`,
      (create) => create('groups', ctx.build.group('subject', 'minimal', { members: [{ value: memberId }] })),
      { scope: 'run' },
    );
    const id = String(created.body.id);
    entry.state = { id, path: `/groups/${encodeURIComponent(id)}`, scratch: false, suspect: false, knownAt: 0, versions: [], versionRead: false, gone: false };
    new SubjectGroup(ctx, entry.state).observe(created);
  }
  return new SubjectGroup(ctx, entry.state);
}

async function scratchSubject(ctx: BehaviourContext): Promise<SubjectGroup> {
  const id = scratchGroupId(ctx);
  const path = `/groups/${encodeURIComponent(id)}`;
  const release = await lockScratchGroup(ctx, id);
  ctx.defer(release); // registered first: runs last (deferred steps run in reverse order)
  const g = new SubjectGroup(ctx, { id, path, scratch: true, suspect: false, knownAt: 0, versions: [], versionRead: false, gone: false });
  const before = await g.readForSetUp('GET the scratch group (SCIM_ORG_GROUP_ID)');
  const snapshot = before.body as Rep;
  ctx.defer(() => restoreScratchGroup(ctx, id, snapshot));
  return g;
}

/**
 * For checks that only read the scratch group but need it not to change meanwhile (e.g. read its displayName, then
 * filter by it): holds the same lock as the write checks until the test ends. No-op where groups are created.
 */
export async function holdScratchGroup(ctx: BehaviourContext): Promise<void> {
  if (canCreateGroups(ctx)) return;
  ctx.defer(await lockScratchGroup(ctx, scratchGroupId(ctx)));
}

/** The configured scratch group (SCIM_ORG_GROUP_ID); skips (configuration) when none is configured. */
export function scratchGroupId(ctx: BehaviourContext): string {
  const id = ctx.target.org.groupId;
  // The catalogue's org:group requirement usually skips the check before it gets here.
  if (!id) return ctx.skip(SCRATCH_GROUP_MISSING, 'configuration');
  return id;
}

/** Puts the scratch group back as it was, if a write of this test to it may have changed it. */
async function restoreScratchGroup(ctx: BehaviourContext, id: string, snapshot: Record<string, any>): Promise<void> {
  const needle = `/groups/${encodeURIComponent(id)}`.toLowerCase();
  const wrote = ctx.exchanges.some((ex) => {
    if (!['PUT', 'PATCH', 'DELETE'].includes(ex.request.method)) return false;
    if (!ex.request.url.toLowerCase().split('?')[0].endsWith(needle)) return false;
    const status = ex.response?.status;
    return status === undefined || status < 400 || status >= 500;
  });
  if (!wrote) return;
  const path = `/groups/${encodeURIComponent(id)}`;
  const body = putBody(snapshot);
  const put = await ctx.scim.put(path, body);
  if (put.status >= 200 && put.status < 300) return;
  const patch = await ctx.scim.patch(path, {
    schemas: [PATCH_OP_URN],
    Operations: [
      { op: 'replace', path: 'displayName', value: body.displayName },
      { op: 'replace', path: 'members', value: body.members },
    ],
  });
  if (patch.status >= 200 && patch.status < 300) return;
  throw new Error(
    `could not restore the scratch group ${id} (PUT answered ${put.status}, PATCH ${patch.status}); restore it by hand to ${JSON.stringify(body)}`,
  );
}

const LOCK_WAIT_MS = 45_000;
const LOCK_STALE_MS = 180_000;

/** Scratch groups each running test holds the lock of (a test that asks again, e.g. through a shared answer it sent, has it). */
const heldBy = new WeakMap<BehaviourContext, Set<string>>();

/** Cross-process lock on the scratch group of this target, re-entrant within a test; returns the release function. */
async function lockScratchGroup(ctx: BehaviourContext, id: string): Promise<() => void> {
  const held = heldBy.get(ctx) ?? new Set<string>();
  heldBy.set(ctx, held);
  if (held.has(id)) return () => undefined; // released by the test's first hold
  const key = createHash('sha256').update(`${ctx.target.baseUrl}|${id}`).digest('hex').slice(0, 20);
  const dir = join(tmpdir(), `scimct-scratch-group-${key}.lock`);
  const owner = join(dir, 'owner');
  const token = `${process.pid}-${randomUUID()}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(owner, token);
      held.add(id);
      return () => {
        held.delete(id);
        try {
          if (readFileSync(owner, 'utf8') === token) rmSync(dir, { recursive: true, force: true });
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      // A holder that died without releasing: its lock is stale after LOCK_STALE_MS.
      if (Date.now() - statSync(dir).mtimeMs > LOCK_STALE_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      /* released meanwhile */
    }
    if (Date.now() > deadline) {
      throw new Error(`the scratch group ${id} stayed in use by another check for ${LOCK_WAIT_MS / 1000} s (lock ${dir})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
