/**
 * The optional features of RFC 7644, each checked only where the server's ServiceProviderConfig declares it
 * (catalogue `requires: spc:<feature>`): ETags (§3.14), PATCH (§3.5.2), changePassword, Bulk (§3.7); and /Me
 * (§3.11), Groups with members (RFC 7643 §4.2) where ResourceTypes declare /Groups.
 */
import {
  behaviour,
  BULK_REQUEST_URN,
  ciGet,
  CORE_GROUP_URN,
  createUser,
  discovery,
  idOfLocation as idOf,
  PATCH_OP_URN,
  requireAttributes,
  trackBulkCreations,
  requireEndpoint,
  userBody,
  userSchema,
  type BehaviourContext,
  type HttpResult,
} from '../../harness/index.ts';

const userPath = (res: HttpResult) => `/Users/${encodeURIComponent(res.body.id)}`;

behaviour('RFC-ME-501-OR-200', 'answers GET /Me with the authenticated subject or 501', async ({ scim, verify }) => {
  const res = await scim.get('/Me');
  verify.status(res, [200, 501], 'GET /Me: 200 with the subject, or 501 Not Implemented');
  if (res.status === 200) {
    verify.that(res, typeof res.body?.id === 'string' && Array.isArray(res.body?.schemas), 'the body is a SCIM resource', 'a resource with id and schemas', res.body ?? res.text);
  }
});

behaviour('RFC-ETAG-HEADER', 'sends an ETag with a user, equal to meta.version when that is present', async (ctx) => {
  const created = await createUser(ctx, 'etag');
  const res = await ctx.scim.get(userPath(created));
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'Rfc7643User');
  const etag = ctx.verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  if (res.body.meta?.version !== undefined) ctx.verify.equal(res, res.body.meta.version, etag, 'meta.version equals the ETag header');
});

behaviour('RFC-ETAG-IF-NONE-MATCH-304', 'answers a GET with the current ETag in If-None-Match with 304', async (ctx) => {
  const created = await createUser(ctx, 'etag-304');
  const first = await ctx.scim.get(userPath(created));
  ctx.verify.status(first, 200);
  const etag = ctx.verify.header(first, 'etag');
  const again = await ctx.scim.get(userPath(created), { headers: { 'if-none-match': etag } });
  ctx.verify.status(again, 304);
  ctx.verify.noBody(again);
});

behaviour('RFC-ETAG-IF-MATCH-412', 'refuses a PUT with a stale If-Match with 412 and keeps the user as it was', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['displayName']);
  const created = await createUser(ctx, 'etag-412');
  const first = await ctx.scim.get(userPath(created));
  ctx.verify.status(first, 200);
  const stale = ctx.verify.header(first, 'etag');
  const base = { ...(await userBody(ctx, 'etag-412')), userName: created.body.userName };
  const changed = await ctx.scim.put(userPath(created), { ...base, displayName: 'First Change' });
  ctx.verify.status(changed, 200, 'a PUT without If-Match changes the user (and its version)');
  const refused = await ctx.scim.put(userPath(created), { ...base, displayName: 'Second Change' }, { headers: { 'if-match': stale } });
  ctx.verify.status(refused, 412, 'PUT with the ETag from before the change in If-Match');
  const read = await ctx.scim.get(userPath(created));
  ctx.verify.status(read, 200);
  ctx.verify.equal(read, ciGet(read.body, 'displayName'), 'First Change', 'the refused PUT changed nothing');
});

async function patch(ctx: BehaviourContext, created: HttpResult, operations: unknown[]): Promise<HttpResult> {
  const res = await ctx.scim.patch(userPath(created), { schemas: [PATCH_OP_URN], Operations: operations });
  ctx.verify.status(res, [200, 204], 'PATCH answers 200 with the resource or 204 (RFC 7644 §3.5.2)');
  if (res.status === 200) ctx.verify.schema(res, 'Rfc7643User');
  const read = await ctx.scim.get(userPath(created));
  ctx.verify.status(read, 200);
  ctx.verify.schema(read, 'Rfc7643User');
  return read;
}

behaviour('RFC-PATCH-REPLACE', 'replaces displayName with PATCH and keeps the new value', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['displayName']);
  const created = await createUser(ctx, 'patch-replace');
  const read = await patch(ctx, created, [{ op: 'replace', path: 'displayName', value: 'Patched Name' }]);
  ctx.verify.equal(read, ciGet(read.body, 'displayName'), 'Patched Name', 'displayName after the replace');
});

