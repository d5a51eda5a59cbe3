import { behaviour } from '../../harness/index.ts';

/** Endpoints every API version serves and that any valid token may read. */
const rows = [
  { name: 'serviceproviderconfig', path: '/serviceproviderconfig', versions: ['2021', '2019'] },
  { name: 'resourcetypes', path: '/resourcetypes', versions: ['2021', '2019'] },
  { name: 'schemas', path: '/schemas', versions: ['2021'] },
];

behaviour.for('AUTH-NO-TOKEN', 'refuses a request without a bearer token with 401', rows, async (row, { anonymous, verify, target, skip }) => {
  if (!row.versions.includes(target.apiVersion)) skip(`${row.path} is not documented for API version ${target.apiVersion}`, 'version');
  const res = await anonymous().get(row.path);
  verify.status(res, 401);
});

behaviour.for('AUTH-BAD-TOKEN', 'refuses a request with an invalid bearer token with 401', rows, async (row, { anonymous, verify, target, skip }) => {
  if (!row.versions.includes(target.apiVersion)) skip(`${row.path} is not documented for API version ${target.apiVersion}`, 'version');
  const res = await anonymous().get(row.path, { headers: { authorization: 'Bearer scimct-not-a-valid-token' } });
  verify.status(res, 401);
});

behaviour('AUTH-ERROR-BODY', 'explains a 401 with a SCIM error body', async ({ anonymous, verify }) => {
  const res = await anonymous().get('/serviceproviderconfig');
  verify.scimError(res, 401);
});
