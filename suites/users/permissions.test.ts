import { behaviour, currentState, readSubject, referenceUser, replacementBody, trackIfCreated, setupFailed, writeSubject, writeTo, type BehaviourContext } from '../../harness/index.ts';
import operations from '../../fixtures/operations.json' with { type: 'json' };

type OperationKey = 'getScimUsers' | 'getScimUser' | 'postScimUsers' | 'putScimUser' | 'deleteScimUser';

interface OperationEntry {
  prefixes: Record<string, { permissions: string[] }>;
}

/** The permissions fixtures/operations.json documents for an operation on this prefix and API version (any one suffices). */
function documentedPermissions(ctx: BehaviourContext, key: OperationKey): string[] {
  const ops = (operations.versions as Record<string, { operations: Record<string, OperationEntry> }>)[ctx.target.apiVersion].operations;
  const op = ops[key];
  if (!op) throw new Error(`fixtures/operations.json has no ${key} for API version ${ctx.target.apiVersion}`);
  const entry = op.prefixes[ctx.prefix];
  return entry ? entry.permissions : [...new Set(Object.values(op.prefixes).flatMap((p) => p.permissions))];
}

/** Skips when the limited identity holds a permission that allows the operation, so a refusal is not expected. */
function requireLacking(ctx: BehaviourContext, key: OperationKey): void {
  const held = ctx.target.identities.limited?.permissions ?? [];
  const allowing = documentedPermissions(ctx, key).filter((p) => held.includes(p));
  if (allowing.length) ctx.skip(`the limited identity holds ${allowing.join(', ')}, which the doc lists for ${key}; a refusal is not expected`, 'configuration');
}

/**
 * The id of an existing user: the run's reference user where writes are allowed (no request once it exists), else the
 * first user the org lists (read with the main identity).
 */
async function someUserId(ctx: BehaviourContext): Promise<string> {
  const { scim, target, skip } = ctx;
  if (target.allowWrites) return (await referenceUser(ctx)).id;
  // 2019 needs a filter on the users list (seed 002: get_scim_users(filter, opts)).
  const query: Record<string, string> = target.apiVersion === '2019' ? { filter: 'active eq true', count: '1' } : { count: '1' };
  const list = await scim.get('/users', { query });
  // Set-up (another behaviour's answer): a list that fails blocks the check, it does not fail it.
  if (list.status !== 200) setupFailed(ctx, list, 'the users list (main identity) names a user to read', 'a 200 answer');
  const id = list.body.Resources?.[0]?.id;
  if (typeof id !== 'string') return skip('needs a user to read: the users list gave none and writes are not allowed (SCIM_ALLOW_WRITES)', 'configuration');
  return id;
}

// ---------------------------------------------------------------- reads

behaviour('USR-LIST-NO-PERMISSION', 'serves the users list to an identity without any permission', async ({ limited, verify }) => {
  const res = await limited().get('/users', { query: { count: '1' } });
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
});

behaviour('USR-LIST-PERMISSION', 'refuses the users list with 403 without directory:user:view or directory:user:edit', async (ctx) => {
  requireLacking(ctx, 'getScimUsers');
  const res = await ctx.limited().get('/users', { query: { filter: `userName eq "${ctx.names.userName('nobody')}"` } });
  // The 403 comes from the platform's permission check; its body may be a Genesys ErrorBody rather than a ScimError (reference §3).
  ctx.verify.status(res, 403);
});

behaviour('USR-GET-NO-PERMISSION', 'serves a user to an identity without any permission', async (ctx) => {
  const id = await someUserId(ctx);
  const res = await ctx.limited().get(`/users/${id}`);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  ctx.verify.equal(res, res.body.id, id, 'id');
});

behaviour('USR-GET-PERMISSION', 'refuses a user with 403 without directory:user:view or directory:user:edit', async (ctx) => {
  requireLacking(ctx, 'getScimUser');
  const id = await someUserId(ctx);
  const res = await ctx.limited().get(`/users/${id}`);
  ctx.verify.status(res, 403);
});

// ---------------------------------------------------------------- writes: refused, and nothing changed

behaviour('USR-POST-PERMISSION', 'refuses POST users with 403 without a documented permission and creates nothing', async (ctx) => {
  requireLacking(ctx, 'postScimUsers');
  const body = ctx.build.user('permission-post');
  const res = await ctx.limited().post('/users', body);
  trackIfCreated(ctx, res);
  ctx.verify.status(res, 403);
  const check = await ctx.scim.get('/users', { query: { filter: `userName eq "${body.userName}"` } });
  ctx.verify.status(check, 200);
  ctx.verify.schema(check, 'ScimUserListResponse');
  ctx.verify.equal(check, check.body.totalResults, 0, 'no user was created by the refused POST (main identity, userName eq)');
});

behaviour('USR-PUT-PERMISSION', 'refuses PUT user with 403 without a documented permission and changes nothing', async (ctx) => {
  requireLacking(ctx, 'putScimUser');
  const client = ctx.limited();
  const subject = await writeSubject(ctx);
  const before = await currentState(ctx, subject);
  // Observed like any write: a server that applies it anyway leaves the subject's known state right for the next check.
  const res = await writeTo(subject, (p) => client.put(p, replacementBody(ctx, before.userName, 'permission-put-new', { title: 'Changed' })));
  ctx.verify.status(res, 403);
  const fetched = await readSubject(ctx, subject);
  ctx.verify.status(fetched, 200);
  ctx.verify.schema(fetched, 'ScimV2User');
  ctx.verify.equal(fetched, fetched.body.displayName, before.displayName, 'displayName unchanged after the refused PUT');
  ctx.verify.equal(fetched, fetched.body.title, before.title, 'title unchanged after the refused PUT');
});

behaviour('USR-DELETE-PERMISSION', 'refuses DELETE user with 403 without directory:user:delete and keeps the user', async (ctx) => {
  requireLacking(ctx, 'deleteScimUser');
  const client = ctx.limited();
  const subject = await writeSubject(ctx);
  const before = await currentState(ctx, subject);
  const res = await writeTo(subject, (p) => client.delete(p));
  ctx.verify.status(res, 403);
  const fetched = await readSubject(ctx, subject);
  ctx.verify.status(fetched, 200, 'the user still exists after the refused DELETE');
  ctx.verify.schema(fetched, 'ScimV2User');
  ctx.verify.equal(fetched, fetched.body.active, before.active, 'active unchanged');
});
