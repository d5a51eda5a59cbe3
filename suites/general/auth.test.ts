import { behaviour, sharedAnswer, type BehaviourContext } from '../../harness/index.ts';

/** Endpoints every API version serves and that any valid token may read. */
const rows = [
  { name: 'serviceproviderconfig', path: '/serviceproviderconfig', versions: ['2021', '2019'] },
  { name: 'resourcetypes', path: '/resourcetypes', versions: ['2021', '2019'] },
  { name: 'schemas', path: '/schemas', versions: ['2021'] },
];

/** A GET without a token: its answer is judged by every check sending the same (sent once per prefix). */
const withoutToken = (ctx: BehaviourContext, path: string) => sharedAnswer(ctx, `GET ${path} without a token`, () => ctx.anonymous().get(path));

behaviour.for('AUTH-NO-TOKEN', 'refuses a request without a bearer token with 401', rows, async (row, ctx) => {
  const { verify, target, skip } = ctx;
  if (!row.versions.includes(target.apiVersion)) skip(`${row.path} is not documented for API version ${target.apiVersion}`, 'version');
  const res = await withoutToken(ctx, row.path);
  verify.status(res, 401);
});

behaviour.for('AUTH-BAD-TOKEN', 'refuses a request with an invalid bearer token with 401', rows, async (row, { anonymous, verify, target, skip }) => {
  if (!row.versions.includes(target.apiVersion)) skip(`${row.path} is not documented for API version ${target.apiVersion}`, 'version');
  const res = await anonymous().get(row.path, { headers: { authorization: 'Bearer scimct-not-a-valid-token' } });
  verify.status(res, 401);
});

behaviour('AUTH-ERROR-BODY', 'explains a 401 with a SCIM error body', async (ctx) => {
  const res = await withoutToken(ctx, '/serviceproviderconfig');
  const { verify } = ctx;
  verify.scimError(res, 401);
});
