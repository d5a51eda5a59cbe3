import { behaviour } from '../../harness/index.ts';
import documented from '../../fixtures/discovery/documented.json' with { type: 'json' };

behaviour.for(
  'GEN-CONTENT-TYPE',
  'declares a JSON media type on every response',
  [
    { name: 'success', path: '/serviceproviderconfig', status: 200 },
    { name: 'error', path: `/resourcetypes/${documented.unknown.resourceType}`, status: 404 },
  ],
  // Answers that do not change during a run, shared with the checks reading the same (ctx.read).
  async (row, { read, verify }) => {
    const res = await read(row.path);
    verify.status(res, row.status);
    verify.contentType(res);
  },
);

behaviour.for(
  'GEN-ACCEPT-SCIM-JSON',
  'serves requests whatever JSON media type they accept',
  [
    { name: 'application/scim+json', accept: 'application/scim+json' },
    { name: 'application/json', accept: 'application/json' },
  ],
  async (row, { read, verify }) => {
    const res = await read('/serviceproviderconfig', { headers: { accept: row.accept } });
    verify.status(res, 200);
    verify.contentType(res);
    verify.schema(res, 'ScimServiceProviderConfig');
  },
);

behaviour.for(
  'GEN-PATH-CASE',
  'routes the RFC casing of resource paths',
  [
    { name: '/ServiceProviderConfig', path: '/ServiceProviderConfig', model: 'ScimServiceProviderConfig', versions: ['2021', '2019'] },
    { name: '/ResourceTypes', path: '/ResourceTypes', model: 'ScimConfigResourceTypesListResponse', versions: ['2021', '2019'] },
    { name: '/Schemas', path: '/Schemas', model: 'ScimV2SchemaListResponse', versions: ['2021'] },
  ] as const,
  async (row, { read, verify, target, skip }) => {
    if (!(row.versions as readonly string[]).includes(target.apiVersion)) skip(`${row.path} is not documented for API version ${target.apiVersion}`, 'version');
    const res = await read(row.path);
    verify.status(res, 200);
    verify.schema(res, row.model);
  },
);
