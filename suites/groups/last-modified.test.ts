/** meta.lastModified follows writes (RFC 7643 §3.1), checked through a write, not only by format. */
import { behaviour, verifyLastModifiedAdvances } from '../../harness/index.ts';

behaviour('GRP-META-LAST-MODIFIED-ADVANCES', 'moves meta.lastModified forward when a PATCH changes the group', async ({ create, build, scim, verify, names }) => {
  const created = await create('groups', build.group('last-modified'));
  const rename = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'displayName', value: names.displayName('last-modified-renamed') }],
  };
  await verifyLastModifiedAdvances(verify, created, () => scim.patch(`/groups/${created.body.id}`, rename), 'ScimV2Group');
});
