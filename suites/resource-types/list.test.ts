import { behaviour, verifyDiscoveryMeta } from '../../harness/index.ts';
import documented from '../../fixtures/discovery/documented.json' with { type: 'json' };

const PATH = '/resourcetypes';
// The list does not change during a run: it is sent once per prefix and judged by every check reading it (ctx.read).

behaviour('RT-LIST', 'lists the resource types in a ListResponse', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimConfigResourceTypesListResponse');
});

behaviour('RT-LIST-COMPLETE', 'lists exactly the documented resource types', async ({ read, verify, target }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimConfigResourceTypesListResponse');
  const names = res.body.Resources.map((r: { name?: string; id?: string }) => r.name ?? r.id).sort();
  const expected = [...documented.resourceTypes[target.apiVersion]].sort();
  verify.equal(res, names, expected, `resource type names documented for API version ${target.apiVersion}`);
});

behaviour('RT-LIST-PAGING-FIELDS', 'reports totalResults equal to the resources returned, from startIndex 1', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimConfigResourceTypesListResponse');
  verify.equal(res, res.body.totalResults, res.body.Resources.length, 'totalResults equals the number of Resources');
  verify.equal(res, res.body.startIndex, 1, 'startIndex');
});

behaviour('RT-ENDPOINTS', 'gives /Users and /Groups as the User and Group endpoints', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimConfigResourceTypesListResponse');
  for (const [name, endpoint] of Object.entries(documented.endpoints)) {
    const rt = res.body.Resources.find((r: { name?: string }) => r.name === name);
    verify.that(res, rt !== undefined, `the ${name} resource type is listed`, name, '(absent)');
    verify.that(
      res,
      typeof rt.endpoint === 'string' && rt.endpoint.toLowerCase() === endpoint.toLowerCase(),
      `${name}.endpoint, relative to the base URL (RFC 7643 §6)`,
      endpoint,
      rt.endpoint,
    );
  }
});

behaviour('RT-META', 'describes each resource type in meta with resourceType and location only', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimConfigResourceTypesListResponse');
  verifyDiscoveryMeta(verify, res, res.body.Resources, 'ResourceType', (rt) => rt.name);
});

behaviour('RT-NO-PERMISSION', 'is readable by an identity without any permission', async ({ limited, verify }) => {
  const res = await limited().get(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimConfigResourceTypesListResponse');
});
