/**
 * Typed access to fixtures/operations.json: the operations of each API version, with their
 * per-prefix SDK operation ids and permissions (data taken from the two seed docs).
 */
import { readFileSync } from 'node:fs';
import type { ApiVersion } from './http-types.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface PrefixOperation {
  /** SDK operation id for this prefix, e.g. getScimV2Serviceproviderconfig. */
  operationId: string;
  /** Ruby method name (2019 doc only). */
  sdkName?: string;
  /** "Requires ANY permissions": any one suffices. Empty = "Requires NO permissions" (valid token only). */
  permissions: string[];
  /** Query parameters the SDK signature makes required (data only). */
  sdkRequiredQuery?: string[];
  /** Query parameters the emulator enforces (400 invalidFilter when missing). */
  requiredQuery?: string[];
}

export interface OperationDef {
  method: HttpMethod;
  /** Lower-case path template after the prefix, with :param placeholders. */
  path: string;
  summary: string;
  /** Return model named by the doc. */
  returns: string;
  /** Keyed by prefix ('/api/v2/scim', '/api/v2/scim/v2'). */
  prefixes: Record<string, PrefixOperation>;
}

export interface VersionOperations {
  source: string;
  sdk: string;
  /** Keyed by the prefix-independent operation key (the /api/v2/scim SDK operation id). */
  operations: Record<string, OperationDef>;
}

export interface OperationsTable {
  prefixes: string[];
  defaultVersion: ApiVersion;
  versions: Record<ApiVersion, VersionOperations>;
}

export const API_VERSIONS: readonly ApiVersion[] = ['2021', '2019'];
export const SCIM_PREFIXES = ['/api/v2/scim', '/api/v2/scim/v2'] as const;

let cached: OperationsTable | undefined;

export function loadOperations(): OperationsTable {
  cached ??= JSON.parse(
    readFileSync(new URL('../fixtures/operations.json', import.meta.url), 'utf8'),
  ) as OperationsTable;
  return cached;
}

export function isApiVersion(value: unknown): value is ApiVersion {
  return value === '2021' || value === '2019';
}

/** Every permission named anywhere in the table. */
export function allPermissions(table: OperationsTable = loadOperations()): string[] {
  const set = new Set<string>();
  for (const version of Object.values(table.versions)) {
    for (const op of Object.values(version.operations)) {
      for (const entry of Object.values(op.prefixes)) for (const p of entry.permissions) set.add(p);
    }
  }
  return [...set].sort();
}
