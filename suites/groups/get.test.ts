/**
 * GET groups/{id}: the representation, meta, ETag / If-None-Match, members, and the two prefixes (seed 000
 * getScimGroup / getScimV2Group; seed 002 get_scim_group / get_scim_v2_group: ifNoneMatch "Returned as header and
 * meta.version … If the ETag is current, returns 304 Not Modified"; RFC 7643 §3.1, §4.2; RFC 7644 §3.4.1, §3.12,
 * §3.14; reference §2, §4.2, §4.5).
 *
 * The group read: on 2021 (writes allowed) the posted group of this prefix (harness/checks/group-subject.ts: created
 * early in the run with a member user, and changed by nothing), whose GET is sent once per prefix and judged by every
 * check reading it (ctx.read); on 2019 (no group POST) the configured scratch group (SCIM_ORG_GROUP_ID), only read.
 * Other checks may change the scratch group while these run, so comparisons of two reads are repeated once when it
 * changed between them: a fault of the server persists, a concurrent change does not.
 */
import { randomUUID } from 'node:crypto';
import { behaviour, getReadable, readableGroup, type BehaviourContext, type HttpResult, type ReadableGroup } from '../../harness/index.ts';

const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** The two documented prefixes of the same operations (reference §2). */
const DOCUMENTED_PREFIXES = ['/api/v2/scim', '/api/v2/scim/v2'];
/** At most this many members are followed (bounded requests). */
const MAX_MEMBERS = 3;

type Scim = BehaviourContext['scim'];
type Rep = Record<string, any>;

const groupPath = (id: string) => `/groups/${encodeURIComponent(id)}`;

/** 200 and a valid ScimV2Group. */
function verifyGroup(ctx: BehaviourContext, res: HttpResult, check: string): HttpResult {
  ctx.verify.status(res, 200, `${check}: HTTP status`);
  ctx.verify.schema(res, 'ScimV2Group', res.body, `${check}: body is a valid ScimV2Group`);
  return res;
}

/** GET the group read: 200 and a valid ScimV2Group (the posted group's answer is shared by the checks of this prefix). */
async function read(ctx: BehaviourContext, g: ReadableGroup, check = 'GET the group'): Promise<HttpResult> {
  return verifyGroup(ctx, await getReadable(ctx, g), check);
}

/** GET the group afresh (with headers, or under another client): 200 and a valid ScimV2Group. */
async function readAfresh(ctx: BehaviourContext, g: ReadableGroup, opts: { scim?: Scim; headers?: Record<string, string>; check?: string } = {}): Promise<HttpResult> {
  return verifyGroup(ctx, await (opts.scim ?? ctx.scim).get(g.path, { headers: opts.headers }), opts.check ?? 'GET the group');
}

/**
 * The same client, sending under another path prefix ('' = paths are absolute). The harness binds a client to the
 * test's prefix; this view shares its connection pool, rate limit, token and exchange recording.
 */
function clientAt(scim: Scim, prefix: string): Scim {
  return Object.create(scim, { prefix: { value: prefix, enumerable: true } }) as Scim;
}

/** Runs a comparison at most twice: `attempt(final)` returns false (first attempt only) when it may have raced a change. */
async function twice(attempt: (final: boolean) => Promise<boolean>): Promise<void> {
  if (await attempt(false)) return;
  await attempt(true);
}

const opaqueTag = (tag: string) => tag.trim().replace(/^W\//i, '').replace(/^"(.*)"$/, '$1');

// ------------------------------------------------------------------ the representation

behaviour('GRP-GET', 'returns the group by id', async (ctx) => {
  const { verify } = ctx;
  const g = await readableGroup(ctx);
  const res = await getReadable(ctx, g);
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.id, g.id, 'id is the requested group id');
});

behaviour('GRP-GET-SCHEMAS-URN', 'names the core Group schema URN in schemas', async (ctx) => {
  const g = await readableGroup(ctx);
  const res = await getReadable(ctx, g);
  ctx.verify.status(res, 200);
  // Checked before the model, which requires it too, with a less specific message.
  const schemas: unknown = res.body?.schemas;
  ctx.verify.that(res, Array.isArray(schemas) && schemas.includes(GROUP_URN), 'schemas holds the core Group URN (RFC 7643 §4.2)', GROUP_URN, schemas ?? '(absent)');
  ctx.verify.schema(res, 'ScimV2Group');
});

