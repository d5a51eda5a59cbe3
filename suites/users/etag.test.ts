/**
 * Users: ETag and If-None-Match on GET users/{id} (seed 000 getScimUser / getScimV2User ifNoneMatch, seed 002
 * get_scim_user if_none_match: "The ETag of a resource in double quotes. Returned as header and meta.version …
 * Example: "42". If the ETag is current, returns 304 Not Modified"; RFC 7644 §3.14, RFC 7232).
 */
import { behaviour, type BehaviourContext, type HttpResult, needWrites, referenceUser } from '../../harness/index.ts';

/**
 * The run's reference user (full template, never changed by a check) read once per prefix: the ETag checks judge that
 * one answer (ctx.read), the conditional GETs are sent by the checks about them.
 */
async function readReference(ctx: BehaviourContext): Promise<HttpResult> {
  needWrites(ctx, 'the user it reads');
  const { id } = await referenceUser(ctx);
  const res = await ctx.read(`/users/${encodeURIComponent(id)}`);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  return res;
}

behaviour('USR-ETAG-HEADER', 'sends an ETag header equal to meta.version', async (ctx) => {
  const res = await readReference(ctx);
  const etag = ctx.verify.header(res, 'etag');
  ctx.verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header (seed 000: "Returned as header and meta.version")');
});

behaviour('USR-ETAG-QUOTED', 'sends a quoted entity-tag', async (ctx) => {
  ctx.verify.header(await readReference(ctx), 'etag', /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/);
});

behaviour('USR-ETAG-STRONG', 'sends a strong entity-tag like the documented "42"', async (ctx) => {
  ctx.verify.header(await readReference(ctx), 'etag', /^"[\x21\x23-\x7e\x80-\xff]*"$/);
});

behaviour('USR-IF-NONE-MATCH-304', 'answers a current If-None-Match with 304 and no body', async (ctx) => {
  const first = await readReference(ctx);
  const etag = ctx.verify.header(first, 'etag');
  const again = await ctx.scim.get(`/users/${first.body.id}`, { headers: { 'if-none-match': etag } });
  ctx.verify.status(again, 304);
  ctx.verify.noBody(again);
});

behaviour('USR-IF-NONE-MATCH-STALE', 'answers a stale If-None-Match with 200 and the full user', async (ctx) => {
  needWrites(ctx, 'the user it reads');
  const { id } = await referenceUser(ctx);
  const stale = `"scimct-stale-${Date.now()}"`;
  const res = await ctx.scim.get(`/users/${encodeURIComponent(id)}`, { headers: { 'if-none-match': stale } });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  ctx.verify.equal(res, res.body.id, id, 'id of the user requested');
  ctx.verify.that(res, typeof res.body.displayName === 'string', 'the full user is returned (displayName present)', 'displayName', res.body.displayName);
  ctx.verify.that(res, res.body.meta?.version !== stale, 'meta.version is the current version, not the stale one sent', `not ${stale}`, res.body.meta?.version);
});
