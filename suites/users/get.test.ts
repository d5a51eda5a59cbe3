/**
 * Users: GET users/{id} (seed 000 getScimUser / getScimV2User, seed 002 get_scim_user / get_scim_v2_user,
 * RFC 7644 §3.4.1), unknown ids, and the two documented path prefixes serving the same user. The user read is the
 * run's read population's subject S (harness/checks/user-population.ts: the 'full' template), read once per prefix
 * for every check that judges it.
 */
import { randomUUID } from 'node:crypto';
import { behaviour, readPopulationSubject, userPopulation, type BehaviourContext, type HttpResult } from '../../harness/index.ts';

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** The documented prefixes (reference §2): the same operations under both. */
const GENESYS_PREFIXES = ['/api/v2/scim', '/api/v2/scim/v2'];

/** GET /users/{S}, shared by the checks of this prefix, with S's POST answer (what the run created). */
async function getSubject(ctx: BehaviourContext): Promise<{ created: HttpResult; res: HttpResult }> {
  const pop = await userPopulation(ctx);
  return { created: pop.subject.created, res: await readPopulationSubject(ctx, pop) };
}

behaviour('USR-GET', 'returns a user by id', async (ctx) => {
  const { verify } = ctx;
  const { created, res } = await getSubject(ctx);
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.id, created.body.id, 'id of the user requested');
  verify.equal(res, res.body.userName, created.body.userName, 'userName of the user requested');
});

behaviour('USR-GET-SCHEMAS-URN', 'names the core User schema URN in schemas', async (ctx) => {
  const { verify } = ctx;
  const { res } = await getSubject(ctx);
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

  const pop = await userPopulation(ctx);
  const id = pop.subject.id;
  const a = await readPopulationSubject(ctx, pop);
  verify.status(a, 200, `HTTP status under ${here}`);
  verify.schema(a, 'ScimV2User');
  const b = await readPopulationSubject(ctx, pop, {}, otherPrefix);
  verify.status(b, 200, `HTTP status under ${otherPrefix} of a user the run created`);
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
