/**
 * The Groups resource. Members are references to users or groups ({value, type User|Group, $ref}); a user's
 * read-only `groups` attribute mirrors its direct memberships.
 *
 * 2021 (JS doc): POST creates a group and auto-creates its externalId (`scim-<id>`), which marks it as
 * SCIM-created; only such groups can be deleted (others → 400 mutability). The externalId is server-managed here:
 * ignored in POST/PUT bodies, PATCH on it → 400 mutability.
 * 2019 (Ruby doc): no group POST/DELETE; the handlers answer 404 if called.
 */
import { excerpt, ScimHttpError, type ScimRequest, type ScimResponse } from '../http-types.ts';
import { checkIfMatch, ciGet, etagOf, ifNoneMatchIsCurrent, isObject, parsePaging } from './common.ts';
import { checkCountLimit, listResponse, type DomainContext } from './context.ts';
import { GROUP_FILTER_SPEC, parseFilter, type FilterClause } from './filter.ts';
import { checkItemCount, checkStringLength } from './limits.ts';
import { applyPatchValidated, parsePatchRequest } from './patch.ts';
import { projectionFor, type Projection } from './projection.ts';
import { GROUP_SCHEMA, GROUP_URN } from './schema.ts';
import type { GroupRecord, MemberRef } from './store.ts';

const bad = (detail: string) => new ScimHttpError(400, detail, 'invalidValue');
const notFound = (id: string) => new ScimHttpError(404, `Group ${id} not found`);

export interface GroupInput {
  displayName: string;
  members: MemberRef[];
}

function parseMember(ctx: DomainContext, m: unknown, selfId: string | undefined): MemberRef {
  if (!isObject(m)) throw bad('members items must be objects');
  const value = ciGet(m, 'value');
  if (typeof value !== 'string' || value === '') throw bad('members.value must be a user or group id');
  checkStringLength(value, 'members.value');
  const rawType = ciGet(m, 'type');
  if (rawType !== undefined && rawType !== null && typeof rawType !== 'string') throw bad('members.type must be User or Group');
  const want = typeof rawType === 'string' ? rawType.toLowerCase() : undefined;
  if (want !== undefined && want !== 'user' && want !== 'group') throw bad(`members.type ${excerpt(rawType)} must be User or Group`);
  let type: MemberRef['type'] | undefined;
  if (want !== 'group' && ctx.store.liveUser(value)) type = 'User';
  else if (want !== 'user' && ctx.store.group(value)) type = 'Group';
  if (!type) throw bad(`Unknown member "${value}"${want ? ` of type ${rawType}` : ''}`);
  if (type === 'Group' && value === selfId) throw bad('A group can not be a member of itself');
  return { value, type };
}

function parseMembers(ctx: DomainContext, raw: unknown, selfId: string | undefined): MemberRef[] {
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) throw bad('members must be an array');
  const members: MemberRef[] = [];
  const seen = new Set<string>();
  for (const m of (raw as unknown[] | undefined | null) ?? []) {
    const ref = parseMember(ctx, m, selfId);
    if (!seen.has(ref.value)) {
      seen.add(ref.value);
      members.push(ref);
    }
  }
  return members;
}

/**
 * The member items a PATCH request has already validated, by identity (patch.ts replaces an item it changes, never
 * edits it in place), so checking the document after each operation costs a lookup per item, not a validation.
 */
export type ValidatedMembers = Set<object>;

/**
 * Checks a patched document after one operation: displayName, and the member items not validated before. It
 * returns nothing: the patched document's members are read once, at the end (`parseGroupBody` without a limit on
 * their number, which only applies to what one request sends).
 */
function checkPatchedGroup(ctx: DomainContext, body: Record<string, unknown>, selfId: string, validated: ValidatedMembers): void {
  parseDisplayName(body);
  const raw = ciGet(body, 'members');
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) throw bad('members must be an array');
  for (const m of (raw as unknown[] | undefined | null) ?? []) {
    if (isObject(m) && validated.has(m)) continue;
    parseMember(ctx, m, selfId);
    if (isObject(m)) validated.add(m);
  }
}

function parseDisplayName(body: Record<string, unknown>): string {
  const dn = ciGet(body, 'displayName');
  if (dn === undefined || dn === null || (typeof dn === 'string' && dn.trim() === '')) throw bad('displayName is required');
  if (typeof dn !== 'string') throw bad('displayName must be a string');
  return checkStringLength(dn, 'displayName');
}

