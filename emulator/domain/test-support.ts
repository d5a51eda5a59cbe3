/** Builds ScimRequest objects for calling domain handlers directly (unit tests, benches). */
import { ScimHttpError, type ScimQuery, type ScimRequest } from '../http-types.ts';

export const TEST_BASE_URL = 'http://127.0.0.1:4010/api/v2/scim/v2';

export interface RequestInit {
  method?: ScimRequest['method'];
  id?: string;
  /** Raw query values as a client would send them; attributes/excludedAttributes are split like the adapter does. */
  query?: Record<string, string | string[] | undefined>;
  headers?: Record<string, string | undefined>;
  body?: unknown;
  baseUrl?: string;
}

function split(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function scimRequest(init: RequestInit = {}): ScimRequest {
  const raw: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) raw[k] = v;
  const query: ScimQuery = {
    attributes: split(raw.attributes),
    excludedAttributes: split(raw.excludedAttributes),
    raw,
  };
  const filter = one(raw.filter);
  const startIndex = one(raw.startIndex);
  const count = one(raw.count);
  if (filter !== undefined) query.filter = filter;
  if (startIndex !== undefined) query.startIndex = startIndex;
  if (count !== undefined) query.count = count;
  const baseUrl = init.baseUrl ?? TEST_BASE_URL;
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  return {
    method: init.method ?? 'GET',
    prefix: new URL(baseUrl).pathname,
    baseUrl,
    params: init.id !== undefined ? { id: init.id } : {},
    query,
    headers,
    body: init.body,
    clientId: 'test-client',
  };
}

/** Ids in fixtures/emulator/seed-org.json. */
export const SEED = {
  maria: '16e10e2f-1136-43fe-bb84-eac073168a49', // manager, Sales Division
  alice: '857449b0-d9e7-4cd0-acbf-a6adfb9ef1e9', // reports to maria, teams externalId, mobile phone
  bob: '2b5f7c31-6a0d-4e8b-9f12-3c4d5e6f7a81', // reports to maria, Support Division
  sam: '6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e41', // admin, Home division
  ivan: 'a9f8e7d6-c5b4-4a39-8281-706f5e4d3c21', // inactive
  sales: '5f4bc742-a019-4e38-8e2a-d39d5bc0b0f3', // not created through SCIM
  support: '7d3a1b2c-9e8f-4a6b-b5c4-d3e2f1a0b9c8', // not created through SCIM
  allStaff: '0e1d2c3b-4a59-4687-a6b5-c4d3e2f1a0b9', // nested: sales, support groups + sam
  scimTeam: 'c4b3a291-8f7e-4d6c-9b5a-4f3e2d1c0b9a', // created through SCIM (deletable)
} as const;

/** Runs `fn` and returns the ScimHttpError it throws (fails when it doesn't throw one). */
export function catchScimError(fn: () => unknown): ScimHttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimHttpError) return e;
    throw e;
  }
  throw new Error('expected a ScimHttpError, but the handler succeeded');
}
