/**
 * attributes / excludedAttributes on groups (seed 000 getScimGroup / getScimV2Group / getScimGroups /
 * getScimV2Groups: "Returns these attributes and the id, active, and meta attributes", "Returns the default attributes
 * minus excludedAttributes. Always returns id, active, and meta", Values id, displayName, members, externalId, meta,
 * meta.version, meta.lastModified and their urn:ietf:params:scim:schemas:core:2.0:Group: forms; RFC 7644 §3.4.2.5,
 * §3.10; RFC 7643 §7). Documented for 2021 only.
 *
 * Every check compares the projected representation with the default one of the same group: on 2021 (writes
 * allowed) the posted group of this prefix (harness/checks/group-subject.ts: created early in the run with a member
 * user, changed by nothing), whose GETs are sent once per prefix and query and shared by the checks (ctx.read); else
 * the scratch group (SCIM_ORG_GROUP_ID), else a group of the list, read with a plain GET first.
 * Groups have no `active` attribute (reference §4.2); an `active` the doc's wording invites is tolerated here and
 * judged by GRP-NO-ACTIVE.
 */
import { behaviour, canCreateGroups, getReadable, readableGroup, type BehaviourContext, type HttpResult, type ReadableGroup } from '../../harness/index.ts';

const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** Returned whatever the projection: id and meta (returned "always"), schemas (RFC 7643 §3). */
const ALWAYS = ['id', 'meta', 'schemas'];
/** Named by the doc's "always returns id, active, and meta": tolerated here, judged by GRP-NO-ACTIVE. */
const DOC_ACTIVE = 'active';

type Rep = Record<string, any>;

interface GroupToRead {
  id: string;
  /** The default representation (validated). */
  rep: Rep;
  /** The group to read, when it is the posted group or the scratch group (their GETs go through getReadable). */
  readable?: ReadableGroup;
}

const hasValue = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
const keysOf = (rep: Rep) => Object.keys(rep).filter((k) => hasValue(rep[k])).sort();

/**
 * The group to read and its default representation. 2021 with writes: the posted group of this prefix (with a member);
 * otherwise the configured scratch group, else a group of the list (preferring one with members); all read-only.
 */
async function groupToRead(ctx: BehaviourContext, opts: { member?: boolean } = {}): Promise<GroupToRead> {
  const { target, verify } = ctx;
  let readable: ReadableGroup | undefined;
  let id: string | undefined;
  if (canCreateGroups(ctx) || target.org.groupId) {
    readable = await readableGroup(ctx);
    id = readable.id;
  } else {
    const page = await ctx.scim.get('/groups', { query: { count: 25 } });
    verify.status(page, 200, 'prerequisite: GET groups (a group to read): HTTP status');
    verify.schema(page, 'ScimGroupListResponse', page.body, 'prerequisite: GET groups: body is a valid ScimGroupListResponse');
    const groups: Rep[] = page.body.Resources ?? [];
    const pick = (opts.member ? groups.find((g) => hasValue(g.members)) : undefined) ?? groups[0];
    if (!pick) return ctx.skip('needs a group to read: the org lists none, writes are off and SCIM_ORG_GROUP_ID is not set', 'configuration');
    id = String(pick.id);
  }
  const res = await get(ctx, { id, readable }, {}, 'prerequisite: GET the group to read');
  if (opts.member && !hasValue(res.body.members)) {
    if (readable?.memberId) verify.fail('prerequisite: the group created with a member lists it', readable.memberId, res.body.members ?? '(absent)', res);
    ctx.skip(`group ${id} has no members: an omitted members attribute would prove nothing`, 'inconclusive');
  }
  return { id, rep: res.body, readable };
}

/** GET the group with a projection: 200 and a valid ScimV2Group. */
async function get(ctx: BehaviourContext, g: Pick<GroupToRead, 'id' | 'readable'>, query: Record<string, string>, check?: string): Promise<HttpResult> {
  const res = g.readable ? await getReadable(ctx, g.readable, query) : await ctx.scim.get(`/groups/${encodeURIComponent(g.id)}`, { query });
  const what = check ?? `GET the group with ${new URLSearchParams(query).toString().replace(/%3A/g, ':').replace(/%2C/g, ',')}`;
  ctx.verify.status(res, 200, `${what}: HTTP status`);
  ctx.verify.schema(res, 'ScimV2Group', res.body, `${what}: body is a valid ScimV2Group`);
  return res;
}

/** id equals and meta is present (returned "always"). */
function alwaysReturned(ctx: BehaviourContext, res: HttpResult, id: string, rep: Rep = res.body): void {
  ctx.verify.equal(res, rep.id, id, 'id is returned (returned "always")');
  ctx.verify.that(res, rep.meta !== null && typeof rep.meta === 'object', 'meta is returned (returned "always")', 'a meta object', rep.meta ?? '(absent)');
}

