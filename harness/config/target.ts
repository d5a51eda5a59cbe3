/**
 * The resolved target: what the runner (vitest globalSetup) hands every test worker.
 * Plain data only, because it crosses the process boundary via vitest's provide/inject.
 */
import { createHash } from 'node:crypto';
import type { ApiVersion, AuthSpec, IdentitySpec, OrgFixtures } from './env.ts';

export interface Capabilities {
  /** From ServiceProviderConfig; undefined when the server did not say. */
  etag?: boolean;
  patch?: boolean;
  filter?: boolean;
  sort?: boolean;
  bulk?: boolean;
  changePassword?: boolean;
}

export { isIdeal } from './values.ts';

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
  /** Which case-table rows each prefix sends (SCIM_CASES; default 'all'): see config/env.ts. */
  cases?: 'all' | 'spread';
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
  /** The directory of this target's ledgers (one per target identity): `<runId>.jsonl` and `<runId>.lock` live here. */
  ledgerDir: string;
  startedAt: string;
  /** What the run's ledger is matched by (a start-up sweep touches only ledgers of the same identity). */
  identity?: TargetIdentity;
}

/**
 * Which server and which data a run's ledger belongs to. A start-up sweep touches only ledgers of the same identity:
 * - `baseUrl`: scheme, host and port (two servers on one host are two targets);
 * - `profile` and `root`: the rfc7644 profile's SCIM root path (two SCIM roots on one origin are two targets); the
 *   genesys prefixes are two paths to one org, so `root` is '' there and each entry keeps the prefix it was created on;
 * - `principal`: the main identity's client id ('bearer-token' for a token): two orgs behind one API host (every
 *   Genesys org of a region shares api.<region>) are two targets, and a sweep with another org's credentials would
 *   read 404 for everything and wrongly conclude the leftovers were gone. Two orgs reached with bearer tokens on one
 *   host are told apart by SCIM_TARGET_NAME (the directory above).
 */
export interface TargetIdentity {
  baseUrl: string;
  profile: 'genesys' | 'rfc7644';
  root: string;
  principal: string;
}

export function targetIdentity(t: { baseUrl: string; profile?: 'genesys' | 'rfc7644'; prefixes: string[]; identities: { primary: { auth: AuthSpec } } }): TargetIdentity {
  const profile = t.profile ?? 'genesys';
  const auth = t.identities.primary.auth;
  return {
    baseUrl: t.baseUrl.replace(/\/+$/, '').toLowerCase(),
    profile,
    root: profile === 'rfc7644' ? (t.prefixes[0] ?? '') : '',
    principal: auth.kind === 'client-credentials' ? `client:${auth.clientId}` : 'bearer-token',
  };
}

/** A directory name for an identity: readable (host and port) and exact (a hash of every part). */
export function identityKey(id: TargetIdentity): string {
  const readable = id.baseUrl.replace(/^https?:\/\//, '').replace(/[^a-z0-9.-]+/gi, '_');
  const hash = createHash('sha256').update(JSON.stringify([id.baseUrl, id.profile, id.root, id.principal])).digest('hex').slice(0, 12);
  return `${readable}-${id.profile}-${hash}`;
}

export function sameIdentity(a: TargetIdentity | undefined, b: TargetIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.baseUrl === b.baseUrl && a.profile === b.profile && a.root === b.root && a.principal === b.principal;
}

declare module 'vitest' {
  export interface ProvidedContext {
    scimTarget: ResolvedTarget;
  }
}

export function newRunInfo(ledgerDir: string, now = new Date(), identity?: TargetIdentity): RunInfo {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '').slice(2, 14);
  const rand = Math.random().toString(36).slice(2, 6);
  const runId = `${stamp}-${rand}`;
  return { runId, runPrefix: `scimct-${runId}-`, ledgerDir, startedAt: now.toISOString(), ...(identity ? { identity } : {}) };
}

/** Names that start with the run prefix match this pattern (used to recognise leftovers of earlier runs). */
export const RUN_PREFIX_PATTERN = /^scimct-\d{12}-[a-z0-9]{1,4}-/;
