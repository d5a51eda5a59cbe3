/**
 * The contract between the emulator's HTTP layer (fastify adapter in server.ts)
 * and its resource handlers. Handlers are plain functions: no fastify types leak
 * into them, so they can be unit-tested without a socket.
 */

export type ApiVersion = '2021' | '2019';

export interface ScimQuery {
  filter?: string;
  startIndex?: string;
  count?: string;
  /** Comma-separated and repeated `attributes` keys, split, trimmed, empty entries dropped. */
  attributes: string[];
  /** Same for `excludedAttributes`. */
  excludedAttributes: string[];
  /** Every query key as decoded (`+` and `%20` are spaces); repeated keys become arrays. */
  raw: Record<string, string | string[]>;
}

export interface ScimRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The prefix the request came in on: '/api/v2/scim' or '/api/v2/scim/v2'. */
  prefix: string;
  /** Absolute base for meta.location, e.g. 'http://127.0.0.1:4010/api/v2/scim/v2'. */
  baseUrl: string;
  /** Path parameters, e.g. { id } for /users/:id. */
  params: Record<string, string>;
  query: ScimQuery;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** Parsed JSON body (undefined when none). */
  body: unknown;
  /** The OAuth client behind the bearer token (for auditing; permissions are checked before handlers run). */
  clientId: string;
}

export interface ScimResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON body; undefined means no body (e.g. 304, 204). */
  body?: unknown;
}

export type ScimHandler = (req: ScimRequest) => ScimResponse | Promise<ScimResponse>;

export type ScimType =
  | 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax'
  | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

/** Throw from a handler; the adapter turns it into a SCIM error body. */
export class ScimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ScimHttpError';
  }
}

export const SCIM_ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function scimErrorBody(status: number, detail: string, scimType?: ScimType) {
  return {
    schemas: [SCIM_ERROR_URN],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}

/** Characters of a client-supplied text quoted in an error detail (or a report) before it is cut. */
export const QUOTE_MAX = 120;

/** `text` cut to `max` characters, saying how much was left out: client text is quoted, never echoed whole. */
export function clip(text: string, max = QUOTE_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A short, safe rendering of a client-supplied JSON value for an error detail (never a huge or deep value whole). */
export function excerpt(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}