behaviour('RFC-PATCH-ADD', 'adds a missing title and another email with PATCH add', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['title', 'emails.value']);
  const created = await createUser(ctx, 'patch-add', { title: undefined });
  const extra = `added.${created.body.id}@example.org`.toLowerCase();
  const read = await patch(ctx, created, [
    { op: 'add', path: 'title', value: 'Added Title' },
    { op: 'add', path: 'emails', value: [{ value: extra, type: 'work' }] },
  ]);
  ctx.verify.equal(read, ciGet(read.body, 'title'), 'Added Title', 'title after the add');
  const emails = (ciGet(read.body, 'emails') as any[] | undefined)?.map((e) => String(ciGet(e, 'value')).toLowerCase()) ?? [];
  const before = (ciGet(created.body, 'emails') as any[] | undefined)?.map((e) => String(ciGet(e, 'value')).toLowerCase()) ?? [];
  ctx.verify.equal(read, [...emails].sort(), [...before, extra].sort(), 'emails after the add: the old ones and the new one');
});

behaviour('RFC-PATCH-REMOVE', 'removes title with PATCH remove', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['title']);
  const created = await createUser(ctx, 'patch-remove', { title: 'To Remove' });
  ctx.verify.equal(created, ciGet(created.body, 'title'), 'To Remove', 'the user starts with a title');
  const read = await patch(ctx, created, [{ op: 'remove', path: 'title' }]);
  ctx.verify.equal(read, ciGet(read.body, 'title') ?? null, null, 'title after the remove');
});

/**
 * A PATCH the server must refuse (RFC 7644 §3.5.2), sent after a valid replace of displayName in the same request:
 * 400 with a SCIM error (scimType one of `scimTypes` when given), and the user read back exactly as before (the
 * request is atomic: not even its valid operation is applied).
 */
async function refusedPatch(ctx: BehaviourContext, label: string, invalid: Record<string, unknown>, scimTypes: string[]): Promise<void> {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['displayName']);
  const created = await createUser(ctx, label);
  const before = await ctx.scim.get(userPath(created));
  ctx.verify.status(before, 200, 'GET of the user before the PATCH');
  const res = await ctx.scim.patch(userPath(created), {
    schemas: [PATCH_OP_URN],
    Operations: [{ op: 'replace', path: 'displayName', value: 'Applied Before The Refusal' }, invalid],
  });
  const after = await ctx.scim.get(userPath(created));
  ctx.verify.rfcError(res, 400, scimTypes, { scimTypeOptional: true });
  ctx.verify.status(after, 200, 'GET of the user after the refused PATCH (by its id: the id is unchanged)');
  const { meta: _before, ...was } = before.body;
  const { meta: _after, ...is } = after.body;
  ctx.verify.equal(after, is, was, 'the user is unchanged: a PATCH request "SHALL be treated as atomic" (RFC 7644 §3.5.2), its valid replace of displayName included');
}

behaviour('RFC-PATCH-UNKNOWN-OP', 'refuses a PATCH with an unknown op with 400 and applies none of it', (ctx) =>
  refusedPatch(ctx, 'patch-unknown-op', { op: 'frobnicate', path: 'displayName', value: 'Never Applied' }, ['invalidSyntax', 'invalidValue']),
);

behaviour('RFC-PATCH-INVALID-PATH', 'refuses a PATCH whose path is malformed with 400 invalidPath and applies none of it', (ctx) =>
  // A value path whose "]" is missing is outside the PATH rule (Figure 7) however leniently it is read; Table 9 gives
  // invalidPath, and invalidFilter applies to a PATCH path filter too.
  refusedPatch(ctx, 'patch-invalid-path', { op: 'replace', path: 'emails[type eq "work"', value: 'Never Applied' }, ['invalidPath', 'invalidFilter', 'invalidSyntax']),
);

behaviour('RFC-PATCH-READONLY', 'refuses a PATCH replacing the readOnly id with 400 mutability and applies none of it', (ctx) =>
  refusedPatch(ctx, 'patch-readonly', { op: 'replace', path: 'id', value: 'scimct-forged-id-0000' }, ['mutability']),
);

behaviour('RFC-CHANGE-PASSWORD', 'changes the password with PATCH and never returns it', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['password']);
  const created = await createUser(ctx, 'password');
  const password = ctx.target.userPassword ?? `Sc1m-${Math.random().toString(36).slice(2, 10)}-Pw!`;
  const res = await ctx.scim.patch(userPath(created), { schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', path: 'password', value: password }] });
  ctx.verify.status(res, [200, 204], 'PATCH replace password');
  if (res.status === 200) ctx.verify.equal(res, ciGet(res.body, 'password'), undefined, 'the response does not carry the password');
});

