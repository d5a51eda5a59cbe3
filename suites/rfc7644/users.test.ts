/**
 * Users as RFC 7644 §3.3-§3.6 and RFC 7643 §7 describe them, for any SCIM 2.0 server: create, read, replace,
 * delete, uniqueness, mutability and "returned" taken from the server's own /Schemas, attributes projections and
 * case-insensitive attribute names. Every user is created by the check (run-prefixed userName) and deleted after.
 */
import { behaviour, ciGet, createUser, findAttribute, requireAttributes, resources, userBody, userSchema, type SchemaAttribute } from '../../harness/index.ts';

behaviour('RFC-USER-CREATE', 'creates a user with 201, its representation, an id and meta.location', async (ctx) => {
  const body = await userBody(ctx, 'create');
  const res = await ctx.post('users', body);
  ctx.verify.status(res, 201);
  ctx.verify.contentType(res);
  ctx.verify.schema(res, 'Rfc7643User');
  ctx.verify.equal(res, String(res.body.userName).toLowerCase(), String(body.userName).toLowerCase(), 'the representation carries the userName sent');
  ctx.verify.that(res, typeof res.body.meta?.location === 'string' && res.body.meta.location.length > 0, 'meta.location is set', 'a URI', res.body.meta?.location ?? '(absent)');
});

behaviour('RFC-USER-CREATE-LOCATION', 'sends a Location header equal to meta.location with the 201', async (ctx) => {
  const res = await createUser(ctx, 'create-location');
  const location = ctx.verify.header(res, 'location');
  ctx.verify.equal(res, location, res.body.meta?.location, 'the Location header equals meta.location');
});

behaviour('RFC-USER-GET', 'returns the created user by id', async (ctx) => {
  const created = await createUser(ctx, 'get');
  const res = await ctx.scim.get(`/Users/${encodeURIComponent(created.body.id)}`);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'Rfc7643User');
  ctx.verify.equal(res, res.body.id, created.body.id, 'the same id');
  ctx.verify.equal(res, res.body.userName, created.body.userName, 'the same userName');
});

behaviour('RFC-USER-UNIQUENESS-409', 'refuses a second user with the same userName with 409 uniqueness', async (ctx) => {
  const { schema } = await userSchema(ctx);
  const userName = findAttribute(schema, 'userName');
  if (userName?.uniqueness === 'none') ctx.skip("the server's Schemas declare userName uniqueness none: nothing to check", 'capability');
  const first = await createUser(ctx, 'unique');
  const again = await ctx.post('users', await userBody(ctx, 'unique-2', { userName: first.body.userName }));
  ctx.verify.rfcError(again, 409, 'uniqueness');
});

behaviour('RFC-USER-UNIQUENESS-CASE', 'refuses a second user whose userName differs only in case with 409 uniqueness', async (ctx) => {
  const { schema } = await userSchema(ctx);
  const userName = findAttribute(schema, 'userName');
  if (userName?.uniqueness === 'none') ctx.skip("the server's Schemas declare userName uniqueness none: nothing to check", 'capability');
  // RFC 7643 §2.2: caseExact false makes values that differ only in case the same value; caseExact true does not.
  if (userName?.caseExact === true) ctx.skip("the server's Schemas declare userName caseExact true: userNames that differ in case are different values", 'capability');
  const first = await createUser(ctx, 'unique-case');
  const original = String(first.body.userName);
  // The run prefix stays as it is (every name the run creates starts with it); the rest changes case.
  const runPrefix = ctx.target.run.runPrefix;
  const variant = original.startsWith(runPrefix) ? runPrefix + original.slice(runPrefix.length).toUpperCase() : original.toUpperCase();
  ctx.verify.that(first, variant !== original, 'the userName has letters whose case can change', 'a different case', variant);
  const again = await ctx.post('users', await userBody(ctx, 'unique-case-2', { userName: variant }));
  ctx.verify.rfcError(again, 409, 'uniqueness');
});

behaviour('RFC-USER-REPLACE', 'replaces a user with PUT and returns the new values', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['displayName']);
  const created = await createUser(ctx, 'replace');
  const body = { ...(await userBody(ctx, 'replace')), userName: created.body.userName, displayName: 'Replaced Display Name' };
  const res = await ctx.scim.put(`/Users/${encodeURIComponent(created.body.id)}`, body);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'Rfc7643User');
  ctx.verify.equal(res, res.body.id, created.body.id, 'the same id');
  ctx.verify.equal(res, ciGet(res.body, 'displayName'), 'Replaced Display Name', 'displayName carries the new value');
  const read = await ctx.scim.get(`/Users/${encodeURIComponent(created.body.id)}`);
  ctx.verify.status(read, 200);
  ctx.verify.equal(read, ciGet(read.body, 'displayName'), 'Replaced Display Name', 'a later GET shows the new displayName');
});

