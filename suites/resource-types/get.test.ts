import { behaviour } from '../../harness/index.ts';
import documented from '../../fixtures/discovery/documented.json' with { type: 'json' };

const rows = [...new Set([...documented.resourceTypes['2021'], ...documented.resourceTypes['2019']])].map((name) => ({
  name,
  versions: (['2021', '2019'] as const).filter((v) => documented.resourceTypes[v].includes(name)),
}));

// Discovery answers do not change during a run: each request is sent once per prefix and judged by every check reading it (ctx.read).
behaviour.for('RT-GET', 'returns the resource type by its name', rows, async (row, { read, verify, target, skip }) => {
  if (!(row.versions as readonly string[]).includes(target.apiVersion)) {
    skip(`${row.name} is not a documented resource type in API version ${target.apiVersion}`, 'version');
  }
  const res = await read(`/resourcetypes/${row.name}`);
  verify.status(res, 200);
  verify.schema(res, 'ScimConfigResourceType');
  verify.equal(res, res.body.name, row.name, 'name');
});

behaviour('RT-GET-UNKNOWN-404', 'answers an unknown resource type with 404 and a SCIM error', async ({ read, verify }) => {
  const res = await read(`/resourcetypes/${documented.unknown.resourceType}`);
  verify.scimError(res, 404);
});

behaviour('RT-USER-EXTENSIONS', 'names the enterprise and Genesys extensions on the User resource type', async ({ read, verify }) => {
  const res = await read('/resourcetypes/User');
  verify.status(res, 200);
  verify.schema(res, 'ScimConfigResourceType');
  verify.equal(res, res.body.schema, documented.userResourceType.schema, 'schema');
  const extensions = (res.body.schemaExtensions ?? []).map((e: { schema: string }) => e.schema).sort();
  verify.equal(res, extensions, [...documented.userResourceType.extensions].sort(), 'schemaExtensions[].schema');
});