/** Keys of a projected representation beyond the always-returned ones and `allowed`. */
function extraKeys(rep: Rep, allowed: readonly string[]): string[] {
  return keysOf(rep).filter((k) => !ALWAYS.includes(k) && k !== DOC_ACTIVE && !allowed.includes(k));
}

/** Default attributes (beyond the always-returned ones) that a projection dropped, except `dropped`. */
function missingKeys(rep: Rep, def: Rep, dropped: readonly string[]): string[] {
  return keysOf(def).filter((k) => !ALWAYS.includes(k) && !dropped.includes(k) && !hasValue(rep[k]));
}

// ------------------------------------------------------------------ attributes

behaviour('GRP-ATTRIBUTES-SHORT-NAME', 'returns displayName, id and meta only for attributes=displayName', async (ctx) => {
  const { verify } = ctx;
  const g = await groupToRead(ctx, { member: true });
  const res = await get(ctx, g, { attributes: 'displayName' });
  alwaysReturned(ctx, res, g.id);
  verify.equal(res, res.body.displayName, g.rep.displayName, 'displayName is returned');
  verify.equal(res, extraKeys(res.body, ['displayName']), [], `no other attribute is returned (default representation has ${keysOf(g.rep).join(', ')})`);
});

behaviour('GRP-ATTRIBUTES-ALWAYS-RETURNED', 'still returns id and meta when attributes names neither', async (ctx) => {
  const g = await groupToRead(ctx);
  const res = g.readable ? await getReadable(ctx, g.readable, { attributes: 'displayName' }) : await ctx.scim.get(`/groups/${encodeURIComponent(g.id)}`, { query: { attributes: 'displayName' } });
  ctx.verify.status(res, 200);
  // Checked before the model: the model requires id and meta too, with a less specific message.
  alwaysReturned(ctx, res, g.id);
  ctx.verify.schema(res, 'ScimV2Group');
});

behaviour('GRP-ATTRIBUTES-URN-CORE', 'projects a URN-qualified core attribute name like its short name', async (ctx) => {
  const { verify } = ctx;
  const g = await groupToRead(ctx);
  const urn = await get(ctx, g, { attributes: `${GROUP_URN}:displayName` });
  alwaysReturned(ctx, urn, g.id);
  verify.equal(urn, urn.body.displayName, g.rep.displayName, 'displayName is returned');
  verify.equal(urn, extraKeys(urn.body, ['displayName']), [], `no other attribute is returned (default representation has ${keysOf(g.rep).join(', ')})`);
  const short = await get(ctx, g, { attributes: 'displayName' });
  verify.equal(urn, keysOf(urn.body), keysOf(short.body), 'the URN form returns the same attributes as attributes=displayName');
});

behaviour('GRP-ATTRIBUTES-META-SUB', 'accepts meta.version and meta.lastModified, short and URN-qualified, and returns meta', async (ctx) => {
  const { verify } = ctx;
  const g = await groupToRead(ctx);
  const forms: [string, string][] = [
    ['short', 'meta.version,meta.lastModified'],
    ['URN', `${GROUP_URN}:meta.version,${GROUP_URN}:meta.lastModified`],
  ];
  for (const [form, attributes] of forms) {
    const res = await get(ctx, g, { attributes });
    alwaysReturned(ctx, res, g.id);
    for (const sub of ['version', 'lastModified']) {
      if (hasValue(g.rep.meta?.[sub])) verify.that(res, hasValue(res.body.meta?.[sub]), `meta.${sub} is returned (${form} form)`, g.rep.meta[sub], res.body.meta?.[sub] ?? '(absent)');
    }
    verify.equal(res, extraKeys(res.body, []), [], `only id, meta and schemas are returned for attributes=${attributes}`);
  }
});

