/**
 * meta.lastModified follows writes (RFC 7643 §3.1). A server that stamps it once at creation would
 * still send a well-formed date-time, so this is checked through a write, not only by format.
 */
import { behaviour, currentState, patchOp, verifyLastModifiedAdvances, writeSubject, writeTo } from '../../harness/index.ts';

behaviour('USR-META-LAST-MODIFIED-ADVANCES', 'moves meta.lastModified forward when a PATCH changes the user', async (ctx) => {
  // The write subject of this prefix, as its last answer describes it.
  const subject = await writeSubject(ctx);
  await currentState(ctx, subject);
  const before = subject.answer!;
  await verifyLastModifiedAdvances(ctx.verify, before, () => writeTo(subject, (p) => ctx.scim.patch(p, patchOp('replace', 'title', `Retitled ${Date.now()}`))), 'ScimV2User', subject.writtenAt);
});
