/**
 * meta.lastModified follows writes (RFC 7643 §3.1). A server that stamps it once at creation would
 * still send a well-formed date-time, so this is checked through a write, not only by format.
 */
import { behaviour } from '../../harness/index.ts';
import { patchOp } from './write-helpers.ts';

/** Servers may keep second precision: wait past the next second so the new stamp must differ. */
const TICK_MS = 1100;

behaviour('USR-META-LAST-MODIFIED-ADVANCES', 'moves meta.lastModified forward when a PATCH changes the user', async ({ create, build, scim, verify }) => {
  const created = await create('users', build.user('last-modified'));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  const before = Date.parse(created.body.meta?.lastModified);
  verify.that(created, Number.isFinite(before), 'meta.lastModified of the new user is a date-time', 'a date-time', created.body.meta?.lastModified);
  await new Promise((r) => setTimeout(r, TICK_MS));
  const patched = await scim.patch(`/users/${created.body.id}`, patchOp('replace', 'title', `Retitled ${Date.now()}`));
  verify.status(patched, 200);
  verify.schema(patched, 'ScimV2User');
  const after = Date.parse(patched.body.meta?.lastModified);
  verify.that(
    patched,
    Number.isFinite(after) && after > before,
    `meta.lastModified after a PATCH ${TICK_MS} ms later is later than at creation`,
    `later than ${created.body.meta?.lastModified}`,
    patched.body.meta?.lastModified,
  );
});