/**
 * Validates a group body (POST, PUT, or a patched document: `patched`, whose members are not limited in number).
 * id, externalId, meta and unknown attributes are ignored.
 */
export function parseGroupBody(ctx: DomainContext, body: unknown, selfId?: string, patched = false): GroupInput {
  if (!isObject(body)) throw new ScimHttpError(400, 'The request body must be a JSON object', 'invalidSyntax');
  const displayName = parseDisplayName(body);
  const raw = ciGet(body, 'members');
  if (!patched && Array.isArray(raw)) checkItemCount(raw, 'members');
  return { displayName, members: parseMembers(ctx, raw, selfId) };
}

export function renderGroup(ctx: DomainContext, g: GroupRecord, baseUrl: string): Record<string, unknown> {
  if (g.rendered && g.rendered.version === g.version && g.rendered.baseUrl === baseUrl) return g.rendered.body;
  const body: Record<string, unknown> = { schemas: [GROUP_URN], id: g.id, displayName: g.displayName };
  if (g.externalId !== undefined) body.externalId = g.externalId;
  if (g.members.length > 0) {
    body.members = g.members.map((m) => ({
      value: m.value,
      type: m.type,
      $ref: `${baseUrl}/${m.type === 'User' ? 'users' : 'groups'}/${m.value}`,
    }));
  }
  body.meta = {
    resourceType: 'Group',
    lastModified: g.lastModified,
    location: `${baseUrl}/groups/${g.id}`,
    version: etagOf(g.version, ctx.etagStyle),
  };
  g.rendered = { version: g.version, baseUrl, body };
  return body;
}

function writableGroupDoc(g: GroupRecord): Record<string, unknown> {
  const doc: Record<string, unknown> = { id: g.id, displayName: g.displayName };
  if (g.externalId !== undefined) doc.externalId = g.externalId;
  if (g.members.length > 0) doc.members = g.members.map((m) => ({ ...m }));
  return doc;
}

function checkDisplayNameFree(ctx: DomainContext, displayName: string, selfId?: string): void {
  const other = ctx.store.groupByDisplayName(displayName);
  if (other && other.id !== selfId) throw new ScimHttpError(409, `A group named "${displayName}" already exists`, 'uniqueness');
}

/** Creates a group from validated input. Shared by POST and the seed loader. */
export function createGroupRecord(
  ctx: DomainContext,
  input: GroupInput,
  opts: { id?: string; externalId?: string; scimCreated: boolean },
): GroupRecord {
  checkDisplayNameFree(ctx, input.displayName);
  const id = opts.id ?? ctx.newId();
  if (ctx.store.group(id)) throw new Error(`duplicate group id ${id}`);
  const rec: GroupRecord = {
    id,
    seq: 0,
    displayName: input.displayName,
    scimCreated: opts.scimCreated,
    members: [],
    version: 1,
    lastModified: ctx.store.now().toISOString(),
  };
  const externalId = opts.externalId ?? (opts.scimCreated ? `scim-${id}` : undefined);
  if (externalId !== undefined) rec.externalId = externalId;
  ctx.store.insertGroup(rec);
  ctx.store.setMembers(rec, input.members);
  return rec;
}

function commit(ctx: DomainContext, g: GroupRecord, input: GroupInput): void {
  if (input.displayName !== g.displayName) ctx.store.renameGroup(g, input.displayName);
  ctx.store.setMembers(g, input.members);
  ctx.store.touch(g);
}

/** Groups matching the parsed filter (undefined: all groups), in creation order. */
export function selectGroups(ctx: DomainContext, clauses: FilterClause[] | undefined): GroupRecord[] {
  const { store } = ctx;
  if (clauses === undefined) return [...store.allGroups()];
  let candidates: GroupRecord[] | undefined;
  const first = clauses[0];
  if (first.attr === 'id') {
    const g = store.group(first.value) ?? store.group(first.value.toLowerCase());
    candidates = g ? [g] : [];
  } else if (first.attr === 'displayName') {
    const g = store.groupByDisplayName(first.value);
    candidates = g ? [g] : [];
  } else {
    candidates = store.groupsByExternalId(first.value);
  }
  return candidates.filter((g) =>
    clauses.every((c) => {
      if (c.attr === 'id') return g.id.toLowerCase() === c.value.toLowerCase();
      if (c.attr === 'displayName') return g.displayName.toLowerCase() === c.value.toLowerCase();
      return g.externalId === c.value;
    }),
  );
}

