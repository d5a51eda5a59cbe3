import { behaviour } from '../../harness/index.ts';

const PATH = '/serviceproviderconfig';

// The configuration does not change during a run: its plain GET is sent once per prefix and shared (ctx.read).
behaviour('SPC-ETAG-HEADER', 'sends an ETag equal to meta.version', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimServiceProviderConfig');
  const etag = verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header (seed 000: "Returned as header and meta.version")');
});

behaviour('SPC-IF-NONE-MATCH-304', 'answers a current If-None-Match with 304 and no body', async ({ read, scim, verify }) => {
  const first = await read(PATH);
  verify.status(first, 200);
  const etag = verify.header(first, 'etag');
  const again = await scim.get(PATH, { headers: { 'if-none-match': etag } });
  verify.status(again, 304);
  verify.noBody(again);
});

behaviour('SPC-IF-NONE-MATCH-STALE', 'answers a stale If-None-Match with the full configuration', async ({ scim, verify }) => {
  const res = await scim.get(PATH, { headers: { 'if-none-match': '"scimct-stale-version"' } });
  verify.status(res, 200);
  verify.schema(res, 'ScimServiceProviderConfig');
});
