/**
 * The resolved target: what the runner (vitest globalSetup) hands every test worker.
 * Plain data only, because it crosses the process boundary via vitest's provide/inject.
 */
import type { ApiVersion, IdentitySpec, OrgFixtures } from './env.ts';

export interface Capabilities {
  /** From ServiceProviderConfig; undefined when the server did not say. */
  etag?: boolean;
  patch?: boolean;
  filter?: boolean;
  sort?: boolean;
  bulk?: boolean;
  changePassword?: boolean;
}

export interface ResolvedTarget {
  baseUrl: string;
  targetName: string;
  embedded: boolean;
  prefixes: string[];
  apiVersion: ApiVersion;
  /** Which behaviour profile is expected (Genesys docs by default; rfc7644: RFC 7643/7644 only). */
  profile?: 'genesys' | 'rfc7644';
  /** SCIM_STRICT: SHOULD failures count like MUST failures in the verdict. */
  strict?: boolean;
  identities: { primary: IdentitySpec; limited?: IdentitySpec };
  allowWrites: boolean;
  /** Request budget per minute for the whole run; each worker gets its share. */
  rateLimitPerMinute: number;
  workers: number;
  timeoutMs: number;
  /** The embedded emulator runs its live-org profile: judged like a real org (budgets, waits), yet must pass 100%. */
  live?: boolean;
  /** Longest wait for a write to show in lists and filters (ms; 0: lists are read once). */
  indexWaitMs: number;
  /** Password for users the run creates (a secret: redacted everywhere). */
  userPassword?: string;
  capabilities: Capabilities;
  /** Why capabilities could not be read, if they could not. */
  capabilitiesNote?: string;
  org: OrgFixtures;
  run: RunInfo;
  /** SCIM requests the runner sent before the checks ran (capabilities, start-up sweep); the report counts them. */
  runnerRequests?: { atStart: number };
}

/** The profile of a target (genesys unless it says otherwise). */
export function profileOf(target: Pick<ResolvedTarget, 'profile'>): 'genesys' | 'rfc7644' {
  return target.profile ?? 'genesys';
}

/** Path of a resource collection relative to the prefix: the RFC's /Users and /Groups in the rfc7644 profile. */
export function collectionPath(target: Pick<ResolvedTarget, 'profile'>, resource: 'users' | 'groups'): string {
  if (profileOf(target) === 'rfc7644') return resource === 'users' ? '/Users' : '/Groups';
  return `/${resource}`;
}

export interface RunInfo {
  runId: string;
  /** Every name the run creates starts with this. */
  runPrefix: string;
  ledgerDir: string;
  startedAt: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    scimTarget: ResolvedTarget;
  }
}

export function newRunInfo(ledgerDir: string, now = new Date()): RunInfo {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '').slice(2, 14);
  const rand = Math.random().toString(36).slice(2, 6);
  const runId = `${stamp}-${rand}`;
  return { runId, runPrefix: `scimct-${runId}-`, ledgerDir, startedAt: now.toISOString() };
}

/** Names that start with the run prefix match this pattern (used to recognise leftovers of earlier runs). */
export const RUN_PREFIX_PATTERN = /^scimct-\d{12}-[a-z0-9]{1,4}-/;
