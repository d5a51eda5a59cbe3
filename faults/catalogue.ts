/**
 * The fault catalogue: one realistic deviation from the documented Genesys Cloud SCIM behaviour per entry,
 * as data plus small transforms run by the proxy (faults/proxy.ts). `affects` names the behaviours
 * (catalogue ids; `*` is a wildcard) that must fail when the fault is injected.
 *
 * Stateful faults (DELETE that does not delete, PATCH that ignores its operations, …) answer without
 * forwarding; they act only on the all-permissions identity, so a permission check still sees the
 * target's own 403 and the fault stays one deviation.
 */
import { emptyResponse, jsonResponse } from './proxy.ts';
import {
  asAnswer,
  current,
  deleteQuery,
  ENTERPRISE_URN,
  GENESYS_URN,
  getQuery,
  hasQuery,
  ifMatchHolds,
  isAdmin,
  isItem,
  isList,
  isListResponse,
  isObject,
  isScim,
  isScimError,
  parseSimpleFilter,
  queryNames,
  recount,
  resourcesOf,
  scimError,
  shortName,
  USER_URN,
  type Json,
} from './helpers.ts';
import type { Fault, FaultContext, ProxyRequest, ProxyResponse } from './types.ts';

const WRITES = ['PUT', 'PATCH', 'DELETE'];
/** Checks that assert a SCIM error body (verify.scimError) for a 4xx. */
const ERROR_BODY_CHECKS = ['AUTH-ERROR-BODY', '*-404', '*-400', '*-409'];
const USER_FILTER_ATTRS = ['id', 'userName', 'externalId', 'manager', 'email', 'division', 'active', 'employeeNumber'];
const GROUP_FILTER_ATTRS = ['id', 'displayName'];

function patchOps(req: ProxyRequest): Json[] {
  return isObject(req.body) && Array.isArray(req.body.Operations) ? req.body.Operations.filter(isObject) : [];
}

function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** A 403 on users/groups for a non-admin identity is re-sent as the admin: permissions not enforced. */
async function servedAsAdminWhen403(req: ProxyRequest, res: ProxyResponse, ctx: FaultContext): Promise<ProxyResponse | void> {
  if (!isScim(req) || res.status !== 403 || !['users', 'groups'].includes(req.route.resource) || isAdmin(req, ctx)) return;
  req.headers.authorization = bearer(await ctx.tokenFor('admin'));
  return ctx.forward(req);
}

