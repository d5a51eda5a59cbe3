/**
 * Bench cases. Each case prepares what it needs on a running emulator (with an admin token) and
 * returns the request path to load. Add later cases here, e.g.:
 *   { name: 'user-get', description: 'GET /users/{id}', prepare: async (emu, token) => { create a user; return `/api/v2/scim/v2/users/${id}` } }
 *   { name: 'user-list-filter', description: 'GET /users?filter=userName eq …', prepare: … }
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

export const BENCH_CASES: (BenchCase | CustomBenchCase)[] = [
  {
    name: 'patch-pbt',
    description: 'generated PATCH cases per second (harness/arbitraries.ts + harness/patch-model.ts, sent over HTTP)',
    run: benchPatchCases,
  },
  {
    name: 'spc',
    description: 'GET /api/v2/scim/v2/serviceproviderconfig',
    prepare: async () => '/api/v2/scim/v2/serviceproviderconfig',
  },
];