behaviour('RFC-USER-REPLACE-UNIQUENESS', "refuses a PUT that gives a user another user's userName with 409 uniqueness, and changes neither", async (ctx) => {
  const a = await createUser(ctx, 'clash-a');
  const b = await createUser(ctx, 'clash-b');
  const path = (u: typeof a) => `/Users/${encodeURIComponent(u.body.id)}`;
  const res = await ctx.scim.put(path(b), { ...(await userBody(ctx, 'clash-b')), userName: a.body.userName });
  // What the server did counts whatever it answered: both users are read back first.
  const readB = await ctx.scim.get(path(b));
  const readA = await ctx.scim.get(path(a));
  ctx.verify.status(readB, 200, 'GET of the user the PUT targeted');
  ctx.verify.status(readA, 200, 'GET of the user whose userName the PUT took');
  const lower = (x: unknown) => String(x).toLowerCase();
  ctx.verify.equal(readB, lower(readB.body.userName), lower(b.body.userName), 'the user the PUT targeted keeps its userName (the refused PUT changed nothing)');
  ctx.verify.equal(readA, lower(readA.body.userName), lower(a.body.userName), 'the other user keeps its userName');
  // RFC 7643 §2.2 lets a server refuse a uniqueness clash with 400 too; Table 9 pairs uniqueness with 409.
  ctx.verify.rfcError(res, [409, 400], 'uniqueness', { scimTypeOptional: true });
});

behaviour('RFC-USER-DELETE', 'deletes a user with 204, after which it is 404', async (ctx) => {
  const created = await createUser(ctx, 'delete');
  const path = `/Users/${encodeURIComponent(created.body.id)}`;
  const del = await ctx.scim.delete(path);
  ctx.verify.status(del, 204);
  ctx.verify.noBody(del);
  const read = await ctx.scim.get(path);
  ctx.verify.status(read, 404, 'GET of the deleted user');
});

behaviour('RFC-USER-DELETE-AGAIN', 'answers a second DELETE of a deleted user with 404 and a SCIM Error body', async (ctx) => {
  const created = await createUser(ctx, 'delete-again');
  const path = `/Users/${encodeURIComponent(created.body.id)}`;
  const del = await ctx.scim.delete(path);
  ctx.verify.that(del, del.status >= 200 && del.status < 300, 'the first DELETE succeeds (its status is judged by RFC-USER-DELETE)', 'a 2xx answer', del.status);
  const again = await ctx.scim.delete(path);
  ctx.verify.rfcError(again, 404);
});

behaviour('RFC-MUTABILITY-READONLY', 'ignores a readOnly id sent on create and replace, or refuses it with 400 mutability', async (ctx) => {
  const forged = 'scimct-forged-id-0000';
  const res = await ctx.post('users', await userBody(ctx, 'readonly', { id: forged }));
  if (res.status === 400) {
    ctx.verify.rfcError(res, 400, 'mutability');
    return;
  }
  ctx.verify.status(res, 201, 'POST /Users with a readOnly id: 201 with the id ignored (or 400 mutability)');
  ctx.verify.schema(res, 'Rfc7643User');
  ctx.verify.that(res, res.body.id !== forged, 'the server issued its own id', `an id other than ${forged}`, res.body.id);
  const put = await ctx.scim.put(`/Users/${encodeURIComponent(res.body.id)}`, { ...(await userBody(ctx, 'readonly')), userName: res.body.userName, id: forged });
  if (put.status === 400) {
    ctx.verify.rfcError(put, 400, 'mutability');
    return;
  }
  ctx.verify.status(put, 200, 'PUT with a different readOnly id: 200 with the id ignored (or 400 mutability)');
  ctx.verify.schema(put, 'Rfc7643User');
  ctx.verify.equal(put, put.body.id, res.body.id, 'the id is unchanged');
});

function attributesWhere(schemaAttrs: SchemaAttribute[], pred: (a: SchemaAttribute) => boolean): string[] {
  return schemaAttrs.filter(pred).map((a) => a.name);
}

