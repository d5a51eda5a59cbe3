/**
 * A third-party SCIM 2.0 server for the rfc7644 profile: SCIMMY (scimmy + scimmy-routers on express) with Users
 * and Groups kept in memory, on 127.0.0.1. The store is what a SCIMMY user writes following SCIMMY's documentation:
 * egress returns the resource by id or the list filtered with SCIMMY's own `filter.match`, SCIMMY's ListResponse
 * sorts and pages, ingress keeps userName unique (409 uniqueness, RFC 7644 §3.3) and stamps meta.created /
 * lastModified; degress deletes. The ServiceProviderConfig is what SCIMMYRouters declares (patch, filter, sort and
 * bulk supported; etag and changePassword not). Authentication: one bearer token.
 *
 * Test-tree code: it is not part of the suite (runner/ may import anything).
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/**
 * Deviations a test can inject (runner/test/deviant.test.ts), each one a fault seen on third-party servers. Off by
 * default: startScimmy() alone is SCIMMY as its documentation sets it up.
 */
export interface ScimmyDeviations {
  /** Any request with excludedAttributes is answered 500. */
  serverErrorOnExcludedAttributes?: boolean;
  /** userName uniqueness compared case-sensitively: a userName differing only in case is created (201). */
  caseSensitiveUserNames?: boolean;
  /** A PUT giving a user another user's userName is applied, then answered 500 (or 409 uniqueness, as if refused). */
  putClashApplied?: 500 | 409;
  /** A PATCH with an unknown op, a path without its "]", or a replace of id is answered 200 with the user, unchanged. */
  patchInvalidAnswered200?: boolean;
  /** A DELETE of a deleted user is answered 500. */
  deleteAgain500?: boolean;
  /** A GET of an unknown user is answered 404 with an empty body. */
  bareNotFound?: boolean;
  /** POST /Bulk is run, then answered 500: the client never learns what it created. */
  bulkAppliedThen500?: boolean;
}

export interface RunningScimmy {
  /** The SCIM root, e.g. http://127.0.0.1:PORT/scim/v2 */
  root: string;
  token: string;
  close(): Promise<void>;
}

type Stored = Record<string, any> & { id: string; meta: { created: string; lastModified: string } };

const plain = (x: unknown): Record<string, any> => JSON.parse(JSON.stringify(x ?? {}));

function store(kind: 'User' | 'Group', deviations: ScimmyDeviations = {}) {
  const items = new Map<string, Stored>();
  const deleted = new Set<string>();
  const notFound = (id: string) => new SCIMMY.Types.Error(404, null as any, `Resource ${id} not found`);
  return {
    egress: async (resource: { id?: string; filter?: { match(values: object[]): object[] } }) => {
      if (resource.id) {
        const found = items.get(resource.id);
        if (!found) throw notFound(resource.id);
        return structuredClone(found);
      }
      const all = [...items.values()].map((x) => structuredClone(x));
      return resource.filter ? resource.filter.match(all) : all;
    },
    ingress: async (resource: { id?: string }, instance: unknown) => {
      const data = plain(instance);
      delete data.id;
      delete data.meta;
      delete data.schemas;
      let clashed = false;
      if (kind === 'User') {
        const same = (a: unknown) => (deviations.caseSensitiveUserNames ? String(a) === String(data.userName) : String(a).toLowerCase() === String(data.userName ?? '').toLowerCase());
        const clash = [...items.values()].find((u) => u.id !== resource.id && same(u.userName));
        clashed = clash !== undefined;
        if (clash && !(resource.id && deviations.putClashApplied)) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${data.userName} is already taken`);
      }
      const now = new Date().toISOString();
      if (resource.id) {
        const existing = items.get(resource.id);
        if (!existing) throw notFound(resource.id);
        const next: Stored = { ...data, id: resource.id, meta: { created: existing.meta.created, lastModified: now } };
        items.set(resource.id, next);
        if (clashed && deviations.putClashApplied === 409) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${data.userName} is already taken`);
        if (clashed) throw new SCIMMY.Types.Error(500, null as any, 'unique index violated');
        return structuredClone(next);
      }
      const created: Stored = { ...data, id: randomUUID(), meta: { created: now, lastModified: now } };
      items.set(created.id, created);
      return structuredClone(created);
    },
    degress: async (resource: { id?: string }) => {
      if (deviations.deleteAgain500 && resource.id && deleted.has(resource.id)) throw new SCIMMY.Types.Error(500, null as any, 'tombstone already removed');
      if (!resource.id || !items.delete(resource.id)) throw notFound(String(resource.id));
      deleted.add(resource.id);
    },
    has: (id: string) => items.has(id),
    get: (id: string) => structuredClone(items.get(id)),
  };
}

