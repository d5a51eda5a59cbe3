import { behaviour } from '../../harness/index.ts';

const PATH = '/serviceproviderconfig';
const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

behaviour('SPC-GET', 'returns the service provider configuration', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimServiceProviderConfig');
});

behaviour('SPC-SCHEMAS-URN', 'names the ServiceProviderConfig schema URN in schemas', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimServiceProviderConfig');
  verify.that(res, res.body.schemas.includes(SPC_URN), 'schemas holds the core ServiceProviderConfig URN', SPC_URN, res.body.schemas);
});

behaviour('SPC-META', 'describes itself in meta with resourceType and location', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimServiceProviderConfig');
  verify.equal(res, res.body.meta?.resourceType, 'ServiceProviderConfig', 'meta.resourceType');
  const location: unknown = res.body.meta?.location;
  verify.that(
    res,
    typeof location === 'string' && /\/serviceproviderconfig$/i.test(location),
    'meta.location is the URI of the resource',
    'a URI ending in /ServiceProviderConfig',
    location,
  );
});

behaviour('SPC-AUTH-SCHEMES', 'lists an OAuth bearer-token authentication scheme', async ({ read, verify }) => {
  const res = await read(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimServiceProviderConfig');
  const types = (res.body.authenticationSchemes ?? []).map((s: { type?: string }) => s.type);
  verify.that(
    res,
    types.some((t: unknown) => typeof t === 'string' && /^(oauthbearertoken|oauth2|oauth)$/i.test(t)),
    'authenticationSchemes has an OAuth scheme',
    'a scheme of type oauthbearertoken (or oauth2/oauth)',
    types,
  );
});

behaviour('SPC-NO-PERMISSION', 'is readable by an identity without any permission', async ({ limited, verify }) => {
  const res = await limited().get(PATH);
  verify.status(res, 200);
  verify.schema(res, 'ScimServiceProviderConfig');
});
