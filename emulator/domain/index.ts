/**
 * The users and groups domain of the emulator: HTTP-free handlers (`ScimRequest → ScimResponse`, throwing
 * ScimHttpError) for GET/POST /users, GET/PUT/PATCH/DELETE /users/:id, GET/POST /groups,
 * GET/PUT/PATCH/DELETE /groups/:id. The fastify adapter does auth, permissions, query decoding and content type.
 */
import { randomUUID } from 'node:crypto';
import type { ApiVersion, ScimHandler, ScimRequest, ScimResponse } from '../http-types.ts';
import type { EtagStyle } from './common.ts';
import type { DomainContext } from './context.ts';
import type { FilterStrictness } from './filter.ts';
import { createGroupRecord, groupHandlers } from './groups.ts';
import { loadSeedOrg, OrgCatalog, type SeedOrg } from './seed.ts';
import { LaggedIndex, TrackingStore, withIndexLag } from './index-lag.ts';
import { DomainStore } from './store.ts';
import { createUserRecord, parseUserBody, userHandlers } from './users.ts';

export type { SeedOrg } from './seed.ts';
export { loadSeedOrg, DEFAULT_SEED_ORG_URL, OrgCatalog } from './seed.ts';
export { DomainStore } from './store.ts';
export type { UserRecord, GroupRecord, UserState } from './store.ts';

export interface DomainOptions {
  apiVersion: ApiVersion;
  /** Default: fixtures/emulator/seed-org.json. */
  seedOrg?: SeedOrg;
  /** count above this while secondary attributes are returned → 429 (2021 only). Default 25. */
  listCountLimit?: number;
  /** DELETE user/group status: 204 (default, no body) or 200 with `{}` (the doc's `Empty`). */
  deleteStatus?: 200 | 204;
  /** What deactivation (active → false) does to the user's roles. Default 'drop' (reference §8). */
  rolesOnDeactivation?: 'drop' | 'keep';
  /** 'strict' (default): one `attr eq value` clause with the documented names; 'lenient': also `and` and RFC aliases. */
  filterStrictness?: FilterStrictness;
  /** ETag / meta.version format: 'strong' `"3"` (default) or 'weak' `W/"3"`. */
  etagStyle?: EtagStyle;
  /** POST with the userName of a deleted user revives that user (same id, no default role). Default true. */
  reviveDeletedOnCreate?: boolean;
  /** Clock for meta.lastModified (tests). */
  now?: () => Date;
  /** Id generator (tests). Default crypto.randomUUID. */
  newId?: () => string;
  /**
   * Search-index lag (live-org profile): lists and filters answer from the org as it was this many ms ago, by the
   * `now` clock; reads by id and writes stay immediate. Default 0 (no lag, no overhead). See index-lag.ts.
   */
  indexLagMs?: number;
}

export interface UsersGroupsHandlers {
  listUsers: ScimHandler;
  createUser: ScimHandler;
  getUser: ScimHandler;
  replaceUser: ScimHandler;
  patchUser: ScimHandler;
  deleteUser: ScimHandler;
  listGroups: ScimHandler;
  createGroup: ScimHandler;
  getGroup: ScimHandler;
  replaceGroup: ScimHandler;
  patchGroup: ScimHandler;
  deleteGroup: ScimHandler;
}

export interface UsersGroupsDomain {
  /** Synchronous in practice (they return ScimResponse, never a promise). */
  handlers: { [K in keyof UsersGroupsHandlers]: (req: ScimRequest) => ScimResponse };
  store: DomainStore;
  org: OrgCatalog;
  /** The lagging index lists read from, when DomainOptions.indexLagMs > 0. */
  lag?: LaggedIndex;
}

function applySeed(ctx: DomainContext, seed: SeedOrg): void {
  for (const u of seed.users) {
    try {
      createUserRecord(ctx, parseUserBody(ctx, u, u.id), u.id);
    } catch (e) {
      throw new Error(`seed org: user ${u.id}: ${(e as Error).message}`);
    }
  }
  for (const g of seed.groups) {
    try {
      const input = { displayName: g.displayName, members: [] as { value: string; type: 'User' | 'Group' }[] };
      for (const m of g.members) {
        if (ctx.store.liveUser(m)) input.members.push({ value: m, type: 'User' });
        else if (ctx.store.group(m)) input.members.push({ value: m, type: 'Group' });
        else throw new Error(`unknown member ${m}`);
      }
      createGroupRecord(ctx, input, { id: g.id, scimCreated: g.externalId !== undefined, externalId: g.externalId });
    } catch (e) {
      throw new Error(`seed org: group ${g.id}: ${(e as Error).message}`);
    }
  }
}

export function createUsersGroupsDomain(options: DomainOptions): UsersGroupsDomain {
  const seed = options.seedOrg ?? loadSeedOrg();
  const lagMs = options.indexLagMs ?? 0;
  const store = lagMs > 0 ? new TrackingStore(options.now) : new DomainStore(options.now);
  const org = new OrgCatalog(seed);
  const ctx: DomainContext = {
    apiVersion: options.apiVersion,
    listCountLimit: options.listCountLimit ?? 25,
    deleteStatus: options.deleteStatus ?? 204,
    rolesOnDeactivation: options.rolesOnDeactivation ?? 'drop',
    filterStrictness: options.filterStrictness ?? 'strict',
    etagStyle: options.etagStyle ?? 'strong',
    reviveDeletedOnCreate: options.reviveDeletedOnCreate ?? true,
    store,
    org,
    newId: options.newId ?? randomUUID,
  };
  applySeed(ctx, seed);
  const handlers = { ...userHandlers(ctx), ...groupHandlers(ctx) };
  if (!(store instanceof TrackingStore)) return { handlers, store, org };

  const lag = new LaggedIndex(store, lagMs, () => (options.now?.() ?? new Date()).getTime());
  lag.record();
  lag.catchUp(true); // the seed org is listed from the start
  const view: DomainContext = { ...ctx, store: lag.index };
  const lists = { listUsers: userHandlers(view).listUsers, listGroups: groupHandlers(view).listGroups };
  return { handlers: withIndexLag(lag, handlers, lists), store, org, lag };
}