behaviour('RFC-GROUP-CREATE-MEMBERS', 'creates a group with a member and lists the member by its id', async (ctx) => {
  await requireEndpoint(ctx, '/Groups');
  const user = await createUser(ctx, 'member');
  const res = await ctx.post('groups', { schemas: [CORE_GROUP_URN], displayName: ctx.names.displayName('group'), members: [{ value: user.body.id }] });
  ctx.verify.status(res, 201);
  ctx.verify.schema(res, 'Rfc7643Group');
  const read = await ctx.scim.get(`/Groups/${encodeURIComponent(res.body.id)}`);
  ctx.verify.status(read, 200);
  ctx.verify.schema(read, 'Rfc7643Group');
  const values = (read.body.members ?? []).map((m: any) => m.value);
  ctx.verify.equal(read, values, [user.body.id], 'members lists the user by id');
});

async function bulk(ctx: BehaviourContext, operations: Record<string, any>[]): Promise<{ res: HttpResult; ops: Record<string, any>[] }> {
  const res = await ctx.scim.post('/Bulk', { schemas: [BULK_REQUEST_URN], Operations: operations });
  // Everything the request created is the run's: registered for removal before anything is judged.
  await trackBulkCreations(ctx, operations, res);
  ctx.verify.status(res, 200, 'POST /Bulk answers 200 with a BulkResponse');
  ctx.verify.schema(res, 'Rfc7644BulkResponse');
  return { res, ops: res.body.Operations };
}

behaviour('RFC-BULK-POST', 'runs each bulk operation and reports its status and location', async (ctx) => {
  const a = await userBody(ctx, 'bulk-a');
  const b = await userBody(ctx, 'bulk-b');
  const { res, ops } = await bulk(ctx, [
    { method: 'POST', path: '/Users', bulkId: 'a', data: a },
    { method: 'POST', path: '/Users', bulkId: 'b', data: b },
  ]);
  ctx.verify.equal(res, ops.map((o) => [o.bulkId, String(o.status)]), [['a', '201'], ['b', '201']], 'each POST operation is reported with its bulkId and status 201');
  for (const [i, op] of ops.entries()) {
    ctx.verify.that(res, idOf(op.location) !== '', `operation ${i} carries the location of the created user`, 'a location', op.location ?? '(absent)');
    const read = await ctx.scim.get(`/Users/${encodeURIComponent(idOf(op.location))}`);
    ctx.verify.status(read, 200, `the user of operation ${i} exists`);
    ctx.verify.equal(read, String(read.body?.userName).toLowerCase(), String([a, b][i].userName).toLowerCase(), `operation ${i} created its user`);
  }
});

behaviour('RFC-BULK-BULKID', 'replaces a bulkId reference with the id the earlier operation created', async (ctx) => {
  await requireEndpoint(ctx, '/Groups');
  const user = await userBody(ctx, 'bulk-ref');
  const { res, ops } = await bulk(ctx, [
    { method: 'POST', path: '/Users', bulkId: 'member', data: user },
    { method: 'POST', path: '/Groups', bulkId: 'group', data: { schemas: [CORE_GROUP_URN], displayName: ctx.names.displayName('bulk-group'), members: [{ value: 'bulkId:member' }] } },
  ]);
  ctx.verify.equal(res, ops.map((o) => String(o.status)), ['201', '201'], 'both operations succeed');
  const read = await ctx.scim.get(`/Groups/${encodeURIComponent(idOf(ops[1].location))}`);
  ctx.verify.status(read, 200);
  ctx.verify.schema(read, 'Rfc7643Group');
  ctx.verify.equal(read, (read.body.members ?? []).map((m: any) => m.value), [idOf(ops[0].location)], 'the member is the created user\'s id, not "bulkId:member"');
});

behaviour('RFC-BULK-MAX-OPERATIONS-413', 'refuses a bulk request over maxOperations with 413', async (ctx) => {
  const d = await discovery(ctx);
  const max = ciGet(ciGet(d.spc.body, 'bulk'), 'maxOperations');
  ctx.verify.that(d.spc, typeof max === 'number' && max >= 0, 'the ServiceProviderConfig gives bulk.maxOperations (RFC 7643 §5: REQUIRED)', 'an integer', max ?? '(absent)');
  if ((max as number) > 100) ctx.skip(`bulk.maxOperations is ${String(max)}: a request over it would cost more than this suite sends at once`, 'inconclusive');
  // DELETEs of ids that do not exist: nothing is created or lost if the server wrongly runs them.
  const operations = Array.from({ length: (max as number) + 1 }, (_, i) => ({ method: 'DELETE', path: `/Users/scimct-no-such-user-${i}` }));
  const res = await ctx.scim.post('/Bulk', { schemas: [BULK_REQUEST_URN], Operations: operations });
  ctx.verify.rfcError(res, 413);
});

