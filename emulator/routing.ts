/**
 * Route declarations shared by the fastify adapter (server.ts) and the resource modules
 * (discovery.ts now; users/groups later). No fastify types here.
 */
import type { ApiVersion, ScimHandler, ScimResponse } from './http-types.ts';
import type { HttpMethod, OperationsTable, VersionOperations } from './operations.ts';

export type { HttpMethod } from './operations.ts';

/**
 * One route, declared as data. It is registered under both prefixes. `path` is the lower-case
 * template after the prefix; it must have the same shape as the operation's `path` in
 * fixtures/operations.json (parameter names may differ: '/users/:id' matches the doc's
 * '/users/:userId'; the route's own names become ScimRequest.params keys). `operation` is the
 * operation key there (e.g. 'getScimUsers'). When the running API version lacks the operation
 * (or the prefix), the route answers 404. A mismatch with the table fails at startup.
 */
export interface RouteDef {
  method: HttpMethod;
  path: string;
  operation: string;
  handler: ScimHandler;
}

/** What a route provider gets once at startup. */
export interface RouteContext {
  apiVersion: ApiVersion;
  /** Page size cap for list endpoints (EmulatorOptions.listCountLimit, default 25). */
  listCountLimit: number;
  /** The whole operations table and the running version's slice of it. */
  operationsTable: OperationsTable;
  operations: VersionOperations;
  /** Clock (ms since epoch); handlers should use it instead of Date.now() directly. */
  now(): number;
  /** Register cleanup to run when the emulator closes. */
  onClose(fn: () => void | Promise<void>): void;
  /** Behaviour switches for the users/groups domain (EmulatorOptions.behaviour). */
  behaviour: EmulatorBehaviourOptions;
  /** Search-index lag of lists and filters in ms (live-org profile); 0 = none. */
  indexLagMs: number;
}

/**
 * Where the docs leave a choice open, the emulator makes it a switch (defaults in emulator/README.md).
 */
export interface EmulatorBehaviourOptions {
  /** DELETE user/group: 204 without a body (default) or 200 with the doc's `Empty` ({}). */
  deleteStatus?: 200 | 204;
  /** Deactivation drops directly assigned roles (default, reference §8) or keeps them. */
  rolesOnDeactivation?: 'drop' | 'keep';
  /** Filters: one `attr eq value` clause (default) or also `and` and RFC attribute aliases. */
  filterStrictness?: 'strict' | 'lenient';
  /** ETag format: strong `"3"` (default) or weak `W/"3"`. */
  etagStyle?: 'strong' | 'weak';
  /** POST with a deleted user's userName revives that user (default true). */
  reviveDeletedOnCreate?: boolean;
}

/** A module contributing routes (discoveryRoutes, later users/groups). Called once per emulator. */
export type RouteProvider = (ctx: RouteContext) => RouteDef[];

/**
 * A response body that is already serialized JSON. Handlers may return it as `ScimResponse.body`
 * to send cached bytes without re-serializing.
 */
export class PreSerialized {
  constructor(readonly json: string) {}
}

/** Quoted strong ETag for an integer version, e.g. 42 → "42" (meta.version carries the same string). */
export function etagOf(version: number | string): string {
  return `"${version}"`;
}

function opaque(tag: string): string {
  const t = tag.trim();
  return t.startsWith('W/') ? t.slice(2) : t;
}

/**
 * If-None-Match evaluation (RFC 9110 §13.1.2): `*` matches any current representation,
 * otherwise a comma-separated list compared with the weak comparison function.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const h = header.trim();
  if (h === '') return false;
  if (h === '*') return true;
  const target = opaque(etag);
  // ETags cannot contain commas inside the quotes in practice (our tags are digits).
  for (const candidate of h.split(',')) {
    const c = candidate.trim();
    if (c === '*' || opaque(c) === target) return true;
  }
  return false;
}

/** 304 answer (no body) carrying the current ETag. */
export function notModified(etag: string): ScimResponse {
  return { status: 304, headers: { etag } };
}
