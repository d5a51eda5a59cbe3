/** meta.lastModified follows writes (RFC 7643 §3.1), checked through a write, not only by format. */
import { behaviour } from '../../harness/index.ts';

const TICK_MS = 1100;

behaviour('GRP-META-LAST-MODIFIED-ADVANCES', 'moves meta.lastModified forward when a PATCH changes the group', async ({ create, build, scim, verify, names }) => {
  const created = await create('groups', build.group('last-modified'));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2Group');
  const before = Date.parse(created.body.meta?.lastModified);
  verify.that(created, Number.isFinite(before), 'meta.lastModified of the new group is a date-time', 'a date-time', created.body.meta?.lastModified);
  await new Promise((r) => setTimeout(r, TICK_MS));
  const patched = await scim.patch(`/groups/${created.body.id}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'displayName', value: names.displayName('last-modified-renamed') }],
  });
  verify.status(patched, 200);
  verify.schema(patched, 'ScimV2Group');
  const after = Date.parse(patched.body.meta?.lastModified);
  verify.that(
    patched,
    Number.isFinite(after) && after > before,
    `meta.lastModified after a PATCH ${TICK_MS} ms later is later than at creation`,
    `later than ${created.body.meta?.lastModified}`,
    patched.body.meta?.lastModified,
  );
});