behaviour('GRP-META-RESOURCE-TYPE', 'gives Group as meta.resourceType', async (ctx) => {
  const g = await readableGroup(ctx);
  const res = await read(ctx, g);
  ctx.verify.equal(res, res.body.meta?.resourceType, 'Group', 'meta.resourceType');
});

behaviour('GRP-META-LOCATION', 'gives the absolute URI of the group as meta.location', async (ctx) => {
  const { verify } = ctx;
  const g = await readableGroup(ctx);
  const res = await read(ctx, g);
  const location: unknown = res.body.meta?.location;
  verify.that(res, typeof location === 'string' && /^https?:\/\/[^/]+\//i.test(location), 'meta.location is an absolute URI (RFC 7643 §3.1)', 'http(s)://host/…', location ?? '(absent)');
  const url = new URL(location as string);
  verify.that(res, new RegExp(`/groups/${g.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i').test(decodeURIComponent(url.pathname)), 'meta.location ends with /groups/{id}', `…/groups/${g.id}`, location);
  const origin = new URL(ctx.scim.url('')).origin;
  if (url.origin !== origin) ctx.test.annotate(`meta.location names ${url.origin}; it is read through the configured ${origin}`);
  // A GET on the location answers with the same group: the GET just judged, when the location is the URL it was sent to.
  if (url.href === new URL(ctx.scim.url(g.path)).href) return;
  const again = await clientAt(ctx.scim, '').get(`${url.pathname}${url.search}`);
  verify.status(again, 200, 'GET meta.location: HTTP status');
  verify.schema(again, 'ScimV2Group', again.body, 'GET meta.location: body is a valid ScimV2Group');
  verify.equal(again, again.body.id, g.id, 'GET meta.location answers with the same group');
});

behaviour('GRP-META-LAST-MODIFIED', 'gives an ISO 8601 date-time as meta.lastModified', async (ctx) => {
  const g = await readableGroup(ctx);
  const res = await read(ctx, g);
  const v: unknown = res.body.meta?.lastModified;
  ctx.verify.that(
    res,
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.test(v) && !Number.isNaN(Date.parse(v)),
    'meta.lastModified is an ISO 8601 date-time (RFC 7643 §3.1; reference §4.5: yyyy-MM-ddTHH:mm:ss.SSSZ)',
    'e.g. 2021-01-16T12:34:56.789Z',
    v ?? '(absent)',
  );
});

// ------------------------------------------------------------------ ETag / If-None-Match

behaviour('GRP-ETAG-HEADER', 'sends an ETag equal to meta.version', async (ctx) => {
  const g = await readableGroup(ctx);
  const res = await read(ctx, g);
  const etag = ctx.verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  ctx.verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header (seed 000: "Returned as header and meta.version")');
});

behaviour('GRP-IF-NONE-MATCH-304', 'answers a current If-None-Match with 304 and no body', async (ctx) => {
  const { verify } = ctx;
  const g = await readableGroup(ctx);
  await twice(async (final) => {
    // The posted group does not change: its shared GET gives the current ETag. The scratch group is read afresh.
    const first = final ? await readAfresh(ctx, g) : await read(ctx, g);
    const etag = verify.header(first, 'etag');
    const again = await ctx.scim.get(groupPath(g.id), { headers: { 'if-none-match': etag } });
    // A 200 with another ETag: the group changed in between (another check wrote the scratch group).
    if (!final && again.status === 200 && again.headers.etag !== undefined && again.headers.etag !== etag) return false;
    verify.status(again, 304, `HTTP status for If-None-Match: ${etag}`);
    verify.noBody(again);
    return true;
  });
});

behaviour('GRP-IF-NONE-MATCH-STALE', 'answers a stale If-None-Match with the full group', async (ctx) => {
  const { verify } = ctx;
  const g = await readableGroup(ctx);
  const current = await read(ctx, g);
  const etag = current.headers.etag ?? current.body.meta?.version;
  // An earlier version where the tag is the documented integer ("42"), else a tag the server never issued.
  const opaque = typeof etag === 'string' ? opaqueTag(etag) : '';
  const stale = /^\d+$/.test(opaque) && Number(opaque) > 0 ? `"${Number(opaque) - 1}"` : '"scimct-stale-version"';
  const res = await readAfresh(ctx, g, { headers: { 'if-none-match': stale }, check: `GET the group with If-None-Match: ${stale}` });
  verify.equal(res, res.body.id, g.id, 'id');
  const missing = Object.keys(current.body).filter((k) => current.body[k] !== undefined && res.body[k] === undefined);
  verify.equal(res, missing, [], 'the full group is returned (every attribute of a plain GET)');
});

behaviour('GRP-GET-UNKNOWN-404', 'answers an unknown group id with 404 and a SCIM error', async (ctx) => {
  const res = await ctx.scim.get(groupPath(randomUUID()));
  ctx.verify.scimError(res, 404);
});

// ------------------------------------------------------------------ members

/** Where a member reference leads: the resource path under the prefixes ('users' | 'groups'), from type or $ref. */
function memberKind(m: Rep): 'users' | 'groups' | undefined {
  if (m.type === 'User') return 'users';
  if (m.type === 'Group') return 'groups';
  return undefined;
}

/** The members of the group read: the one the check created must be listed; a scratch group without members skips. */
function membersOf(ctx: BehaviourContext, g: ReadableGroup, res: HttpResult): Rep[] {
  const members: Rep[] = Array.isArray(res.body.members) ? res.body.members : [];
  if (members.length === 0) {
    if (g.memberId) ctx.verify.fail('the group created with a member lists it', g.memberId, res.body.members ?? '(absent)', res);
    ctx.skip(`group ${g.id} has no members to judge`, 'inconclusive');
  }
  return members;
}

behaviour('GRP-MEMBER-REFERENCES', 'lists members whose value is an existing user or group that $ref points at', async (ctx) => {
  const { verify } = ctx;
  const g = await readableGroup(ctx);
  const res = await read(ctx, g);
  const members = membersOf(ctx, g, res);
  const groupUrl = ctx.scim.url(groupPath(g.id));
  const prefixUrl = ctx.scim.url('');
  // The posted group's members are users of the run that nothing changes: their GETs are shared (ctx.read).
  const get = (path: string) => (g.scratch ? ctx.scim.get(path) : ctx.read(path));
  let judged = 0;
  for (const m of members.slice(0, MAX_MEMBERS)) {
    const value = String(m.value);
    // Follow $ref when present (it must lead to the member), else the member's path by type (users, then groups).
    let found: HttpResult | undefined;
    if (typeof m.$ref === 'string' && m.$ref !== '') {
      const url = new URL(m.$ref, groupUrl);
      verify.that(res, /\/(users|groups)\/[^/]+$/i.test(url.pathname), `member ${value}: $ref is the URI of a user or group`, '…/Users/{id} or …/Groups/{id}', m.$ref);
      found = url.href.startsWith(`${prefixUrl}/`) ? await get(url.href.slice(prefixUrl.length)) : await clientAt(ctx.scim, '').get(`${url.pathname}${url.search}`);
    } else {
      const kinds = memberKind(m) ? [memberKind(m)!] : (['users', 'groups'] as const);
      for (const kind of kinds) {
        found = await get(`/${kind}/${encodeURIComponent(value)}`);
        if (found.status !== 404) break;
      }
    }
    if (found!.status === 404) {
      // Removed by another check between the two reads? Then the group no longer lists it.
      const now = await readAfresh(ctx, g, { check: 'GET the group again' });
      const still = (now.body.members ?? []).some((x: Rep) => x.value === m.value);
      if (!still) continue;
    }
    verify.status(found!, 200, `member ${value}: the referenced resource is read (HTTP status)`);
    const kind = found!.body?.meta?.resourceType;
    verify.schema(found!, kind === 'Group' ? 'ScimV2Group' : 'ScimV2User', found!.body, `member ${value}: a valid ScimV2User or ScimV2Group`);
    verify.equal(found!, found!.body.id, value, `member ${value}: the referenced resource has the member's value as id`);
    if (m.type !== undefined && m.type !== null) verify.equal(found!, kind, m.type, `member ${value}: the referenced resource's meta.resourceType is the member's type`);
    judged++;
  }
  // Every member followed was removed meanwhile by another check (a scratch group): nothing was judged.
  if (judged === 0) ctx.skip(`the members of group ${g.id} were removed while the check followed them`, 'inconclusive');
});

behaviour('GRP-MEMBER-TYPE', 'gives User or Group as each member type', async (ctx) => {
  const { verify } = ctx;
  const g = await readableGroup(ctx);
  const res = await read(ctx, g);
  // type is optional (RFC 7643 §4.2): a group whose members carry none gives this check nothing to judge.
  const typed = membersOf(ctx, g, res).filter((m) => m.type !== undefined && m.type !== null);
  if (typed.length === 0) ctx.skip(`no member of group ${g.id} carries a type (optional, RFC 7643 §4.2): nothing to judge`, 'inconclusive');
  for (const m of typed) {
    verify.that(res, m.type === 'User' || m.type === 'Group', `member ${m.value}: type is User or Group (RFC 7643 §4.2)`, 'User | Group', m.type);
    if (m.value === g.memberId) verify.equal(res, m.type, 'User', `member ${m.value} (a user) has type User`);
    if (typeof m.$ref === 'string') {
      const kind = /\/(users|groups)\/[^/]+$/i.exec(new URL(m.$ref, ctx.scim.url(groupPath(g.id))).pathname)?.[1]?.toLowerCase();
      if (kind) verify.equal(res, m.type, kind === 'users' ? 'User' : 'Group', `member ${m.value}: type agrees with $ref ${m.$ref}`);
    }
  }
});

// ------------------------------------------------------------------ both prefixes

/** The other documented prefix: /api/v2/scim ⇄ /api/v2/scim/v2. */
function counterpart(prefix: string): string {
  return prefix.endsWith('/v2') ? prefix.slice(0, -'/v2'.length) : `${prefix}/v2`;
}

/** The body with URIs under either prefix written relative to a common base, so the two answers compare. */
function normalise(body: Rep, prefixes: readonly string[]): unknown {
  const escaped = [...prefixes].sort((a, b) => b.length - a.length).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`^(https?://[^/]+)?(${escaped.join('|')})(?=/)`, 'i');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, '{base}');
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(body);
}

