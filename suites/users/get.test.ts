/**
 * Users: GET users/{id} (seed 000 getScimUser / getScimV2User, seed 002 get_scim_user / get_scim_v2_user,
 * RFC 7644 §3.4.1), unknown ids, and the two documented path prefixes serving the same user.
 */
import { randomUUID } from 'node:crypto';
import { behaviour, type BehaviourContext, type HttpResult, needWrites } from '../../harness/index.ts';

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** The documented prefixes (reference §2): the same operations under both. */
const GENESYS_PREFIXES = ['/api/v2/scim', '/api/v2/scim/v2'];

/** Creates the user the check reads (the 'full' template). */
async function createSubject(ctx: BehaviourContext, label: string): Promise<HttpResult> {
  needWrites(ctx, 'the user it reads');
  const created = await ctx.create('users', ctx.build.user(label, 'full'));
  ctx.verify.status(created, [200, 201], 'setup: POST /users creates the user this check reads');
  ctx.verify.schema(created, 'ScimV2User');
  return created;
}

behaviour('USR-GET', 'returns a user by id', async (ctx) => {
  const { scim, verify } = ctx;
  const created = await createSubject(ctx, 'get');
  const res = await scim.get(`/users/${created.body.id}`);
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.id, created.body.id, 'id of the user requested');
  verify.equal(res, res.body.userName, created.body.userName, 'userName of the user requested');
});

behaviour('USR-GET-SCHEMAS-URN', 'names the core User schema URN in schemas', async (ctx) => {
  const { scim, verify } = ctx;
  const created = await createSubject(ctx, 'get-schemas');
  const res = await scim.get(`/users/${created.body.id}`);
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  const schemas: unknown = res.body.schemas;
  verify.that(res, Array.isArray(schemas) && schemas.includes(USER_URN), 'schemas holds the core User URN (RFC 7643 §3)', USER_URN, schemas);
});

behaviour('USR-GET-UNKNOWN-404', 'answers an unknown user id with 404 and a SCIM error', async ({ scim, verify }) => {
  const res = await scim.get(`/users/${randomUUID()}`);
  verify.scimError(res, 404);
});

/** The representation without its URIs (meta.location, $ref), which may echo the request's prefix. */
function withoutUris(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutUris);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== '$ref' && k !== 'location') out[k] = withoutUris(x);
    return out;
  }
  return v;
}

behaviour('USR-BOTH-PREFIXES', 'serves the same user under /api/v2/scim/users and /api/v2/scim/v2/users', async (ctx) => {
  const { scim, verify } = ctx;
  const here = GENESYS_PREFIXES.find((p) => p === scim.prefix);
  if (!here) ctx.skip(`the prefix ${scim.prefix} is not one of the documented Genesys prefixes (${GENESYS_PREFIXES.join(', ')})`, 'configuration');
  const otherPrefix = GENESYS_PREFIXES.find((p) => p !== here)!;
  // Workaround: the context offers a client for the test's own prefix only; this one shares its connection and
  // identity and differs only in the prefix.
  const other = Object.create(scim, { prefix: { value: otherPrefix } }) as typeof scim;

  const created = await createSubject(ctx, 'both-prefixes');
  const id: string = created.body.id;
  const a = await scim.get(`/users/${id}`);
  verify.status(a, 200, `HTTP status under ${here}`);
  verify.schema(a, 'ScimV2User');
  const b = await other.get(`/users/${id}`);
  verify.status(b, 200, `HTTP status under ${otherPrefix} for a user created under ${here}`);
  verify.schema(b, 'ScimV2User');
  verify.equal(b, withoutUris(b.body), withoutUris(a.body), `the user under ${otherPrefix} equals the user under ${here} (URIs aside)`);
  for (const res of [a, b]) {
    const location: unknown = res.body.meta?.location;
    verify.that(
      res,
      typeof location === 'string' && new RegExp(`/users/${id}$`, 'i').test(location),
      'meta.location points at the same user',
      `…/users/${id}`,
      location,
    );
  }
  verify.equal(b, b.headers.etag, a.headers.etag, `ETag under ${otherPrefix} equals the ETag under ${here}`);
});
