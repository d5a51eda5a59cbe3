/** Reading list responses (RFC 7644 §3.4.2): their Resources and the ids of those, whatever the resource. */
import type { HttpResult } from '../runtime/http.ts';

/** The Resources of a list response (absent → none). */
export function resources(res: HttpResult): Record<string, any>[] {
  return Array.isArray(res.body?.Resources) ? res.body.Resources : [];
}

/** The ids of the Resources of a list response, in order. */
export function idsOf(res: HttpResult): string[] {
  return resources(res).map((r) => String(r.id));
}