behaviour('GRP-ATTRIBUTES-ON-LIST', 'applies attributes and excludedAttributes to every group of a list', async (ctx) => {
  const { verify } = ctx;
  // Three lists shared by the checks of this prefix (ctx.read): groups another check changed in between are not compared.
  const query = { count: '25' };
  const plain = await ctx.read('/groups', { query });
  verify.status(plain, 200, 'GET groups: HTTP status');
  verify.schema(plain, 'ScimGroupListResponse');
  const defaults = new Map<string, Rep>((plain.body.Resources ?? []).map((g: Rep) => [g.id, g]));
  const withMembers = [...defaults.values()].some((g) => hasValue(g.members));
  const withOthers = [...defaults.values()].some((g) => extraKeys(g, ['displayName', 'members']).length > 0);
  if (!withMembers && !withOthers) ctx.skip('no listed group has members or externalId: a projection could not be told from the default', 'inconclusive');

  const picked = await ctx.read('/groups', { query: { ...query, attributes: 'displayName' } });
  verify.status(picked, 200, 'GET groups?attributes=displayName: HTTP status');
  verify.schema(picked, 'ScimGroupListResponse');
  verify.that(picked, (picked.body.Resources ?? []).length > 0, 'groups are listed with attributes=displayName', 'one or more Resources', 0);
  for (const g of (picked.body.Resources ?? []) as Rep[]) {
    alwaysReturned(ctx, picked, String(g.id), g);
    verify.equal(picked, extraKeys(g, ['displayName']), [], `group ${g.id}: only displayName, id and meta for attributes=displayName`);
  }

  const dropped = await ctx.read('/groups', { query: { ...query, excludedAttributes: 'members' } });
  verify.status(dropped, 200, 'GET groups?excludedAttributes=members: HTTP status');
  verify.schema(dropped, 'ScimGroupListResponse');
  verify.that(dropped, (dropped.body.Resources ?? []).length > 0, 'groups are listed with excludedAttributes=members', 'one or more Resources', 0);
  for (const g of (dropped.body.Resources ?? []) as Rep[]) {
    alwaysReturned(ctx, dropped, String(g.id), g);
    verify.that(dropped, !hasValue(g.members), `group ${g.id}: members is omitted for excludedAttributes=members`, '(absent)', g.members);
    const def = defaults.get(g.id);
    if (def && def.meta?.version === (g.meta as Rep | undefined)?.version) verify.equal(dropped, missingKeys(g, def, ['members']), [], `group ${g.id}: the other default attributes are kept`);
  }
});

// ------------------------------------------------------------------ excludedAttributes

behaviour('GRP-EXCLUDED-MEMBERS', 'omits members and keeps the other default attributes for excludedAttributes=members', async (ctx) => {
  const { verify } = ctx;
  const g = await groupToRead(ctx, { member: true });
  const res = await get(ctx, g, { excludedAttributes: 'members' });
  alwaysReturned(ctx, res, g.id);
  verify.that(res, !hasValue(res.body.members), 'members is omitted', '(absent)', res.body.members);
  verify.equal(res, missingKeys(res.body, g.rep, ['members']), [], 'the other default attributes are kept');
  verify.equal(res, res.body.displayName, g.rep.displayName, 'displayName is kept');
});

behaviour('GRP-EXCLUDED-URN-CORE', 'excludes a URN-qualified core attribute name like its short name', async (ctx) => {
  const { verify } = ctx;
  const g = await groupToRead(ctx);
  // externalId where the group has one (auto-created on POST, seed 000), else displayName.
  const name = hasValue(g.rep.externalId) ? 'externalId' : 'displayName';
  const urn = await get(ctx, g, { excludedAttributes: `${GROUP_URN}:${name}` });
  alwaysReturned(ctx, urn, g.id);
  verify.that(urn, !hasValue(urn.body[name]), `${name} is omitted for excludedAttributes=${GROUP_URN}:${name}`, '(absent)', urn.body[name]);
  verify.equal(urn, missingKeys(urn.body, g.rep, [name]), [], 'the other default attributes are kept');
  const short = await get(ctx, g, { excludedAttributes: name });
  verify.equal(urn, keysOf(urn.body), keysOf(short.body), `the URN form returns the same attributes as excludedAttributes=${name}`);
});

behaviour('GRP-EXCLUDED-ALWAYS-RETURNED', 'still returns id and meta when excludedAttributes names them', async (ctx) => {
  const g = await groupToRead(ctx);
  const res = g.readable ? await getReadable(ctx, g.readable, { excludedAttributes: 'id,meta' }) : await ctx.scim.get(`/groups/${encodeURIComponent(g.id)}`, { query: { excludedAttributes: 'id,meta' } });
  ctx.verify.status(res, 200);
  // Checked before the model: the model requires id and meta too, with a less specific message.
  alwaysReturned(ctx, res, g.id);
  ctx.verify.schema(res, 'ScimV2Group');
});

// ------------------------------------------------------------------ no active on groups

behaviour('GRP-NO-ACTIVE', 'carries no active attribute, by default or with attributes set', async (ctx) => {
  const { verify } = ctx;
  const g = await groupToRead(ctx);
  const plain = await get(ctx, g, {}, 'GET the group');
  verify.that(plain, !('active' in plain.body), 'no active attribute in the default representation (reference §4.2)', '(absent)', plain.body.active);
  // The doc's "Returns these attributes and the id, active, and meta attributes" invites an active here.
  const picked = await get(ctx, g, { attributes: 'displayName' });
  verify.that(picked, !('active' in picked.body), 'no active attribute with attributes=displayName (reference §4.2)', '(absent)', picked.body.active);
});
