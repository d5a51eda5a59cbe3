import { behaviour, verifyDiscoveryMeta } from '../../harness/index.ts';
import documented from '../../fixtures/discovery/documented.json' with { type: 'json' };

const PATH = '/schemas';
// The list does not change during a run: it is sent once per prefix and judged by every check reading it (ctx.read).

behaviour('SCH-LIST', 'lists the schemas in a ListResponse', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2SchemaListResponse');
});

behaviour('SCH-LIST-COMPLETE', 'lists every documented schema URN', async ({ read, verify, target }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimV2SchemaListResponse');
  const ids: string[] = res.body.Resources.map((s: { id: string }) => s.id);
  const missing = documented.schemaUrns[target.apiVersion].filter((urn) => !ids.includes(urn));
  verify.that(res, missing.length === 0, 'every documented schema URN is listed', documented.schemaUrns[target.apiVersion], { listed: ids, missing });
});

behaviour('SCH-LIST-FILTER-403', 'refuses a filtered schema list with 403', async ({ read, verify }) => {
  const res = await read(PATH, { query: { filter: `id eq "${documented.schemaUrns['2021'][0]}"` } });
  verify.status(res, 403);
});

behaviour('SCH-META', 'describes each schema in meta with resourceType and location only', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimV2SchemaListResponse');
  verifyDiscoveryMeta(verify, res, res.body.Resources, 'Schema', (s) => s.id);
});

behaviour('SCH-NO-PERMISSION', 'is readable by an identity without any permission', async ({ limited, verify }) => {
  const res = await limited().get(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimV2SchemaListResponse');
});
