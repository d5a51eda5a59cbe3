/** Typed access to fixtures/contract/request-contract.json: the documented request surface per API version. */
import { readFileSync } from 'node:fs';
import type { ApiVersion } from '../http-types.ts';

export type BodyModel = 'ScimV2CreateUser' | 'ScimV2User' | 'ScimV2Group' | 'ScimV2PatchRequest';

export interface DocumentedOperation {
  method: string;
  path: string;
  /** Documented query parameter names (exact spelling). */
  query: string[];
  /** Documented header parameters: If-Match (writes), If-None-Match (reads). */
  headers: string[];
  body?: BodyModel;
  /** Which documented Values list applies to attributes/excludedAttributes. */
  attributeValues?: 'user' | 'group';
  /** Which filterable attributes apply; 'none' = any filter is refused (schemas). */
  filterAttributes?: 'user' | 'group' | 'none';
}

export interface DocumentedVersion {
  source: string;
  operations: Record<string, DocumentedOperation>;
  attributeValues: { user?: string[]; group?: string[] };
  filterAttributes: { source: string; user: string[]; group: string[] };
}

export interface RequestContract {
  versions: Record<ApiVersion, DocumentedVersion>;
}

let cached: RequestContract | undefined;

export function loadRequestContract(): RequestContract {
  cached ??= JSON.parse(
    readFileSync(new URL('../../fixtures/contract/request-contract.json', import.meta.url), 'utf8'),
  ) as RequestContract;
  return cached;
}
