/**
 * What a run checks, decided before it starts (the CLI's --id, --filter and --list): which behaviours are selected,
 * the vitest test-name pattern that selects them, and, for --list, whether each would run and why not — from the
 * configuration alone, without sending a request.
 */
import { readFileSync } from 'node:fs';
import { requirementSkip } from '../harness/runtime/behaviour/skips.ts';
import { inProfile, loadCatalogue, type Behaviour } from '../harness/config/catalogue.ts';
import type { TargetConfig } from '../harness/config/env.ts';
import type { Capabilities, ResolvedTarget } from '../harness/config/target.ts';
import { embeddedOrgFixtures, ROOT } from './paths.ts';

export class SelectionError extends Error {}

/** Levenshtein distance (ids are short: a plain table is enough). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Catalogue ids close to an unknown one: a small edit away, or sharing its stem; at most `max`, nearest first. */
export function closeMatches(id: string, known: readonly string[], max = 3): string[] {
  const wanted = id.toUpperCase();
  const stem = wanted.split('-').slice(0, 2).join('-');
  return known
    .map((k) => ({ k, d: distance(wanted, k) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(wanted.length / 4)) || (stem.includes('-') && k.startsWith(stem)) || k.includes(wanted))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, max)
    .map(({ k }) => k);
}

/**
 * The catalogue entries --id names (case-insensitive, exact otherwise). An unknown id, or one of the other profile,
 * is a configuration error: one message naming every bad id, with close matches.
 */
export function resolveIds(ids: readonly string[], profile: TargetConfig['profile'], catalogue: readonly Behaviour[] = loadCatalogue()): Behaviour[] {
  const byId = new Map(catalogue.map((b) => [b.id, b]));
  const problems: string[] = [];
  const found: Behaviour[] = [];
  for (const raw of ids) {
    const b = byId.get(raw.trim().toUpperCase());
    if (!b) {
      const near = closeMatches(raw.trim(), [...byId.keys()].filter((k) => inProfile(byId.get(k)!, profile)));
      problems.push(`--id ${raw}: no behaviour has this id${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
    } else if (!inProfile(b, profile)) {
      problems.push(`--id ${raw}: ${b.id} belongs to the ${b.profiles?.join(', ') ?? 'genesys'} profile, and this run checks the ${profile} profile (SCIM_PROFILE)`);
    } else if (!found.includes(b)) {
      found.push(b);
    }
  }
  if (problems.length) throw new SelectionError(problems.join('\n'));
  return found;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The vitest test-name pattern of a selection: test names read `[ID] statement` (`› row` for case tables), so
 * `[ID]` with its brackets matches that behaviour exactly (USR-LIST, not USR-LIST-DEFAULT-ACTIVE). With --filter too,
 * a test must match both.
 */
export function testNamePattern(ids: readonly string[], filter?: string): string | undefined {
  const byId = ids.length ? `\\[(?:${ids.map(escapeRegExp).join('|')})\\]` : undefined;
  if (byId && filter) return `^(?=.*${byId})(?=.*(?:${filter}))`;
  return byId ?? filter;
}

export type PlanStatus = 'yes' | 'no' | 'if';

export interface PlanRow {
  behaviour: Behaviour;
  status: PlanStatus;
  /** Why it would not run (the skip reason the run would record), or what it depends on. */
  why?: string;
}

/** What the embedded emulator's ServiceProviderConfig declares (its fixture; the suite reads the same at run time). */
function embeddedCapabilities(): Capabilities {
  const spc = JSON.parse(readFileSync(`${ROOT}fixtures/emulator/service-provider-config.json`, 'utf8')) as Record<string, { supported?: unknown }>;
  const flag = (k: string) => (typeof spc[k]?.supported === 'boolean' ? (spc[k].supported as boolean) : undefined);
  return { etag: flag('etag'), patch: flag('patch'), filter: flag('filter'), sort: flag('sort'), bulk: flag('bulk'), changePassword: flag('changePassword') };
}

/** The target a run with this configuration would resolve, as far as it is known before any request. */
function plannedTarget(config: TargetConfig): ResolvedTarget {
  const none = { auth: { kind: 'token' as const, token: '' }, permissions: [] };
  return {
    baseUrl: config.baseUrl,
    targetName: config.targetName,
    embedded: config.embedded,
    prefixes: config.prefixes,
    apiVersion: config.apiVersion,
    profile: config.profile,
    strict: config.strict,
    // The embedded emulator runs with its demo clients (one without any permission) and allows writes.
    identities: { primary: config.primary ?? none, limited: config.embedded ? none : config.limited },
    allowWrites: config.embedded || config.allowWrites,
    rateLimitPerMinute: config.rateLimitPerMinute,
    workers: 1,
    timeoutMs: config.timeoutMs,
    indexWaitMs: config.indexWaitMs,
    cases: config.cases,
    capabilities: config.embedded ? embeddedCapabilities() : {},
    org: config.embedded ? embeddedOrgFixtures() : config.org,
    run: { runId: 'list', runPrefix: '', ledgerDir: '', startedAt: new Date(0).toISOString() },
  };
}

/**
 * Every behaviour a run with this configuration and selection would check, and whether it would run: the same
 * skip rules the run applies (harness requirementSkip), minus what only the server can tell — a ServiceProviderConfig
 * feature of a remote target is read when the run starts ("if").
 */
export function plan(config: TargetConfig, selected: { ids?: readonly string[]; filter?: string } = {}): PlanRow[] {
  const target = plannedTarget(config);
  const filter = selected.filter ? new RegExp(selected.filter) : undefined;
  return loadCatalogue()
    .filter((b) => inProfile(b, config.profile))
    .filter((b) => !selected.ids?.length || selected.ids.includes(b.id))
    .filter((b) => !filter || filter.test(`[${b.id}] ${b.title}`))
    .map((b): PlanRow => {
      if (b.status === 'pending') return { behaviour: b, status: 'no', why: 'no test yet (pending in the catalogue)' };
      const skip = requirementSkip(b, target);
      if (skip) return { behaviour: b, status: 'no', why: skip.reason };
      const unknown = (b.requires ?? []).filter((r) => r.startsWith('spc:') && target.capabilities[r.slice(4) as keyof Capabilities] === undefined);
      if (unknown.length) {
        return { behaviour: b, status: 'if', why: `runs if the server's ServiceProviderConfig declares ${unknown.map((r) => `${r.slice(4)}.supported`).join(' and ')} (read when the run starts)` };
      }
      return { behaviour: b, status: 'yes' };
    });
}

