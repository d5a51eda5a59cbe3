/**
 * The users the users READ checks judge (suites/users/filter, list, paging, attributes, get, representation): created
 * once per run for every prefix (both prefixes read the same org) by the first check that needs them, kept until the
 * end-of-run clean-up, and never changed by a check:
 *
 *   manager  M: the minimal template
 *   subject  S: the 'full' template (externalId, emails, phone, role, enterprise department, employeeNumber,
 *            division, routing skill and language as the org fixtures allow) with manager M, a title of its own, a
 *            password; on 2021 a genesys externalIds entry too, and it is the member of group G
 *   reports  S and R: `manager eq M` selects exactly them (R is a minimal user reporting to M)
 *   inactive I: a minimal user with active false (2021)
 *   group    G: a group with S as its member (2021; the 2019 API cannot create groups)
 *
 * The population is a set-up step: when M, S or the reports cannot be created every check that reads them is blocked.
 * S is created again without its password and externalIds entry when the server refuses them, and G and I may be
 * missing: only the checks that need what is missing are blocked (`populationPart`).
 *
 * Lists and filters lag writes on a live org: every list of the population goes through `readUsers`, a shared read
 * (one request per prefix for every check reading the same list) that polls until the population users it names
 * show, within the target's index wait. What must select nothing is read without waiting.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { SetupFailure, type ConformanceFailure } from '../runtime/verify.ts';
import { CORE_USER_URN, ENTERPRISE_URN, GENESYS_URN } from '../oracles/urns.ts';
import { idsOf } from './lists.ts';
import { needWrites } from './needs.ts';

export interface PopulationUser {
  id: string;
  userName: string;
  /** The body sent. */
  sent: Record<string, any>;
  /** The POST answer (the server's representation when it was created). */
  created: HttpResult;
}

export interface PopulationSubject extends PopulationUser {
  /** The password S was created with (absent when the server refused it). */
  password?: string;
  /** Attributes S holds through other resources: 'groups' when it is the member of G. */
  also: string[];
}

export interface UserPopulation {
  manager: PopulationUser;
  subject: PopulationSubject;
  /** The ids of the users reporting to M (S and R). */
  reports: string[];
  inactive?: PopulationUser;
  group?: { id: string; displayName: string };
  /** What could not be created, and why (the set-up step that failed). */
  missing: Partial<Record<'inactive' | 'group' | 'password' | 'externalIds', ConformanceFailure['parts']>>;
}

const KEY = 'users/read-population';

/** A body for a user reporting to `managerId`, from a template (keeps the template's enterprise fields). */
function reportBody(body: Record<string, any>, managerId: string): Record<string, any> {
  const schemas: string[] = Array.isArray(body.schemas) ? body.schemas : [CORE_USER_URN];
  return {
    ...body,
    schemas: schemas.includes(ENTERPRISE_URN) ? schemas : [...schemas, ENTERPRISE_URN],
    [ENTERPRISE_URN]: { ...(body[ENTERPRISE_URN] ?? {}), manager: { value: managerId } },
  };
}

const randomPassword = () => `Scimct-${Math.random().toString(36).slice(2, 10)}-Pw9!`;

/** The run's read population (created by the first check that asks, on its prefix; see the module comment). */
export function userPopulation(ctx: BehaviourContext): Promise<UserPopulation> {
  needWrites(ctx, 'the users it reads (a population created once per run)');
  const { build, names, target } = ctx;
  const v2021 = target.apiVersion !== '2019';
  return ctx.shared(
    KEY,
    async (create) => {
      const missing: UserPopulation['missing'] = {};
      const user = async (body: Record<string, any>): Promise<PopulationUser> => {
        const created = await create('users', body);
        return { id: String(created.body.id), userName: String(created.body.userName), sent: body, created };
      };
      /** An optional part: a set-up step that fails is recorded in `missing`, not thrown. */
      const optional = async <T>(what: keyof UserPopulation['missing'], step: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await step();
        } catch (e) {
          if (!(e instanceof SetupFailure)) throw e;
          missing[what] = e.parts;
          return undefined;
        }
      };

      const manager = await user(build.user('pop-manager'));
      const inactive = v2021 ? await optional('inactive', () => user(build.user('pop-inactive', 'minimal', { active: false }))) : undefined;
      const report = await user(reportBody(build.user('pop-report'), manager.id));

      // S last: when S is listed, the users created before it are too (an index that lags by time).
      const base = reportBody(build.user('pop-subject', 'full', { title: names.displayName('pop-title') }), manager.id);
      const password = randomPassword();
      const extras: Record<string, any> = { ...base, password };
      if (v2021) extras[GENESYS_URN] = { ...(base[GENESYS_URN] ?? {}), externalIds: [{ authority: 'microsoftteams', value: names.externalId('pop-teams') }] };
      let subject: PopulationSubject;
      const full = await optional('password', () => user(extras));
      if (full) subject = { ...full, password, also: [] };
      else {
        // Refused with its password (and externalIds entry): without them (SCIM_USER_PASSWORD, when configured, is
        // still sent); the checks that need what is missing are blocked.
        if (v2021) missing.externalIds = missing.password;
        subject = { ...(await user(base)), also: [] };
        if (typeof base.password === 'string') {
          subject.password = base.password;
          delete missing.password;
        }
      }

      let group: UserPopulation['group'];
      if (v2021) {
        const g = await optional('group', () => create('groups', build.group('pop-group', 'minimal', { members: [{ value: subject!.id, type: 'User' }] })));
        if (g) {
          group = { id: String(g.body.id), displayName: String(g.body.displayName) };
          subject.also.push('groups');
        }
      }
      return { manager, subject, reports: [subject.id, report.id], inactive, group, missing };
    },
    { scope: 'run' },
  );
}