export const FAULTS: Fault[] = [
  // ------------------------------------------------------------------ ETag and conditional requests
  {
    id: 'etag-missing-on-user-get',
    area: 'etag',
    description: 'GET users/{id} answers without an ETag header (meta.version is still set)',
    affects: ['USR-ETAG-HEADER', 'USR-ETAG-QUOTED', 'USR-ETAG-STRONG', 'USR-IF-NONE-MATCH-304'],
    response: (req, res) => {
      if (isItem(req, ['GET'], 'users')) delete res.headers.etag;
    },
  },
  {
    id: 'if-match-stale-412',
    area: 'etag',
    description: 'a stale If-Match on PUT/PATCH/DELETE is answered 412 Precondition Failed (RFC 7644) instead of the documented 400 invalidVers',
    affects: ['USR-*-IF-MATCH-STALE-400', 'GRP-*-IF-MATCH-STALE-400'],
    response: (req, res) => {
      if (isItem(req, WRITES, 'users', 'groups') && res.status === 400 && isObject(res.body) && res.body.scimType === 'invalidVers') {
        return scimError(412, 'Precondition Failed: the resource has been modified');
      }
    },
  },
  {
    id: 'if-match-ignored',
    area: 'etag',
    description: 'If-Match is ignored on PUT/PATCH/DELETE: a write with a stale ETag is applied',
    affects: ['USR-*-IF-MATCH-STALE-400', 'GRP-*-IF-MATCH-STALE-400'],
    request: (req) => {
      if (isItem(req, WRITES, 'users', 'groups')) delete req.headers['if-match'];
    },
  },
  {
    id: 'if-none-match-ignored',
    area: 'etag',
    description: 'GET users/{id} and groups/{id} ignore If-None-Match: a current ETag is answered 200 with the body instead of 304',
    affects: ['USR-IF-NONE-MATCH-304', 'GRP-IF-NONE-MATCH-304'],
    request: (req) => {
      if (isItem(req, ['GET'], 'users', 'groups')) delete req.headers['if-none-match'];
    },
  },
  {
    id: 'spc-if-none-match-ignored',
    area: 'etag',
    description: 'GET serviceproviderconfig ignores If-None-Match (200 with the body instead of 304)',
    affects: ['SPC-IF-NONE-MATCH-304'],
    request: (req) => {
      if (req.method === 'GET' && req.route.resource === 'serviceproviderconfig') delete req.headers['if-none-match'];
    },
  },
  {
    id: 'spc-stale-if-none-match-304',
    area: 'etag',
    description: 'GET serviceproviderconfig answers 304 whenever If-None-Match is present, even with a stale tag',
    affects: ['SPC-IF-NONE-MATCH-STALE'],
    request: async (req, ctx) => {
      if (req.method !== 'GET' || req.route.resource !== 'serviceproviderconfig' || !req.headers['if-none-match']) return;
      const read = await ctx.get(req.path, req);
      if (read.status !== 200) return;
      return emptyResponse(304, read.headers.etag ? { etag: read.headers.etag } : {});
    },
  },
  {
    id: 'spc-etag-not-meta-version',
    area: 'etag',
    description: "ServiceProviderConfig's ETag header and meta.version disagree (the body carries a weak W/ form of the tag)",
    affects: ['SPC-ETAG-HEADER'],
    response: (req, res) => {
      if (req.route.resource !== 'serviceproviderconfig' || res.status !== 200 || !isObject(res.body?.meta)) return;
      const v = String(res.body.meta.version ?? res.headers.etag ?? '"1"');
      res.body.meta.version = v.startsWith('W/') ? v.slice(2) : `W/${v}`;
    },
  },
  {
    id: 'version-not-bumped-on-write',
    area: 'etag',
    description: 'a successful PUT/PATCH answers with the ETag and meta.version the resource had before the write',
    affects: ['USR-PUT-ETAG-CHANGES', 'USR-PATCH-ETAG-CHANGES', 'GRP-PUT-ETAG-CHANGES', 'GRP-PATCH-ETAG-CHANGES'],
    request: async (req, ctx) => {
      if (!isItem(req, ['PUT', 'PATCH'], 'users', 'groups')) return;
      const before = await current(req, ctx);
      if (before.status === 200) req.notes.etag = before.headers.etag ?? before.body?.meta?.version;
    },
    response: (req, res) => {
      const old = req.notes.etag;
      if (typeof old !== 'string' || res.status !== 200) return;
      res.headers.etag = old;
      if (isObject(res.body?.meta)) res.body.meta.version = old;
    },
  },
  {
    id: 'last-modified-not-updated',
    area: 'etag',
    description: 'meta.lastModified of users and groups stays at the first value ever served, whatever is written',
    affects: ['USR-META-LAST-MODIFIED', 'GRP-META-LAST-MODIFIED', 'USR-META-LAST-MODIFIED-ADVANCES', 'GRP-META-LAST-MODIFIED-ADVANCES'],
    response: (req, res, ctx) => {
      if (!isScim(req) || !['users', 'groups'].includes(req.route.resource)) return;
      const seen = (ctx.state.get('lastModified') as Map<string, string> | undefined) ?? new Map<string, string>();
      ctx.state.set('lastModified', seen);
      for (const r of resourcesOf(res)) {
        if (typeof r.id !== 'string' || !isObject(r.meta) || typeof r.meta.lastModified !== 'string') continue;
        const first = seen.get(r.id);
        if (first === undefined) seen.set(r.id, r.meta.lastModified);
        else r.meta.lastModified = first;
      }
    },
  },

  // ------------------------------------------------------------------ pagination and counts
  {
    id: 'start-index-ignored',
    area: 'paging',
    description: 'user and group lists ignore startIndex: every page is the first page (startIndex 1)',
    affects: ['USR-LIST-START-INDEX-ECHO', 'USR-LIST-START-INDEX-BEYOND', 'USR-LIST-PAGING-WALK', 'GRP-LIST-PAGING-WALK'],
    request: (req) => {
      if (isList(req, 'users', 'groups')) deleteQuery(req, 'startIndex');
    },
  },
  {
    id: 'total-results-off-by-one',
    area: 'paging',
    description: 'every ListResponse reports totalResults one higher than the number of matching resources',
    affects: [
      'RT-LIST-PAGING-FIELDS', 'USR-LIST-TOTAL-RESULTS', 'USR-LIST-PAGING-WALK', 'GRP-LIST-PAGING-WALK',
      'USR-FILTER-NO-MATCH', 'GRP-FILTER-NO-MATCH', 'USR-LIST-COUNT-ZERO', 'GRP-LIST-COUNT-ZERO', 'USR-LIST-START-INDEX-BEYOND',
    ],
    response: (req, res) => {
      if (isScim(req) && req.method === 'GET' && isListResponse(res) && typeof res.body.totalResults === 'number') res.body.totalResults += 1;
    },
  },
  {
    id: 'items-per-page-is-requested-count',
    area: 'paging',
    description: 'itemsPerPage echoes the requested count (default 25) instead of the number of Resources returned',
    affects: ['USR-LIST-ITEMS-PER-PAGE', 'GRP-LIST-ITEMS-PER-PAGE'],
    response: (req, res) => {
      if (!isList(req, 'users', 'groups') || !isListResponse(res)) return;
      const count = Number(getQuery(req, 'count') ?? 25);
      res.body.itemsPerPage = Number.isFinite(count) ? Math.max(0, count) : 25;
    },
  },
  {
    id: 'count-zero-returns-resources',
    area: 'paging',
    description: 'count=0 (or a negative count) is treated as "no count": a full default page of Resources comes back',
    affects: ['USR-LIST-COUNT-ZERO', 'GRP-LIST-COUNT-ZERO', 'USR-LIST-COUNT-NEGATIVE'],
    request: (req) => {
      if (!isList(req, 'users', 'groups')) return;
      const count = getQuery(req, 'count');
      if (count !== undefined && Number(count) <= 0) deleteQuery(req, 'count');
    },
  },
  {
    id: 'count-ignored',
    area: 'paging',
    description: 'user and group lists ignore a positive count and always return pages of up to 25',
    affects: ['USR-LIST-COUNT-LIMIT', 'GRP-LIST-COUNT-LIMIT'],
    request: (req) => {
      if (!isList(req, 'users', 'groups')) return;
      const count = getQuery(req, 'count');
      if (count !== undefined && Number(count) > 0) deleteQuery(req, 'count');
    },
  },

  {
    id: 'count-over-25-500',
    area: 'paging',
    description: 'a users list with count > 25 and the secondary lookups fails with 500 instead of the documented 429 with Retry-After (or 200)',
    affects: ['USR-LIST-COUNT-OVER-25-429', 'GRP-LIST-COUNT-OVER-25-429'],
    response: (req, res) => {
      if (isList(req, 'users', 'groups') && res.status === 429) return scimError(500, 'Internal Server Error: resource limit exceeded');
    },
  },

  // ------------------------------------------------------------------ filters
  {
    id: 'group-filter-ignored',
    area: 'filter',
    description: 'the groups list ignores its filter and returns every group',
    affects: ['GRP-FILTER-*', 'GRP-POST-LISTED'],
    request: (req) => {
      if (isList(req, 'groups')) deleteQuery(req, 'filter');
    },
  },
  {
    id: 'user-filter-unindexed-ignored',
    area: 'filter',
    description: 'user filters on manager, email, division and employeeNumber are ignored (every active user is returned); id/userName/externalId work',
    affects: ['USR-FILTER-MANAGER', 'USR-FILTER-EMAIL', 'USR-FILTER-DIVISION', 'USR-FILTER-EMPLOYEENUMBER', 'USR-FILTER-QUOTED-VALUES'],
    request: (req) => {
      if (!isList(req, 'users')) return;
      const f = parseSimpleFilter(getQuery(req, 'filter'));
      if (f && ['manager', 'email', 'division', 'employeenumber'].includes(shortName(f.attr))) deleteQuery(req, 'filter');
    },
  },
  {
    id: 'filter-unsupported-widened-to-all',
    area: 'filter',
    description: 'an invalid or unsupported user/group filter is not refused: the list is served as if there were no filter',
    affects: ['USR-FILTER-MALFORMED-400', 'USR-FILTER-UNSUPPORTED-*', 'USR-FILTER-LOGICAL-400', 'USR-FILTER-NEVER-WIDENS', 'GRP-FILTER-MALFORMED-400', 'GRP-FILTER-UNSUPPORTED-*', 'GRP-FILTER-NEVER-WIDENS'],
    response: async (req, res, ctx) => {
      if (!isList(req, 'users', 'groups') || res.status !== 400 || res.body?.scimType !== 'invalidFilter' || !hasQuery(req, 'filter')) return;
      deleteQuery(req, 'filter');
      const all = await ctx.forward(req);
      return all.status === 200 ? all : undefined;
    },
  },
  {
    id: 'filter-attribute-case-sensitive',
    area: 'filter',
    description: 'filter attribute names are matched case-sensitively (`username eq`, `displayname eq` → 400 invalidFilter)',
    affects: ['USR-FILTER-ATTRIBUTE-CASE', 'GRP-FILTER-ATTRIBUTE-CASE', 'GRP-FILTER-DISPLAYNAME'],
    request: (req) => {
      if (!isList(req, 'users', 'groups')) return;
      const f = parseSimpleFilter(getQuery(req, 'filter'));
      if (!f) return;
      const known = req.route.resource === 'users' ? USER_FILTER_ATTRS : GROUP_FILTER_ATTRS;
      if (!known.includes(f.attr) && known.some((k) => k.toLowerCase() === f.attr.toLowerCase())) {
        return scimError(400, `Unsupported filter attribute "${f.attr}"`, 'invalidFilter');
      }
    },
  },
  {
    id: 'filter-operator-case-sensitive',
    area: 'filter',
    description: 'filter operators are case-sensitive (`userName EQ …` → 400 invalidFilter)',
    affects: ['USR-FILTER-OPERATOR-CASE'],
    request: (req) => {
      if (!isList(req, 'users', 'groups')) return;
      const f = parseSimpleFilter(getQuery(req, 'filter'));
      if (f && f.op !== 'eq' && f.op.toLowerCase() === 'eq') return scimError(400, `Unsupported filter operator "${f.op}"`, 'invalidFilter');
    },
  },

  // ------------------------------------------------------------------ the schema-list filter 403
  {
    id: 'schema-list-filter-200',
    area: 'schema-filter',
    description: 'GET schemas with a filter is served 200 (the filter ignored) instead of the documented 403',
    affects: ['SCH-LIST-FILTER-403'],
    request: (req) => {
      if (isList(req, 'schemas')) deleteQuery(req, 'filter');
    },
  },

  // ------------------------------------------------------------------ attributes / excludedAttributes
  {
    id: 'attributes-ignored',
    area: 'attributes',
    description: 'the attributes parameter is ignored on users and groups: full representations come back',
    affects: ['USR-ATTRIBUTES-*', 'GRP-ATTRIBUTES-*', 'USR-LIST-ATTRIBUTES-ID-ACTIVE'],
    request: (req) => {
      if (isScim(req) && ['users', 'groups'].includes(req.route.resource)) deleteQuery(req, 'attributes');
    },
  },
  {
    id: 'excluded-attributes-ignored',
    area: 'attributes',
    description: 'the excludedAttributes parameter is ignored on users and groups',
    affects: ['USR-EXCLUDED-*', 'GRP-EXCLUDED-MEMBERS', 'GRP-EXCLUDED-URN-CORE', 'GRP-ATTRIBUTES-ON-LIST', 'USR-LIST-EXCLUDED-SECONDARY', 'USR-LIST-COUNT-OVER-25-LIGHT'],
    request: (req) => {
      if (isScim(req) && ['users', 'groups'].includes(req.route.resource)) deleteQuery(req, 'excludedAttributes');
    },
  },
  {
    id: 'excluded-removes-always-returned',
    area: 'attributes',
    description: 'excludedAttributes removes always-returned attributes too (excludedAttributes=id drops id; userName, active, meta likewise)',
    affects: ['USR-EXCLUDED-ALWAYS-RETURNED', 'GRP-EXCLUDED-ALWAYS-RETURNED'],
    response: (req, res) => {
      if (!isScim(req) || !['users', 'groups'].includes(req.route.resource)) return;
      const excluded = queryNames(req, 'excludedAttributes').map(shortName);
      for (const r of resourcesOf(res)) {
        for (const k of Object.keys(r)) if (['id', 'username', 'active', 'meta'].includes(k.toLowerCase()) && excluded.includes(k.toLowerCase())) delete r[k];
      }
    },
  },
  {
    id: 'attributes-omits-always-returned',
    area: 'attributes',
    description: 'with attributes set, only the named attributes and id come back: userName, active and meta are dropped unless named',
    affects: ['USR-ATTRIBUTES-ALWAYS-RETURNED', 'GRP-ATTRIBUTES-ALWAYS-RETURNED', 'USR-ATTRIBUTES-SHORT-NAME', 'GRP-ATTRIBUTES-SHORT-NAME', 'USR-LIST-ATTRIBUTES-ID-ACTIVE'],
    response: (req, res) => {
      if (!isScim(req) || !['users', 'groups'].includes(req.route.resource) || req.method !== 'GET') return;
      const named = queryNames(req, 'attributes').map((n) => shortName(n).split('.')[0]!);
      if (named.length === 0) return;
      for (const r of resourcesOf(res)) {
        for (const k of ['userName', 'active', 'meta']) if (!named.includes(k.toLowerCase())) delete r[k];
      }
    },
  },
  {
    id: 'password-echoed',
    area: 'attributes',
    description: 'a password set by POST/PUT/PATCH is echoed back in that response and in later representations of the user',
    affects: ['USR-PASSWORD-NEVER-RETURNED', 'USR-PATCH-PASSWORD', 'USR-ATTRIBUTES-PASSWORD-NEVER'],
    request: (req) => {
      if (!isScim(req) || req.route.resource !== 'users' || !isObject(req.body)) return;
      if (typeof req.body.password === 'string') req.notes.password = req.body.password;
      for (const op of patchOps(req)) {
        if (typeof op.path === 'string' && op.path.toLowerCase() === 'password' && typeof op.value === 'string') req.notes.password = op.value;
        if (op.path === undefined && isObject(op.value) && typeof op.value.password === 'string') req.notes.password = op.value.password;
      }
    },
    response: (req, res, ctx) => {
      if (!isScim(req) || req.route.resource !== 'users' || res.status >= 300) return;
      const passwords = (ctx.state.get('passwords') as Map<string, string> | undefined) ?? new Map<string, string>();
      ctx.state.set('passwords', passwords);
      for (const r of resourcesOf(res)) {
        if (typeof r.id !== 'string') continue;
        if (typeof req.notes.password === 'string') passwords.set(r.id, req.notes.password);
        const pw = passwords.get(r.id);
        if (pw !== undefined) r.password = pw;
      }
    },
  },

  // ------------------------------------------------------------------ inactive users
  {
    id: 'inactive-in-default-list',
    area: 'inactive-users',
    description: 'the users list without a filter includes inactive users (counted in totalResults, listed after the active ones)',
    affects: ['USR-LIST-DEFAULT-ACTIVE', 'USR-DEACTIVATE-DROPS-FROM-DEFAULT-LIST'],
    response: async (req, res, ctx) => {
      if (!isList(req, 'users') || hasQuery(req, 'filter') || !isListResponse(res)) return;
      const inactiveReq = { ...req, query: new URLSearchParams(req.query), notes: {} };
      inactiveReq.query.set('filter', 'active eq false');
      inactiveReq.query.set('startIndex', '1');
      inactiveReq.query.set('count', '25');
      const inactive = await ctx.forward(inactiveReq);
      if (!isListResponse(inactive) || inactive.body.totalResults === 0) return;
      const body = res.body as Json;
      const activeTotal = body.totalResults as number;
      body.totalResults = activeTotal + (inactive.body.totalResults as number);
      const count = Math.max(0, Number(getQuery(req, 'count') ?? 25));
      const start = Math.max(1, Number(getQuery(req, 'startIndex') ?? 1));
      // The inactive users follow the active ones: fill the page up to count.
      const offset = Math.max(0, start - 1 - activeTotal);
      const room = count - body.Resources.length;
      if (room > 0 && start - 1 + body.Resources.length >= activeTotal) {
        body.Resources.push(...inactive.body.Resources.slice(offset, offset + room));
        body.itemsPerPage = body.Resources.length;
      }
    },
  },
  {
    id: 'inactive-user-unreadable',
    area: 'inactive-users',
    description: 'GET users/{id} of an inactive user answers 404, as if deactivation were deletion',
    affects: ['USR-GET-INACTIVE-READABLE', 'USR-DEACTIVATE-PATCH', 'USR-DEACTIVATE-PUT', 'USR-POST-INACTIVE'],
    response: (req, res) => {
      if (isItem(req, ['GET'], 'users') && res.status === 200 && isObject(res.body) && res.body.active === false) {
        return scimError(404, `User ${req.route.id} not found`);
      }
    },
  },

  // ------------------------------------------------------------------ PATCH semantics
  {
    id: 'patch-ignores-operations',
    area: 'patch',
    description: 'PATCH answers 200 with the unchanged resource and applies nothing',
    affects: ['USR-PATCH-*', 'GRP-PATCH-*', 'USR-DEACTIVATE-PATCH'],
    request: async (req, ctx) => {
      if (!isItem(req, ['PATCH'], 'users', 'groups') || !isAdmin(req, ctx)) return;
      const before = await current(req, ctx);
      if (before.status !== 200 || !ifMatchHolds(req, before.headers.etag)) return;
      return asAnswer(200, before);
    },
  },
  {
    id: 'patch-remove-without-path-accepted',
    area: 'patch',
    description: 'a PATCH remove without a path is accepted (200, nothing removed) instead of 400 noTarget',
    affects: ['USR-PATCH-REMOVE-NO-PATH-400', 'GRP-PATCH-REMOVE-NO-PATH-400'],
    request: async (req, ctx) => {
      if (!isItem(req, ['PATCH'], 'users', 'groups') || !isAdmin(req, ctx)) return;
      if (!patchOps(req).some((op) => String(op.op).toLowerCase() === 'remove' && (op.path === undefined || op.path === ''))) return;
      const before = await current(req, ctx);
      if (before.status !== 200 || !ifMatchHolds(req, before.headers.etag)) return;
      return asAnswer(200, before);
    },
  },
  {
    id: 'patch-op-case-sensitive',
    area: 'patch',
    description: 'PATCH op values are case-sensitive: "Replace", "Add", "Remove" (as Entra sends them) are refused with 400',
    affects: ['USR-PATCH-OP-CASE', 'GRP-PATCH-OP-CASE', 'GRP-PATCH-MEMBERS-REMOVE-VALUE'],
    request: (req) => {
      if (!isItem(req, ['PATCH'], 'users', 'groups')) return;
      const bad = patchOps(req).find((op) => typeof op.op === 'string' && op.op !== op.op.toLowerCase());
      if (bad) return scimError(400, `Unknown PATCH op "${bad.op}"`, 'invalidSyntax');
    },
  },
  {
    id: 'patch-not-atomic',
    area: 'patch',
    description: 'when one operation of a PATCH fails, the operations before and after it are still applied (the error is returned)',
    affects: ['USR-PATCH-ATOMIC', 'GRP-PATCH-ATOMIC'],
    response: async (req, res, ctx) => {
      const ops = patchOps(req);
      if (!isItem(req, ['PATCH'], 'users', 'groups') || res.status < 400 || res.status >= 500 || ops.length < 2 || !isAdmin(req, ctx)) return;
      for (const op of ops) {
        const one = { ...req, headers: { ...req.headers }, query: new URLSearchParams(req.query), body: { ...(req.body as Json), Operations: [op] }, notes: {} };
        delete one.headers['if-match'];
        await ctx.forward(one);
      }
    },
  },

  // ------------------------------------------------------------------ PUT semantics
  {
    id: 'put-merges-instead-of-replacing',
    area: 'put',
    description: 'PUT merges into the stored resource: attributes omitted from the body are kept, group members are added to the existing ones',
    affects: ['USR-PUT-OMITTED-CLEARED', 'USR-PUT-ROLES-REPLACED', 'GRP-PUT-MEMBERS-REPLACED'],
    request: async (req, ctx) => {
      if (!isItem(req, ['PUT'], 'users', 'groups') || !isObject(req.body) || !isAdmin(req, ctx)) return;
      const before = await current(req, ctx);
      if (before.status !== 200 || !isObject(before.body)) return;
      const stored: Json = { ...before.body };
      for (const k of ['meta', 'groups', 'schemas', 'id']) delete stored[k];
      if (Array.isArray(stored.emails)) stored.emails = stored.emails.filter((e: Json) => e?.type !== 'other');
      const merged: Json = { ...stored, ...req.body };
      if (req.route.resource === 'groups' && Array.isArray(req.body.members) && Array.isArray(stored.members)) {
        const ids = new Set(req.body.members.map((m: Json) => m?.value));
        merged.members = [...req.body.members, ...stored.members.filter((m: Json) => !ids.has(m?.value)).map((m: Json) => ({ value: m.value }))];
      }
      if (req.route.resource === 'users' && Array.isArray(stored.roles) && req.body.roles !== undefined && Array.isArray(req.body.roles)) {
        const names = new Set(req.body.roles.map((r: Json) => String(r?.value).toLowerCase()));
        merged.roles = [...req.body.roles, ...stored.roles.filter((r: Json) => !names.has(String(r?.value).toLowerCase()))];
      }
      req.body = merged;
    },
  },

  // ------------------------------------------------------------------ DELETE
  {
    id: 'delete-does-not-delete',
    area: 'delete',
    description: 'DELETE answers 204 but the user or group remains (readable, listed)',
    affects: ['USR-DELETE-THEN-404', 'USR-DELETE-OMITTED-FROM-LISTS', 'USR-DELETE-IF-MATCH-CURRENT', 'USR-DELETE-RECREATE', 'GRP-DELETE-THEN-404', 'GRP-DELETE-IF-MATCH-CURRENT'],
    request: async (req, ctx) => {
      if (!isItem(req, ['DELETE'], 'users', 'groups') || !isAdmin(req, ctx)) return;
      const before = await current(req, ctx);
      if (before.status !== 200 || !ifMatchHolds(req, before.headers.etag)) return;
      if (req.route.resource === 'groups' && !String(before.body?.externalId ?? '').startsWith('scim-')) return; // the target refuses it anyway
      return emptyResponse(204);
    },
  },
  {
    id: 'delete-non-scim-group-allowed',
    area: 'delete',
    description: 'DELETE of a group not created through SCIM answers 204 instead of being refused',
    affects: ['GRP-DELETE-NON-SCIM-REFUSED'],
    response: (req, res) => {
      if (isItem(req, ['DELETE'], 'groups') && res.status === 400 && res.body?.scimType === 'mutability') return emptyResponse(204);
    },
  },
  {
    id: 'delete-returns-resource',
    area: 'delete',
    description: 'DELETE answers 200 with the representation of the deleted resource',
    affects: ['USR-DELETE', 'GRP-DELETE-SCIM-CREATED'],
    request: async (req, ctx) => {
      if (isItem(req, ['DELETE'], 'users', 'groups') && isAdmin(req, ctx)) {
        const before = await current(req, ctx);
        if (before.status === 200) req.notes.before = before.body;
      }
    },
    response: (req, res) => {
      if (req.notes.before !== undefined && (res.status === 204 || res.status === 200)) return jsonResponse(200, req.notes.before);
    },
  },
  {
    id: 'delete-unknown-204',
    area: 'delete',
    description: 'DELETE of an unknown (or already deleted) id answers 204 instead of 404',
    affects: ['USR-DELETE-UNKNOWN-404', 'GRP-DELETE-UNKNOWN-404', 'USR-DELETE-THEN-404'],
    response: (req, res) => {
      if (isItem(req, ['DELETE'], 'users', 'groups') && res.status === 404) return emptyResponse(204);
    },
  },

  // ------------------------------------------------------------------ error format and status codes
  {
    id: 'error-status-as-number',
    area: 'errors',
    description: 'SCIM error bodies carry status as a JSON number (404) instead of the string "404"',
    affects: ERROR_BODY_CHECKS,
    response: (_req, res) => {
      if (isScimError(res) && typeof res.body.status === 'string') res.body.status = Number(res.body.status);
    },
  },
  {
    id: 'error-without-schemas',
    area: 'errors',
    description: 'SCIM error bodies have no schemas attribute',
    affects: ERROR_BODY_CHECKS,
    response: (_req, res) => {
      if (isScimError(res)) delete res.body.schemas;
    },
  },
  {
    id: 'error-without-scim-type',
    area: 'errors',
    description: 'SCIM error bodies never carry scimType (invalidFilter, invalidVers, uniqueness, mutability, …)',
    affects: ['USR-*-400', 'GRP-*-400', '*-409'],
    response: (_req, res) => {
      if (isScimError(res)) delete res.body.scimType;
    },
  },
  {
    id: 'not-found-200-empty',
    area: 'errors',
    description: 'an unknown resource is answered 200 with {} instead of 404',
    affects: ['*-404'],
    response: (req, res) => {
      if (isScim(req) && req.method === 'GET' && res.status === 404) return jsonResponse(200, {});
    },
  },
  {
    id: 'duplicate-username-201',
    area: 'errors',
    description: 'POST users with a userName already in use answers 201 with the existing user (an upsert) instead of 409 uniqueness',
    affects: ['USR-POST-USERNAME-TAKEN-409', 'USR-POST-USERNAME-TAKEN-CASE-409'],
    response: async (req, res, ctx) => {
      if (req.method !== 'POST' || req.route.resource !== 'users' || req.route.id !== undefined || !isScim(req)) return;
      if (res.status !== 409 || !isObject(req.body) || typeof req.body.userName !== 'string') return;
      const found = await ctx.get(`${req.path}?filter=${encodeURIComponent(`userName eq "${req.body.userName}"`)}`, req);
      const user = isListResponse(found) ? found.body.Resources[0] : undefined;
      if (!isObject(user)) return;
      return jsonResponse(201, user, { location: String(user.meta?.location ?? ''), ...(user.meta?.version ? { etag: String(user.meta.version) } : {}) });
    },
  },
  {
    id: 'malformed-json-500',
    area: 'errors',
    description: 'a request body that is not valid JSON is answered 500 instead of 400 invalidSyntax',
    affects: ['USR-POST-MALFORMED-JSON-400'],
    response: (req, res) => {
      if (!isScim(req) || res.status !== 400 || req.rawBody === '') return;
      try {
        JSON.parse(req.rawBody);
      } catch {
        return scimError(500, 'Internal Server Error');
      }
    },
  },

  // ------------------------------------------------------------------ discovery content
  {
    id: 'resource-types-missing-group',
    area: 'discovery',
    description: 'the Group resource type is missing from /resourcetypes (and /resourcetypes/Group is 404)',
    affects: ['RT-LIST-COMPLETE', 'RT-ENDPOINTS', 'RT-GET'],
    response: (req, res) => {
      if (req.route.resource !== 'resourcetypes' || req.method !== 'GET') return;
      if (req.route.id?.toLowerCase() === 'group') return scimError(404, 'Resource type Group not found');
      if (isListResponse(res)) {
        const before = res.body.Resources.length;
        res.body.Resources = res.body.Resources.filter((r: Json) => r.name !== 'Group' && r.id !== 'Group');
        recount(res.body, before - res.body.Resources.length);
      }
    },
  },
  {
    id: 'rt-user-extension-missing',
    area: 'discovery',
    description: 'the User resource type lists only the enterprise extension (the Genesys extension is missing from schemaExtensions)',
    affects: ['RT-USER-EXTENSIONS'],
    response: (req, res) => {
      if (req.route.resource !== 'resourcetypes' || req.method !== 'GET') return;
      for (const r of resourcesOf(res)) {
        if (r.name === 'User' && Array.isArray(r.schemaExtensions)) r.schemaExtensions = r.schemaExtensions.filter((e: Json) => e.schema !== GENESYS_URN);
      }
    },
  },
  {
    id: 'schema-list-incomplete',
    area: 'discovery',
    description: 'GET schemas does not list the Genesys user extension schema',
    affects: ['SCH-LIST-COMPLETE', 'SCH-USER-DEFINES-MODEL'],
    response: (req, res) => {
      if (!isList(req, 'schemas') || !isListResponse(res)) return;
      const before = res.body.Resources.length;
      res.body.Resources = res.body.Resources.filter((s: Json) => s.id !== GENESYS_URN);
      recount(res.body, before - res.body.Resources.length);
    },
  },
  {
    id: 'schema-attribute-without-type',
    area: 'discovery',
    description: 'an attribute of the core User schema (userName) has no `type` characteristic',
    affects: ['SCH-ATTRIBUTE-CHARACTERISTICS', 'SCH-LIST', 'SCH-GET'],
    response: (req, res) => {
      if (req.route.resource !== 'schemas' || req.method !== 'GET') return;
      for (const s of resourcesOf(res)) {
        if (s.id !== USER_URN || !Array.isArray(s.attributes)) continue;
        const attr = s.attributes.find((a: Json) => a?.name === 'userName') ?? s.attributes[0];
        if (isObject(attr)) delete attr.type;
      }
    },
  },
  {
    id: 'spc-wrong-schema-urn',
    area: 'discovery',
    description: 'ServiceProviderConfig names the SCIM 1.1 schema URN (urn:scim:schemas:core:1.0) instead of the 2.0 one',
    affects: ['SPC-SCHEMAS-URN', 'SPC-GET'],
    response: (req, res) => {
      if (req.route.resource === 'serviceproviderconfig' && res.status === 200 && isObject(res.body)) res.body.schemas = ['urn:scim:schemas:core:1.0'];
    },
  },
  {
    id: 'meta-location-missing',
    area: 'discovery',
    description: 'meta.location is absent from every resource representation (discovery, users, groups)',
    affects: ['SPC-META', 'RT-META', 'SCH-META', 'USR-META-LOCATION', 'GRP-META-LOCATION', 'USR-POST-LOCATION', 'GRP-POST-LOCATION'],
    response: (req, res) => {
      if (!isScim(req)) return;
      for (const r of resourcesOf(res)) if (isObject(r.meta)) delete r.meta.location;
    },
  },
  {
    id: 'meta-location-relative',
    area: 'discovery',
    description: 'meta.location of users and groups is a relative path (/api/v2/scim/v2/users/{id}) instead of an absolute URI',
    affects: ['USR-META-LOCATION', 'GRP-META-LOCATION', 'USR-POST-LOCATION', 'GRP-POST-LOCATION'],
    response: (req, res) => {
      if (!isScim(req) || !['users', 'groups'].includes(req.route.resource)) return;
      for (const r of resourcesOf(res)) if (isObject(r.meta) && typeof r.meta.location === 'string') r.meta.location = r.meta.location.replace(/^https?:\/\/[^/]+/, '');
    },
  },
  {
    id: 'meta-resource-type-plural',
    area: 'discovery',
    description: 'meta.resourceType of users and groups is the endpoint name ("Users", "Groups") instead of the resource type ("User", "Group")',
    affects: ['USR-META-RESOURCE-TYPE', 'GRP-META-RESOURCE-TYPE', 'USR-LIST-RESOURCES-VALID', 'GRP-LIST-RESOURCES-VALID'],
    response: (req, res) => {
      if (!isScim(req) || !['users', 'groups'].includes(req.route.resource)) return;
      for (const r of resourcesOf(res)) if (isObject(r.meta) && (r.meta.resourceType === 'User' || r.meta.resourceType === 'Group')) r.meta.resourceType += 's';
    },
  },
  {
    id: 'legacy-prefix-without-enterprise',
    area: 'discovery',
    description: 'under the older prefix /api/v2/scim users are served without the enterprise extension',
    affects: ['USR-BOTH-PREFIXES', 'USR-POST-ENTERPRISE', 'USR-POST-MANAGER'],
    response: (req, res) => {
      if (req.route.prefix !== '/api/v2/scim' || req.route.resource !== 'users') return;
      for (const r of resourcesOf(res)) {
        delete r[ENTERPRISE_URN];
        if (Array.isArray(r.schemas)) r.schemas = r.schemas.filter((u: string) => u !== ENTERPRISE_URN);
      }
    },
  },
  {
    id: 'post-location-header-missing',
    area: 'discovery',
    description: 'POST users/groups answers 201 without a Location header',
    affects: ['USR-POST-LOCATION', 'GRP-POST-LOCATION'],
    response: (req, res) => {
      if (isScim(req) && req.method === 'POST' && res.status === 201) delete res.headers.location;
    },
  },

  // ------------------------------------------------------------------ groups
  {
    id: 'group-members-dropped',
    area: 'groups',
    description: 'group representations lose their member references (members never returned)',
    affects: ['GRP-MEMBER-REFERENCES', 'GRP-MEMBER-TYPE', 'GRP-POST-MEMBERS', 'GRP-PUT-MEMBERS-REPLACED', 'GRP-PATCH-MEMBERS-*', 'GRP-EXCLUDED-MEMBERS'],
    response: (req, res) => {
      if (!isScim(req) || req.route.resource !== 'groups') return;
      for (const r of resourcesOf(res)) delete r.members;
    },
  },

  {
    id: 'group-external-id-not-generated',
    area: 'groups',
    description: 'a group created by POST has no externalId (the documented auto-generated one is missing)',
    affects: ['GRP-POST-EXTERNAL-ID'],
    response: (req, res) => {
      if (!isScim(req) || req.route.resource !== 'groups') return;
      for (const r of resourcesOf(res)) if (typeof r.externalId === 'string' && r.externalId.startsWith('scim-')) delete r.externalId;
    },
  },
  {
    id: 'group-active-returned',
    area: 'groups',
    description: 'group representations carry "active": true (the doc\'s copy/paste "always returns id, active, meta" implemented)',
    affects: ['GRP-NO-ACTIVE'],
    response: (req, res) => {
      if (!isScim(req) || req.route.resource !== 'groups') return;
      for (const r of resourcesOf(res)) if (typeof r.id === 'string') r.active = true;
    },
  },

  // ------------------------------------------------------------------ permissions and authentication
  {
    id: 'missing-token-accepted',
    area: 'auth',
    description: 'a SCIM request without an Authorization header is served (as an administrator)',
    affects: ['AUTH-NO-TOKEN', 'AUTH-ERROR-BODY'],
    request: async (req, ctx) => {
      if (isScim(req) && !req.headers.authorization) req.headers.authorization = bearer(await ctx.tokenFor('admin'));
    },
  },
  {
    id: 'invalid-token-accepted',
    area: 'auth',
    description: 'a SCIM request with an invalid bearer token is served (as an administrator)',
    affects: ['AUTH-BAD-TOKEN'],
    response: async (req, res, ctx) => {
      if (!isScim(req) || res.status !== 401 || !/^bearer\s/i.test(req.headers.authorization ?? '')) return;
      req.headers.authorization = bearer(await ctx.tokenFor('admin'));
      return ctx.forward(req);
    },
  },
  {
    id: 'permissions-not-enforced',
    area: 'auth',
    description: 'per-operation permissions are not checked on users and groups: an identity without permissions gets 2xx',
    affects: ['USR-*-PERMISSION', 'GRP-*-PERMISSION'],
    response: servedAsAdminWhen403,
  },
  {
    id: 'permissions-not-enforced-2019',
    area: 'auth',
    apiVersion: '2019',
    description: 'API version 2019: user and group permissions are not checked (the users list and GET user need directory:user:view there)',
    affects: ['USR-*-PERMISSION', 'GRP-*-PERMISSION'],
    response: servedAsAdminWhen403,
  },
  {
    id: 'user-list-filter-optional-2019',
    area: 'filter',
    apiVersion: '2019',
    description: 'API version 2019: a users list without the required filter is served (active users) instead of 400',
    affects: ['USR-LIST-FILTER-REQUIRED'],
    response: async (req, res, ctx) => {
      if (!isList(req, 'users') || hasQuery(req, 'filter') || res.status !== 400) return;
      req.query.set('filter', 'active eq true');
      const all = await ctx.forward(req);
      return all.status === 200 ? all : undefined;
    },
  },
  {
    id: 'discovery-requires-permission',
    area: 'auth',
    description: 'discovery endpoints (documented "Requires NO permissions") refuse an identity without permissions with 403',
    affects: ['SPC-NO-PERMISSION', 'RT-NO-PERMISSION', 'SCH-NO-PERMISSION'],
    request: (req, ctx) => {
      if (!['serviceproviderconfig', 'resourcetypes', 'schemas'].includes(req.route.resource)) return;
      if (ctx.clientOf(req.headers.authorization) === 'none') return scimError(403, 'Missing permission directory:user:view');
    },
  },

  // ------------------------------------------------------------------ content types and routing
  {
    id: 'content-type-text-plain',
    area: 'content-type',
    description: 'JSON responses are declared as text/plain',
    affects: ['GEN-CONTENT-TYPE', 'GEN-ACCEPT-SCIM-JSON', 'SPC-GET', 'RT-LIST', 'SCH-LIST'],
    response: (req, res) => {
      if (isScim(req) && /json/i.test(res.headers['content-type'] ?? '')) res.headers['content-type'] = 'text/plain; charset=utf-8';
    },
  },
  {
    id: 'accept-scim-json-406',
    area: 'content-type',
    description: 'a request accepting only application/scim+json is refused with 406 (the server only knows application/json)',
    affects: ['GEN-ACCEPT-SCIM-JSON'],
    request: (req) => {
      const accept = (req.headers.accept ?? '').toLowerCase();
      if (isScim(req) && accept.includes('application/scim+json') && !accept.includes('application/json') && !accept.includes('*/*')) {
        return { ...scimError(406, 'Not Acceptable: application/json only'), headers: { 'content-type': 'application/json; charset=utf-8' } };
      }
    },
  },
  {
    id: 'request-scim-json-415',
    area: 'content-type',
    description: 'a request body sent as application/scim+json (as Entra does) is refused with 415',
    affects: ['USR-POST-ACCEPTS-SCIM-JSON'],
    request: (req) => {
      if (isScim(req) && ['POST', 'PUT', 'PATCH'].includes(req.method) && /^application\/scim\+json/i.test(req.headers['content-type'] ?? '')) {
        return scimError(415, 'Unsupported Media Type: use application/json');
      }
    },
  },
  {
    id: 'path-case-sensitive',
    area: 'content-type',
    description: 'resource paths are case-sensitive: /ServiceProviderConfig, /Users (RFC casing) answer 404',
    affects: ['GEN-PATH-CASE'],
    request: (req) => {
      const seg = req.route.segments[0];
      if (isScim(req) && seg !== undefined && seg !== seg.toLowerCase()) return scimError(404, `No resource at ${req.path}`);
    },
  },
];

export function faultById(id: string): Fault | undefined {
  return FAULTS.find((f) => f.id === id);
}

/** `USR-*-400` → /^USR-.*-400$/ ; plain ids match exactly. */
export function affectsPattern(entry: string): RegExp {
  return new RegExp(`^${entry.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[A-Z0-9-]*')}$`);
}

/** Does this behaviour id belong to the fault's `affects`? */
export function affects(fault: Fault, behaviourId: string): boolean {
  return fault.affects.some((a) => affectsPattern(a).test(behaviourId));
}