export function renderPlan(config: TargetConfig, rows: PlanRow[], selected: { ids?: readonly string[]; filter?: string } = {}): string {
  const where = config.embedded ? 'the embedded emulator' : config.baseUrl;
  const scope = `profile ${config.profile}, API version ${config.apiVersion}, prefixes ${config.prefixes.join(' ') || '/'}`;
  const narrowed = [...(selected.ids ?? []).map((id) => `--id ${id}`), ...(selected.filter ? [`--filter ${selected.filter}`] : [])];
  const idWidth = Math.max(10, ...rows.map((r) => r.behaviour.id.length));
  const lines = [
    `Behaviours a run with these options would check against ${where} (${scope})${narrowed.length ? `, selected by ${narrowed.join(' ')}` : ''}.`,
    'Listed from the configuration alone: no request was sent.',
    ...(selected.filter ? ['(--filter is matched here against "[ID] title"; the run matches it against test names.)'] : []),
    '',
    `${'id'.padEnd(idWidth)}  level   versions    run  title`,
    ...rows.map((r) => {
      const b = r.behaviour;
      return `${b.id.padEnd(idWidth)}  ${b.level.padEnd(6)}  ${b.versions.join(',').padEnd(10)}  ${r.status.padEnd(3)}  ${b.title}${r.why ? ` — ${r.why}` : ''}`;
    }),
    '',
  ];
  const count = (s: PlanStatus) => rows.filter((r) => r.status === s).length;
  const prefixes = config.prefixes.length;
  const otherProfile = loadCatalogue().filter((b) => !inProfile(b, config.profile)).length;
  lines.push(
    `${rows.length} behaviours: ${count('yes')} would run, ${count('no')} would be skipped, ${count('if')} depend on the server's ServiceProviderConfig; ` +
      `each on ${prefixes} prefix${prefixes === 1 ? '' : 'es'}. ${otherProfile} behaviours of the other profile are not part of a ${config.profile} run (SCIM_PROFILE).` +
      (narrowed.length ? '\nA narrowed run is reported as partial: its verdict is never "conformant".' : ''),
  );
  return lines.join('\n');
}