behaviour('GRP-BOTH-PREFIXES', 'serves the group identically under /api/v2/scim and /api/v2/scim/v2', async (ctx) => {
  const { verify, prefix, target } = ctx;
  const other = counterpart(prefix);
  if (!DOCUMENTED_PREFIXES.includes(prefix) || !target.prefixes.includes(other)) {
    ctx.skip(`needs both documented prefixes: set SCIM_PREFIXES=${DOCUMENTED_PREFIXES.join(',')} (this run checks ${target.prefixes.join(', ')})`, 'configuration');
  }
  const g = await readableGroup(ctx);
  await twice(async (final) => {
    const here = final ? await readAfresh(ctx, g, { check: `GET ${prefix}/groups/{id}` }) : await read(ctx, g, `GET ${prefix}/groups/{id}`);
    const there = await readAfresh(ctx, g, { scim: clientAt(ctx.scim, other), check: `GET ${other}/groups/{id}` });
    const a = normalise(here.body, [prefix, other]);
    const b = normalise(there.body, [prefix, other]);
    const same = JSON.stringify(a) === JSON.stringify(b) && here.headers.etag === there.headers.etag;
    if (!final && !same) return false;
    verify.equal(there, b, a, `the group under ${other} equals the group under ${prefix} (URIs compared relative to the prefix)`);
    verify.equal(there, there.headers.etag, here.headers.etag, `the ETag under ${other} equals the ETag under ${prefix}`);
    return true;
  });
});
