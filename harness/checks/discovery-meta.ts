import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';

/**
 * Discovery resources (ResourceType, Schema) carry meta with resourceType and location only:
 * seed 000 ScimMetadata, "only location and resourceType are set".
 */
export function verifyDiscoveryMeta(
  verify: BehaviourContext['verify'],
  res: HttpResult,
  items: { meta?: Record<string, unknown> }[] | undefined,
  resourceType: 'ResourceType' | 'Schema',
  label: (item: any) => string,
): void {
  const list = Array.isArray(items) ? items : [];
  // An empty list would pass every per-item check without judging one.
  verify.that(res, list.length > 0, `the list holds ${resourceType}s whose meta is judged`, 'one or more Resources', list.length);
  for (const item of list) {
    const meta = item.meta ?? {};
    const name = label(item);
    verify.equal(res, meta.resourceType, resourceType, `${name}: meta.resourceType`);
    verify.that(res, typeof meta.location === 'string' && meta.location.length > 0, `${name}: meta.location is set`, 'a URI', meta.location);
    verify.that(
      res,
      meta.version === undefined && meta.lastModified === undefined,
      `${name}: no meta.version or meta.lastModified (seed 000 ScimMetadata: "only location and resourceType are set")`,
      'absent',
      { version: meta.version, lastModified: meta.lastModified },
    );
  }
}