/** The part of the population a check needs; blocked (set-up) with the step that failed when it is missing. */
export function populationPart<T>(ctx: BehaviourContext, pop: UserPopulation, what: keyof UserPopulation['missing'], value: T | undefined): T {
  if (value !== undefined && !pop.missing[what]) return value;
  const parts = pop.missing[what];
  throw new SetupFailure({
    requirement: ctx.verify.requirement,
    check: `set-up (the run's read population, ${what}): ${parts?.check ?? 'not created'}`,
    expected: parts?.expected ?? `the population's ${what}`,
    actual: parts?.actual ?? 'missing',
    ...(parts?.exchange ? { exchange: parts.exchange } : {}),
  });
}

/** What a list of the population must show before a check judges it (a live org's index lags writes). */
export interface Shows {
  /** These users are listed. */
  ids?: readonly string[];
  /** totalResults is at least this. */
  total?: number;
  /**
   * The answer also counts as settled when it holds more results than its page: the users may be listed on a later
   * page (a filter that selects many users of the org, such as `active eq false`).
   */
  unlessPaged?: boolean;
}

/**
 * GET /users with `query`, shared by every check of this prefix that reads the same list. With `shows`, it is polled
 * until the answer shows those users (any answer but a 200 is final); without, it is read once, as it stands.
 */
export function readUsers(ctx: BehaviourContext, query: Record<string, string>, shows?: Shows): Promise<HttpResult> {
  if (!shows) return ctx.read('/users', { query });
  const settled = (res: HttpResult) => {
    if (res.status !== 200) return true;
    const ids = idsOf(res);
    const total = res.body?.totalResults;
    if (shows.unlessPaged && typeof total === 'number' && total > ids.length) return true;
    return (shows.ids ?? []).every((id) => ids.includes(id)) && (typeof total !== 'number' || total >= (shows.total ?? 0));
  };
  return ctx.read('/users', { query, settled });
}

/** GET /users/{S} with `query`, shared by every check of this prefix that reads it (a read by id: no wait). */
export function readPopulationSubject(ctx: BehaviourContext, pop: UserPopulation, query: Record<string, string | string[]> = {}, prefix?: string): Promise<HttpResult> {
  return ctx.read(`/users/${pop.subject.id}`, { query, ...(prefix ? { prefix } : {}) });
}

/** `userName eq "<S>"` (RFC form, quoted): selects exactly S. */
export const subjectQuery = (pop: UserPopulation): Record<string, string> => ({ filter: `userName eq "${pop.subject.userName}"` });

/** `manager eq <M>` (the documented unquoted form): selects exactly the reports. */
export const reportsQuery = (pop: UserPopulation): Record<string, string> => ({ filter: `manager eq ${pop.manager.id}` });

/** `active eq false`: lists the population's inactive user among the org's (USR-FILTER-ACTIVE-FALSE, USR-LIST-DEFAULT-ACTIVE). */
export const INACTIVE_QUERY: Record<string, string> = { filter: 'active eq false' };

/** The page size the checks page the reports with (two reports: two pages). */
export const REPORTS_PAGE = 1;

/**
 * A page of `manager eq <M>` (the population's reports): count=REPORTS_PAGE from `startIndex`, polled until it counts
 * every report; shared by the checks that judge it (USR-LIST-PAGING-WALK, USR-LIST-TOTAL-RESULTS).
 */
export function reportsPage(ctx: BehaviourContext, pop: UserPopulation, startIndex: number): Promise<HttpResult> {
  return readUsers(ctx, { ...reportsQuery(pop), startIndex: String(startIndex), count: String(REPORTS_PAGE) }, { total: pop.reports.length });
}
