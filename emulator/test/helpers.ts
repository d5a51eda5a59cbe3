/** Shared helpers for the emulator's own tests (not a test file). */
import { ScimHttpError, type ScimRequest } from '../http-types.ts';
import type { RouteContext, RouteDef } from '../routing.ts';
import type { RunningEmulator } from '../server.ts';

export const V1 = '/api/v2/scim';
export const V2 = '/api/v2/scim/v2';
export const PREFIXES = [V1, V2] as const;
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** Token for a demo client by name (admin, readonly, groups, none). */
export async function tokenFor(emu: RunningEmulator, name: string): Promise<string> {
  const client = emu.clients.find((c) => c.name === name);
  if (!client) throw new Error(`no demo client ${name}`);
  const res = await fetch(`${emu.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: basic(client.clientId, client.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`token for ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function call(
  emu: RunningEmulator,
  method: string,
  path: string,
  opts: { token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(emu.url + path, { method, headers, body: opts.body });
  const text = await res.text();
  let json: unknown;
  try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export const get = (emu: RunningEmulator, path: string, token?: string, headers?: Record<string, string>) =>
  call(emu, 'GET', path, { token, headers });


const DISCOVERY_OPS = new Set([
  'getScimServiceproviderconfig', 'getScimResourcetypes', 'getScimResourcetype', 'getScimSchemas', 'getScimSchema',
]);

/**
 * Echo routes for every non-discovery operation of every API version (users/groups stand-ins),
 * so the adapter's auth/permission/body/query handling can be tested before those modules exist.
 * `x-test-boom: 1` makes the handler throw a plain Error; `x-test-status: N` throws ScimHttpError(N).
 */
export function echoRoutes(ctx: RouteContext): RouteDef[] {
  const seen = new Map<string, RouteDef>();
  for (const version of Object.values(ctx.operationsTable.versions)) {
    for (const [key, op] of Object.entries(version.operations)) {
      if (DISCOVERY_OPS.has(key) || seen.has(key)) continue;
      seen.set(key, {
        method: op.method,
        path: op.path.replace(/:[^/]+/g, ':id'), // like the domain handlers: req.params.id
        operation: key,
        handler: (req: ScimRequest) => {
          if (req.headers['x-test-boom'] === '1') {
            throw new Error('secret internal detail /srv/app/handler.ts:42');
          }
          const status = req.headers['x-test-status'];
          if (status) throw new ScimHttpError(Number(status), 'test error', 'invalidValue', { 'x-extra': 'yes' });
          return {
            status: 200,
            headers: { etag: '"7"' },
            body: {
              operation: key, method: req.method, prefix: req.prefix, baseUrl: req.baseUrl,
              params: req.params, query: req.query, body: req.body ?? null, clientId: req.clientId,
            },
          };
        },
      });
    }
  }
  return [...seen.values()];
}