export async function startScimmy(token = `scimmy-${randomUUID()}`, deviations: ScimmyDeviations = {}): Promise<RunningScimmy> {
  const users = store('User', deviations);
  const groups = store('Group', deviations);
  const Resources = SCIMMY.Resources as any;
  Resources.declare(SCIMMY.Resources.User).ingress(users.ingress).egress(users.egress).degress(users.degress);
  Resources.declare(SCIMMY.Resources.Group).ingress(groups.ingress).egress(groups.egress).degress(groups.degress);

  const app = express();
  let origin = '';
  app.use('/scim/v2', deviate(deviations, users));
  const Routers = SCIMMYRouters as any;
  app.use(
    '/scim/v2',
    new Routers({
      type: 'bearer',
      docUri: 'https://example.com/scim-auth',
      handler: (req: express.Request) => {
        if (req.header('authorization') !== `Bearer ${token}`) throw new Error('Authorization not detected');
        // No user is behind the token: /Me answers 501.
        return undefined;
      },
      baseUri: () => origin,
    }),
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    root: `${origin}/scim/v2`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The deviations that sit in front of SCIMMY's router (the others are in the store). */
function deviate(d: ScimmyDeviations, users: ReturnType<typeof store>): express.RequestHandler {
  const scimError = (res: express.Response, status: number, detail: string) => res.status(status).type('application/scim+json').send(JSON.stringify({ schemas: [ERROR_URN], status: String(status), detail }));
  return (req, res, next) => {
    const userId = /^\/Users\/([^/]+)$/i.exec(req.path)?.[1];
    if (d.serverErrorOnExcludedAttributes && req.query.excludedAttributes !== undefined) return void scimError(res, 500, 'NullPointerException');
    if (d.bareNotFound && req.method === 'GET' && userId && userId !== '.search' && !users.has(userId)) return void res.status(404).end();
    if (d.patchInvalidAnswered200 && req.method === 'PATCH' && userId && users.has(userId)) {
      // Read the body here: express.json() has not run yet in front of SCIMMY's router.
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const ops: any[] = (() => {
          try {
            return JSON.parse(text).Operations ?? [];
          } catch {
            return [];
          }
        })();
        const invalid = ops.some((op) => !['add', 'remove', 'replace'].includes(String(op?.op).toLowerCase()) || /\[[^\]]*$/.test(String(op?.path ?? '')) || String(op?.path).toLowerCase() === 'id');
        if (invalid) return void res.status(200).type('application/scim+json').send(JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...users.get(userId) }));
        (req as any).body = JSON.parse(text);
        (req as any)._body = true;
        next();
      });
      return;
    }
    if (d.bulkAppliedThen500 && req.method === 'POST' && /^\/Bulk$/i.test(req.path)) {
      const send = res.send.bind(res);
      (res as any).send = () => {
        res.status(500).type('application/scim+json');
        return send(JSON.stringify({ schemas: [ERROR_URN], status: '500', detail: 'upstream reset after the operations ran' }));
      };
    }
    next();
  };
}

// `npx tsx runner/test/scimmy/server.ts`: run it by hand (prints the root and the token).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const s = await startScimmy(process.env.SCIMMY_TOKEN);
  console.log(`SCIMMY at ${s.root}\ntoken: ${s.token}`);
}
