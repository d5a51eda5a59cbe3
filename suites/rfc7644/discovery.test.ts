/**
 * Discovery (RFC 7644 §4, RFC 7643 §5-§7): ServiceProviderConfig, ResourceTypes and Schemas as any SCIM 2.0
 * server must serve them, and the SCIM Error of an unknown resource (RFC 7644 §3.12).
 */
import { behaviour, ciGet, discovery, ERROR_URN, needWrites, PATCH_OP_URN, requireEndpoint, resources, SPC_URN, type BehaviourContext, type HttpResult, type SchemaAttribute } from '../../harness/index.ts';

const FEATURES = ['patch', 'bulk', 'filter', 'changePassword', 'sort', 'etag'];

behaviour('RFC-SPC-GET', 'serves its ServiceProviderConfig with every REQUIRED feature', async ({ scim, verify }) => {
  const res = await scim.get('/ServiceProviderConfig');
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimServiceProviderConfig');
  verify.that(res, res.body.schemas.includes(SPC_URN), 'schemas holds the ServiceProviderConfig URN', SPC_URN, res.body.schemas);
  const missing = FEATURES.filter((f) => typeof ciGet(ciGet(res.body, f), 'supported') !== 'boolean');
  verify.equal(res, missing, [], 'every feature carries a boolean "supported" (RFC 7643 §5: REQUIRED)');
});

behaviour('RFC-RT-LIST', 'lists resource types that each name an endpoint and a schema', async ({ scim, verify }) => {
  const res = await scim.get('/ResourceTypes');
  verify.status(res, 200);
  verify.schema(res, 'ScimListResponse');
  const items = resources(res);
  verify.that(res, items.length > 0, 'at least one resource type is listed', 'one or more Resources', items.length);
  const bad = items
    .map((t, i) => ({ i, name: ciGet(t, 'name'), endpoint: ciGet(t, 'endpoint'), schema: ciGet(t, 'schema') }))
    .filter((t) => typeof t.name !== 'string' || typeof t.endpoint !== 'string' || typeof t.schema !== 'string');
  verify.equal(res, bad, [], 'every resource type has name, endpoint and schema strings (RFC 7643 §6: REQUIRED)');
});

behaviour('RFC-RT-SCHEMAS-SERVED', 'serves every schema its resource types name at /Schemas/{id}', async (ctx) => {
  const { scim, verify } = ctx;
  const d = await discovery(ctx);
  verify.status(d.resourceTypes, 200);
  verify.schema(d.resourceTypes, 'ScimListResponse');
  const urns = new Set<string>();
  for (const t of d.types) {
    if (typeof ciGet(t, 'schema') === 'string') urns.add(ciGet(t, 'schema') as string);
    const ext = ciGet(t, 'schemaExtensions');
    if (Array.isArray(ext)) for (const e of ext) if (typeof ciGet(e, 'schema') === 'string') urns.add(ciGet(e, 'schema') as string);
  }
  verify.that(d.resourceTypes, urns.size > 0, 'the resource types name schemas', 'one or more schema URNs', [...urns]);
  for (const urn of [...urns].slice(0, 6)) {
    const res = await scim.get(`/Schemas/${urn}`);
    verify.status(res, 200, `GET /Schemas/${urn}`);
    verify.schema(res, 'ScimV2SchemaDefinition');
    verify.equal(res, res.body.id, urn, `GET /Schemas/${urn} returns that schema`);
  }
});

const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex'];
const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
const RETURNED = ['always', 'never', 'default', 'request'];
const UNIQUENESS = ['none', 'server', 'global'];

