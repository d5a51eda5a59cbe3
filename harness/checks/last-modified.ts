import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';

/** Servers may keep second precision: wait past the next second so a new stamp must differ. */
export const TICK_MS = 1100;

/**
 * meta.lastModified follows writes (RFC 7643 §3.1): `write` changes the resource `created` (the answer to its POST, or
 * any later answer carrying it) described more than a second later, and the lastModified it answers with must be
 * later. `answeredAt` (ms since the epoch, default now): when `created` was answered; the check waits only what is left
 * of the second since then.
 */
export async function verifyLastModifiedAdvances(
  verify: BehaviourContext['verify'],
  created: HttpResult,
  write: () => Promise<HttpResult>,
  model: 'ScimV2User' | 'ScimV2Group',
  answeredAt = Date.now(),
): Promise<void> {
  verify.status(created, [200, 201]);
  verify.schema(created, model);
  const before = Date.parse(created.body.meta?.lastModified);
  verify.that(created, Number.isFinite(before), 'meta.lastModified of the resource is a date-time', 'a date-time', created.body.meta?.lastModified);
  const wait = TICK_MS - (Date.now() - answeredAt);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const written = await write();
  verify.status(written, 200);
  verify.schema(written, model);
  const after = Date.parse(written.body.meta?.lastModified);
  verify.that(
    written,
    Number.isFinite(after) && after > before,
    `meta.lastModified after a PATCH ${TICK_MS} ms later is later than before it`,
    `later than ${created.body.meta?.lastModified}`,
    written.body.meta?.lastModified,
  );
}
