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

export interface RunningScimmy {
  /** The SCIM root, e.g. http://127.0.0.1:PORT/scim/v2 */
  root: string;
  token: string;
  close(): Promise<void>;
}

type Stored = Record<string, any> & { id: string; meta: { created: string; lastModified: string } };

const plain = (x: unknown): Record<string, any> => JSON.parse(JSON.stringify(x ?? {}));

function store(kind: 'User' | 'Group') {
  const items = new Map<string, Stored>();
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
      if (kind === 'User') {
        const name = String(data.userName ?? '').toLowerCase();
        const clash = [...items.values()].find((u) => u.id !== resource.id && String(u.userName).toLowerCase() === name);
        if (clash) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${data.userName} is already taken`);
      }
      const now = new Date().toISOString();
      if (resource.id) {
        const existing = items.get(resource.id);
        if (!existing) throw notFound(resource.id);
        const next: Stored = { ...data, id: resource.id, meta: { created: existing.meta.created, lastModified: now } };
        items.set(resource.id, next);
        return structuredClone(next);
      }
      const created: Stored = { ...data, id: randomUUID(), meta: { created: now, lastModified: now } };
      items.set(created.id, created);
      return structuredClone(created);
    },
    degress: async (resource: { id?: string }) => {
      if (!resource.id || !items.delete(resource.id)) throw notFound(String(resource.id));
    },
  };
}

export async function startScimmy(token = `scimmy-${randomUUID()}`): Promise<RunningScimmy> {
  const users = store('User');
  const groups = store('Group');
  const Resources = SCIMMY.Resources as any;
  Resources.declare(SCIMMY.Resources.User).ingress(users.ingress).egress(users.egress).degress(users.degress);
  Resources.declare(SCIMMY.Resources.Group).ingress(groups.ingress).egress(groups.egress).degress(groups.degress);

  const app = express();
  let origin = '';
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

// `npx tsx runner/test/scimmy/server.ts`: run it by hand (prints the root and the token).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const s = await startScimmy(process.env.SCIMMY_TOKEN);
  console.log(`SCIMMY at ${s.root}\ntoken: ${s.token}`);
}
