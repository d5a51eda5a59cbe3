/**
 * Bench cases. Each case prepares what it needs on a running emulator (with an admin token) and
 * returns the request path to load (compared with bare node:http serving the same body), or drives
 * the emulator itself (custom cases).
 */
import type { RunningEmulator } from '../emulator/server.ts';
import { benchPatchCases, type CustomBenchContext } from './patch-pbt.ts';

export interface BenchCase {
  name: string;
  description: string;
  /** Returns the path (with query) to GET under load. */
  prepare(emu: RunningEmulator, token: string): Promise<string>;
}

/** A case that drives the emulator itself (no GET load, no bare-server comparison) and returns its report lines. */
export interface CustomBenchCase {
  name: string;
  description: string;
  run(ctx: CustomBenchContext): Promise<string>;
}

export const isCustomCase = (c: BenchCase | CustomBenchCase): c is CustomBenchCase => 'run' in c;

/** Users in the org for the user cases: large enough that a scan instead of an index would show. */
const ORG_USERS = Number(process.env.BENCH_ORG_USERS ?? 10_000);

/** Fills the emulator with ORG_USERS users (once per process) and returns one from the middle. */
let populated: Promise<{ id: string; userName: string }> | undefined;
function populate(emu: RunningEmulator, token: string): Promise<{ id: string; userName: string }> {
  populated ??= (async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
    let middle = { id: '', userName: '' };
    const batch = 50;
    for (let i = 0; i < ORG_USERS; i += batch) {
      const made = await Promise.all(
        Array.from({ length: Math.min(batch, ORG_USERS - i) }, async (_, j) => {
          const n = i + j;
          const res = await fetch(`${emu.url}/api/v2/scim/v2/users`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `bench-${n}@example.com`, displayName: `Bench ${n}`, externalId: `ext-${n}`, active: true }),
          });
          if (res.status !== 201) throw new Error(`populating the org: POST answered ${res.status} ${await res.text()}`);
          return { n, body: (await res.json()) as { id: string; userName: string } };
        }),
      );
      for (const m of made) if (m.n === Math.floor(ORG_USERS / 2)) middle = m.body;
    }
    return middle;
  })();
  return populated;
}

export const BENCH_CASES: (BenchCase | CustomBenchCase)[] = [
  {
    name: 'user-get',
    description: `GET /users/{id} in an org of ${ORG_USERS} users (indexed lookup)`,
    prepare: async (emu, token) => `/api/v2/scim/v2/users/${(await populate(emu, token)).id}`,
  },
  {
    name: 'user-filter',
    description: `GET /users?filter=userName eq … in an org of ${ORG_USERS} users (indexed eq filter)`,
    prepare: async (emu, token) =>
      `/api/v2/scim/v2/users?filter=${encodeURIComponent(`userName eq "${(await populate(emu, token)).userName}"`)}&excludedAttributes=roles`,
  },
  {
    name: 'patch-pbt',
    description: 'generated PATCH cases per second (harness/generators/patch-requests.ts + harness/oracles/patch-model.ts, sent over HTTP)',
    run: benchPatchCases,
  },
  {
    name: 'spc',
    description: 'GET /api/v2/scim/v2/serviceproviderconfig',
    prepare: async () => '/api/v2/scim/v2/serviceproviderconfig',
  },
];