behaviour('RFC-SCH-LIST', 'lists schema definitions whose attributes carry the RFC 7643 §7 characteristics', async ({ scim, verify }) => {
  const res = await scim.get('/Schemas');
  verify.status(res, 200);
  verify.schema(res, 'ScimListResponse');
  const items = resources(res);
  verify.that(res, items.length > 0, 'at least one schema is listed', 'one or more Resources', items.length);
  const problems: string[] = [];
  const check = (where: string, a: SchemaAttribute) => {
    if (typeof a.name !== 'string') problems.push(`${where}: no name`);
    if (!TYPES.includes(String(a.type))) problems.push(`${where}: type ${JSON.stringify(a.type)}`);
    if (typeof a.multiValued !== 'boolean') problems.push(`${where}: multiValued ${JSON.stringify(a.multiValued)}`);
    if (a.mutability !== undefined && !MUTABILITY.includes(a.mutability)) problems.push(`${where}: mutability ${JSON.stringify(a.mutability)}`);
    if (a.returned !== undefined && !RETURNED.includes(a.returned)) problems.push(`${where}: returned ${JSON.stringify(a.returned)}`);
    if (a.uniqueness !== undefined && !UNIQUENESS.includes(a.uniqueness)) problems.push(`${where}: uniqueness ${JSON.stringify(a.uniqueness)}`);
    for (const s of a.subAttributes ?? []) check(`${where}.${s.name}`, s);
  };
  for (const s of items) {
    if (typeof s.id !== 'string' || !Array.isArray(s.attributes)) {
      problems.push(`${String(s.id)}: no id or attributes`);
      continue;
    }
    for (const a of s.attributes as SchemaAttribute[]) check(`${s.id}:${a.name}`, a);
  }
  verify.equal(res, problems.slice(0, 20), [], 'every attribute has a name, an RFC 7643 §2.3 type, multiValued, and RFC 7643 §7 values for mutability, returned, uniqueness');
});

behaviour('RFC-DISCOVERY-FILTER-403', 'refuses a filter on /ServiceProviderConfig, /ResourceTypes and /Schemas with 403', async ({ scim, verify }) => {
  for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas']) {
    const res = await scim.get(path, { query: { filter: 'id pr' } });
    verify.status(res, 403, `GET ${path}?filter=id pr`);
  }
});

behaviour('RFC-ERROR-RESPONSE', 'answers an unknown user id with 404 and a SCIM Error body', async ({ scim, verify }) => {
  const res = await scim.get('/Users/scimct-no-such-user-0000');
  verify.status(res, 404);
  verify.schema(res, 'ScimError');
  verify.that(res, res.body.schemas.includes(ERROR_URN), 'schemas holds the Error message URN', ERROR_URN, res.body.schemas);
  verify.equal(res, res.body.status, '404', 'status is the HTTP status code as a string (RFC 7644 §3.12)');
});

const UNKNOWN_ID = 'scimct-no-such-resource-0000';

interface ErrorRow {
  name: string;
  /** What the request needs from the target before it is sent (skips with the reason otherwise). */
  needs?: (ctx: BehaviourContext) => Promise<void> | void;
  send: (ctx: BehaviourContext) => Promise<HttpResult>;
}

/**
 * Requests a server answers with an error, whatever else it supports: none can create or change anything (unknown ids,
 * a body that is not JSON). GET of an unknown user is RFC-ERROR-RESPONSE's.
 */
const ERROR_ROWS: ErrorRow[] = [
  { name: 'DELETE of an unknown user', needs: (ctx) => needWrites(ctx, 'nothing (a DELETE of an id that does not exist)'), send: (ctx) => ctx.scim.delete(`/Users/${UNKNOWN_ID}`) },
  {
    name: 'PATCH of an unknown user',
    needs: (ctx) => {
      needWrites(ctx, 'nothing (a PATCH of an id that does not exist)');
      if (ctx.target.capabilities.patch === false) ctx.skip("the server's ServiceProviderConfig says patch.supported is false", 'capability');
    },
    send: (ctx) => ctx.scim.patch(`/Users/${UNKNOWN_ID}`, { schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }),
  },
  { name: 'GET of an unknown group', needs: (ctx) => requireEndpoint(ctx, '/Groups'), send: (ctx) => ctx.scim.get(`/Groups/${UNKNOWN_ID}`) },
  { name: 'GET of an unknown schema', send: (ctx) => ctx.scim.get('/Schemas/urn:scimct:no-such-schema') },
  { name: 'GET of an unknown resource type', send: (ctx) => ctx.scim.get('/ResourceTypes/ScimctNoSuchType') },
  {
    name: 'POST /Users with a body that is not JSON',
    needs: (ctx) => needWrites(ctx, 'nothing (a POST whose body is not JSON)'),
    send: (ctx) => ctx.scim.request('POST', '/Users', { rawBody: '{"schemas": [', contentType: 'application/scim+json' }),
  },
];

behaviour.for('RFC-ERROR-BODY', 'answers an error with a SCIM Error body', ERROR_ROWS, async (row, ctx) => {
  await row.needs?.(ctx);
  const res = await row.send(ctx);
  // Whether it should have been an error is another behaviour's; this one judges the body of the errors.
  if (res.status < 400) ctx.skip(`${row.name} was answered ${res.status}, not an error: no error body to judge`, 'inconclusive');
  ctx.verify.rfcError(res, res.status);
});
