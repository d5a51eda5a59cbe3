/** Everything the users and groups handlers share: resolved options, the store and the org catalogue. */
import { LIST_RESPONSE_URN, ScimHttpError, type ApiVersion } from '../http-types.ts';
import type { EtagStyle, Paging } from './common.ts';
import type { FilterStrictness } from './filter.ts';
import type { Projection } from './projection.ts';
import type { ResourceSchema } from './schema.ts';
import type { OrgCatalog } from './seed.ts';
import type { DomainStore } from './store.ts';

export interface DomainContext {
  readonly apiVersion: ApiVersion;
  readonly listCountLimit: number;
  readonly deleteStatus: 200 | 204;
  readonly rolesOnDeactivation: 'drop' | 'keep';
  readonly filterStrictness: FilterStrictness;
  readonly etagStyle: EtagStyle;
  readonly reviveDeletedOnCreate: boolean;
  readonly store: DomainStore;
  readonly org: OrgCatalog;
  newId(): string;
}

/**
 * The doc: "A page size over 25 may exceed internal resource limits and return a 429 error. For a page size over 25,
 * use excludedAttributes or attributes to exclude … secondary lookup values". Made deterministic: count above the
 * limit while any secondary attribute would be returned → 429 with Retry-After.
 */
export function checkCountLimit(ctx: DomainContext, schema: ResourceSchema, paging: Paging, projection: Projection): void {
  if (ctx.apiVersion === '2019' || paging.count <= ctx.listCountLimit) return;
  const heavy = schema.secondary.filter((p) => projection.includes(p));
  if (heavy.length === 0) return;
  const names = heavy.map((p) => p.join(':')).join(', ');
  throw new ScimHttpError(
    429,
    `A page size over ${ctx.listCountLimit} exceeds internal resource limits while secondary lookup values are returned ` +
      `(${names}). Exclude them with "excludedAttributes" or list only the attributes you need with "attributes", ` +
      `or use count <= ${ctx.listCountLimit}.`,
    undefined,
    { 'Retry-After': '1' },
  );
}

export function listResponse<T>(matches: readonly T[], paging: Paging, render: (item: T) => Record<string, unknown>) {
  const from = paging.startIndex - 1;
  const page = paging.count === 0 ? [] : matches.slice(from, from + paging.count);
  return {
    schemas: [LIST_RESPONSE_URN],
    totalResults: matches.length,
    startIndex: paging.startIndex,
    itemsPerPage: page.length,
    Resources: page.map(render),
  };
}