behaviour('RFC-RETURNED-NEVER', 'returns no attribute declared returned never, in create, get or list', async (ctx) => {
  const { schema } = await userSchema(ctx);
  const never = attributesWhere(schema.attributes, (a) => a.returned === 'never');
  if (never.length === 0) ctx.skip("the server's Schemas declare no User attribute returned never: nothing to check", 'capability');
  const sendPassword = never.some((n) => n.toLowerCase() === 'password') && findAttribute(schema, 'password')?.mutability !== 'readOnly';
  const password = ctx.target.userPassword ?? `Sc1m-${Math.random().toString(36).slice(2, 10)}-Ct!`;
  const created = await createUser(ctx, 'never', sendPassword ? { password } : {});
  const read = await ctx.scim.get(`/Users/${encodeURIComponent(created.body.id)}`);
  ctx.verify.status(read, 200);
  const listed = await ctx.scim.get('/Users', { query: { attributes: never.join(',') } });
  ctx.verify.status(listed, 200, 'GET /Users?attributes=<the attributes returned never>');
  const listedItems = resources(listed);
  const listedItem = listedItems.find((u) => u?.id === created.body.id) ?? listedItems[0];
  // The run just created a user: a list with none proves nothing about what a listed user carries.
  ctx.verify.that(listed, listedItem !== undefined, 'the users list shows a user to judge', 'one or more Resources', listedItems.length);
  for (const [what, res, item] of [
    ['the POST response', created, created.body],
    ['GET /Users/{id}', read, read.body],
    ['GET /Users?attributes=<them>', listed, listedItem],
  ] as const) {
    const leaked = never.filter((n) => ciGet(item, n) !== undefined);
    ctx.verify.equal(res, leaked, [], `${what} carries no attribute declared returned never (${never.join(', ')})`);
  }
});

behaviour('RFC-RETURNED-ALWAYS', 'returns id and the attributes declared returned always whatever attributes= asks for', async (ctx) => {
  const { schema } = await userSchema(ctx);
  const always = attributesWhere(schema.attributes, (a) => a.returned === 'always').filter((n) => n.toLowerCase() !== 'password');
  const created = await createUser(ctx, 'always');
  const other = findAttribute(schema, 'displayName') ? 'displayName' : 'externalId';
  const res = await ctx.scim.get(`/Users/${encodeURIComponent(created.body.id)}`, { query: { attributes: other } });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'Rfc7643User');
  const expected = ['id', ...always.filter((n) => ciGet(created.body, n) !== undefined)];
  const missing = [...new Set(expected)].filter((n) => ciGet(res.body, n) === undefined);
  ctx.verify.equal(res, missing, [], `id and the returned-always attributes (${always.join(', ') || 'none declared'}) are returned with attributes=${other}`);
});

behaviour('RFC-ATTRIBUTES-PARAM', 'returns only displayName and the always-returned attributes with attributes=displayName', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['displayName']);
  const created = await createUser(ctx, 'attributes');
  const res = await ctx.scim.get(`/Users/${encodeURIComponent(created.body.id)}`, { query: { attributes: 'displayName' } });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'Rfc7643User');
  ctx.verify.that(res, ciGet(res.body, 'displayName') !== undefined, 'displayName is returned', 'displayName', res.body);
  // Attributes returned by default but not always must be left out: those the user has.
  const byDefault = schema.attributes
    .filter((a) => a.returned !== 'always' && a.name.toLowerCase() !== 'displayname' && a.name.toLowerCase() !== 'id')
    .map((a) => a.name)
    .filter((n) => ciGet(created.body, n) !== undefined);
  const leaked = byDefault.filter((n) => ciGet(res.body, n) !== undefined);
  ctx.verify.equal(res, leaked, [], 'no attribute beyond displayName and the returned-always ones');
});

behaviour('RFC-EXCLUDED-ATTRIBUTES', 'omits displayName and emails with excludedAttributes and keeps the rest', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['displayName', 'emails']);
  const created = await createUser(ctx, 'excluded');
  const excludable = ['displayName', 'emails'].filter((n) => findAttribute(schema, n)?.returned !== 'always');
  // Leaving out what the user does not hold proves nothing.
  const held = excludable.filter((n) => ciGet(created.body, n) !== undefined);
  if (held.length === 0) ctx.skip(`the created user shows none of ${excludable.join(', ') || 'displayName, emails (both returned always)'}: nothing to exclude`, 'inconclusive');
  const res = await ctx.scim.get(`/Users/${encodeURIComponent(created.body.id)}`, { query: { excludedAttributes: 'displayName,emails' } });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'Rfc7643User');
  const leaked = held.filter((n) => ciGet(res.body, n) !== undefined);
  ctx.verify.equal(res, leaked, [], 'displayName and emails are left out');
  ctx.verify.equal(res, res.body.userName, created.body.userName, 'userName is still returned');
});

behaviour('RFC-ATTRIBUTE-NAMES-CASE-INSENSITIVE', 'selects userName and displayName with attributes=USERNAME,DISPLAYNAME', async (ctx) => {
  const { schema } = await userSchema(ctx);
  requireAttributes(ctx, schema, ['displayName']);
  const created = await createUser(ctx, 'names-case');
  const res = await ctx.scim.get(`/Users/${encodeURIComponent(created.body.id)}`, { query: { attributes: 'USERNAME,DISPLAYNAME' } });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'Rfc7643User');
  ctx.verify.equal(res, ciGet(res.body, 'displayName'), ciGet(created.body, 'displayName'), 'displayName is returned for DISPLAYNAME');
  ctx.verify.equal(res, ciGet(res.body, 'userName'), created.body.userName, 'userName is returned for USERNAME');
});