function projectionOf(ctx: DomainContext, req: ScimRequest): Projection {
  if (ctx.apiVersion === '2019') return projectionFor(GROUP_SCHEMA, [], []);
  return projectionFor(GROUP_SCHEMA, req.query.attributes, req.query.excludedAttributes);
}

function respond(ctx: DomainContext, req: ScimRequest, g: GroupRecord, status: number, extra: Record<string, string> = {}): ScimResponse {
  const body = projectionOf(ctx, req).apply(renderGroup(ctx, g, req.baseUrl));
  return { status, headers: { ETag: etagOf(g.version, ctx.etagStyle), ...extra }, body };
}

function groupOr404(ctx: DomainContext, req: ScimRequest): GroupRecord {
  const id = req.params.id ?? '';
  const g = ctx.store.group(id);
  if (!g) throw notFound(id);
  return g;
}

function requires2021(ctx: DomainContext, what: string): void {
  if (ctx.apiVersion !== '2021') throw new ScimHttpError(404, `${what} is not available in API version ${ctx.apiVersion}`);
}

export function groupHandlers(ctx: DomainContext) {
  return {
    listGroups(req: ScimRequest): ScimResponse {
      const filter = req.query.filter?.trim() || undefined;
      const clauses = filter === undefined ? undefined : parseFilter(filter, GROUP_FILTER_SPEC, ctx.filterStrictness);
      const paging = parsePaging(req);
      const projection = projectionOf(ctx, req);
      checkCountLimit(ctx, GROUP_SCHEMA, paging, projection);
      const matches = selectGroups(ctx, clauses);
      return {
        status: 200,
        body: listResponse(matches, paging, (g) => projection.apply(renderGroup(ctx, g, req.baseUrl))),
      };
    },

    createGroup(req: ScimRequest): ScimResponse {
      requires2021(ctx, 'POST /groups');
      const input = parseGroupBody(ctx, req.body);
      const g = createGroupRecord(ctx, input, { scimCreated: true });
      return respond(ctx, req, g, 201, { Location: `${req.baseUrl}/groups/${g.id}` });
    },

    getGroup(req: ScimRequest): ScimResponse {
      const g = groupOr404(ctx, req);
      const etag = etagOf(g.version, ctx.etagStyle);
      if (ifNoneMatchIsCurrent(req, etag)) return { status: 304, headers: { ETag: etag } };
      return respond(ctx, req, g, 200);
    },

    replaceGroup(req: ScimRequest): ScimResponse {
      const g = groupOr404(ctx, req);
      checkIfMatch(req, etagOf(g.version, ctx.etagStyle));
      const input = parseGroupBody(ctx, req.body, g.id);
      checkDisplayNameFree(ctx, input.displayName, g.id);
      commit(ctx, g, input);
      return respond(ctx, req, g, 200);
    },

    patchGroup(req: ScimRequest): ScimResponse {
      const g = groupOr404(ctx, req);
      checkIfMatch(req, etagOf(g.version, ctx.etagStyle));
      const ops = parsePatchRequest(req.body);
      const doc = writableGroupDoc(g);
      const validated: ValidatedMembers = new Set();
      applyPatchValidated(GROUP_SCHEMA, doc, ops, (d) => checkPatchedGroup(ctx, d, g.id, validated));
      const input = parseGroupBody(ctx, doc, g.id, true);
      checkDisplayNameFree(ctx, input.displayName, g.id);
      commit(ctx, g, input);
      return respond(ctx, req, g, 200);
    },

    deleteGroup(req: ScimRequest): ScimResponse {
      requires2021(ctx, 'DELETE /groups/{id}');
      const g = groupOr404(ctx, req);
      checkIfMatch(req, etagOf(g.version, ctx.etagStyle));
      if (!g.scimCreated) {
        throw new ScimHttpError(
          400,
          `Group ${g.id} was not created through SCIM (it has no SCIM externalId) and can not be deleted through SCIM`,
          'mutability',
        );
      }
      ctx.store.deleteGroup(g);
      return ctx.deleteStatus === 204 ? { status: 204 } : { status: 200, body: {} };
    },
  };
}
