/**
 * meta.lastModified follows writes (RFC 7643 §3.1). A server that stamps it once at creation would
 * still send a well-formed date-time, so this is checked through a write, not only by format.
 */
import { behaviour, patchOp, verifyLastModifiedAdvances } from '../../harness/index.ts';

behaviour('USR-META-LAST-MODIFIED-ADVANCES', 'moves meta.lastModified forward when a PATCH changes the user', async ({ create, build, scim, verify }) => {
  const created = await create('users', build.user('last-modified'));
  await verifyLastModifiedAdvances(verify, created, () => scim.patch(`/users/${created.body.id}`, patchOp('replace', 'title', `Retitled ${Date.now()}`)), 'ScimV2User');
});
