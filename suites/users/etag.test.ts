/**
 * Users: ETag and If-None-Match on GET users/{id} (seed 000 getScimUser / getScimV2User ifNoneMatch, seed 002
 * get_scim_user if_none_match: "The ETag of a resource in double quotes. Returned as header and meta.version …
 * Example: "42". If the ETag is current, returns 304 Not Modified"; RFC 7644 §3.14, RFC 7232).
 */
import { behaviour, type BehaviourContext, type HttpResult, needWrites } from '../../harness/index.ts';

/** Creates the user the check reads (the 'full' template) and returns its id. */
async function createSubject(ctx: BehaviourContext, label: string): Promise<string> {
  needWrites(ctx, 'the user it reads');
  const created = await ctx.create('users', ctx.build.user(label, 'full'));
  ctx.verify.status(created, [200, 201], 'setup: POST /users creates the user this check reads');
  ctx.verify.schema(created, 'ScimV2User');
  return created.body.id;
}

async function getUser(ctx: BehaviourContext, id: string, headers?: Record<string, string>): Promise<HttpResult> {
  const res = await ctx.scim.get(`/users/${id}`, { headers });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  return res;
}

behaviour('USR-ETAG-HEADER', 'sends an ETag header equal to meta.version', async (ctx) => {
  const res = await getUser(ctx, await createSubject(ctx, 'etag-header'));
  const etag = ctx.verify.header(res, 'etag');
  ctx.verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header (seed 000: "Returned as header and meta.version")');
});

behaviour('USR-ETAG-QUOTED', 'sends a quoted entity-tag', async (ctx) => {
  const res = await getUser(ctx, await createSubject(ctx, 'etag-quoted'));
  ctx.verify.header(res, 'etag', /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/);
});

behaviour('USR-ETAG-STRONG', 'sends a strong entity-tag like the documented "42"', async (ctx) => {
  const res = await getUser(ctx, await createSubject(ctx, 'etag-strong'));
  ctx.verify.header(res, 'etag', /^"[\x21\x23-\x7e\x80-\xff]*"$/);
});

behaviour('USR-IF-NONE-MATCH-304', 'answers a current If-None-Match with 304 and no body', async (ctx) => {
  const first = await getUser(ctx, await createSubject(ctx, 'inm-current'));
  const etag = ctx.verify.header(first, 'etag');
  const again = await ctx.scim.get(`/users/${first.body.id}`, { headers: { 'if-none-match': etag } });
  ctx.verify.status(again, 304);
  ctx.verify.noBody(again);
});

behaviour('USR-IF-NONE-MATCH-STALE', 'answers a stale If-None-Match with 200 and the full user', async (ctx) => {
  const id = await createSubject(ctx, 'inm-stale');
  const stale = `"scimct-stale-${Date.now()}"`;
  const res = await getUser(ctx, id, { 'if-none-match': stale });
  ctx.verify.equal(res, res.body.id, id, 'id of the user requested');
  ctx.verify.that(res, typeof res.body.displayName === 'string', 'the full user is returned (displayName present)', 'displayName', res.body.displayName);
  ctx.verify.that(res, res.body.meta?.version !== stale, 'meta.version is the current version, not the stale one sent', `not ${stale}`, res.body.meta?.version);
});
