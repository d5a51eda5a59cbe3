/**
 * Contract mode's record of a connector's traffic: every request (method, path, query, redacted headers, status,
 * violations) and the report built from it (JSON, and a readable markdown summary), with a verdict: pass when no
 * request carries an error-level violation.
 *
 * Never recorded: request bodies, the bearer token (Authorization keeps only its scheme), cookies, and any header or
 * query parameter whose name says it holds a secret (token, secret, password, api key).
 *
 * Bounded whatever the client sends (RECORD_LIMITS): client strings are cut, a request keeps a few violations of each
 * rule (the others are folded into one carrying their count), and requests are listed up to a number and an
 * estimated size; beyond that they are counted. The summary always counts every request and every violation.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clip, type ApiVersion } from '../http-types.ts';
import { RULES, type RuleDef, type Severity, type Violation } from './rules.ts';

export interface ContractEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** The SDK operation id for the prefix (e.g. getScimV2Users), when the request reached a SCIM route. */
  operation?: string;
  status: number;
  /** OAuth client id behind the bearer token, when it was valid. */
  client?: string;
  headers: Record<string, string>;
  violations: Violation[];
  /** Query values and headers left out of this entry (RECORD_LIMITS). */
  omitted?: { queryValues?: number; headers?: number };
}

export interface RuleCount {
  rule: string;
  severity: Severity;
  count: number;
  title: string;
  source: string;
}

export interface ContractReport {
  format: 'scim-emulator-contract-report/1';
  apiVersion: ApiVersion;
  startedAt: string;
  generatedAt: string;
  /** pass: no error-level violation in any recorded request. */
  verdict: 'pass' | 'fail';
  summary: {
    requests: number;
    requestsWithErrors: number;
    requestsWithWarnings: number;
    errors: number;
    warnings: number;
    byRule: RuleCount[];
  };
  /** Requests beyond the record caps (RECORD_LIMITS.entries, .bytes): counted in the summary, not listed. */
  droppedEntries: number;
  rules: RuleDef[];
  requests: ContractEntry[];
}

const SECRET_NAME = /token|secret|passw|api[-_]?key|credential|session/i;
const REDACTED = '[REDACTED]';

/** What the recorder keeps, whatever a client sends (see the module comment). */
export const RECORD_LIMITS = {
  /** Requests listed in the report. */
  entries: 10_000,
  /** Estimated size of the listed requests (characters of their strings). */
  bytes: 8 * 2 ** 20,
  /** Violations of one rule listed for one request; the rest are folded into one carrying their count. */
  violationsPerRule: 3,
  /** Characters kept of a client string: path, query value, header value, violation message. */
  text: 256,
  /** Characters kept of a query parameter or header name. */
  name: 64,
  /** Query values (over all parameters) and headers listed for one request. */
  queryValues: 20,
  headers: 40,
} as const;

const text = (s: string) => clip(s, RECORD_LIMITS.text);

export function redactHeaders(headers: Record<string, string | string[] | undefined>, omitted?: { headers?: number }): Record<string, string> {
  const out: Record<string, string> = {};
  let listed = 0;
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    if (listed++ >= RECORD_LIMITS.headers) {
      if (omitted) omitted.headers = (omitted.headers ?? 0) + 1;
      continue;
    }
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const lower = clip(name.toLowerCase(), RECORD_LIMITS.name);
    if (lower === 'authorization' || lower === 'proxy-authorization') {
      const scheme = /^\s*(\S+)/.exec(value)?.[1];
      out[lower] = scheme && scheme.length <= RECORD_LIMITS.name && /^[A-Za-z][\w-]*$/.test(scheme) && value.trim() !== scheme
        ? `${scheme} ${REDACTED}`
        : REDACTED;
    } else if (lower === 'cookie' || lower === 'set-cookie' || SECRET_NAME.test(name)) {
      out[lower] = REDACTED;
    } else {
      out[lower] = text(value);
    }
  }
  return out;
}

export function redactQuery(query: Record<string, string | string[]>, omitted?: { queryValues?: number }): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  let budget: number = RECORD_LIMITS.queryValues;
  for (const [k, v] of Object.entries(query)) {
    const values = typeof v === 'string' ? [v] : v;
    const kept = values.slice(0, Math.max(0, budget));
    budget -= kept.length;
    if (kept.length < values.length && omitted) omitted.queryValues = (omitted.queryValues ?? 0) + values.length - kept.length;
    if (kept.length === 0) continue;
    const name = clip(k, RECORD_LIMITS.name);
    out[name] = SECRET_NAME.test(k) ? REDACTED : typeof v === 'string' ? text(v) : kept.map(text);
  }
  return out;
}

/**
 * One request's violations as listed: identical ones merged, at most RECORD_LIMITS.violationsPerRule per rule with
 * their message cut, the rest of each rule folded into one violation carrying their count.
 */
export function foldViolations(violations: readonly Violation[]): Violation[] {
  const byRule = new Map<string, { kept: Map<string, Violation>; more: number; first: Violation }>();
  for (const v of violations) {
    let r = byRule.get(v.rule);
    if (!r) byRule.set(v.rule, (r = { kept: new Map(), more: 0, first: v }));
    const message = text(v.message);
    const same = r.kept.get(message);
    const n = v.count ?? 1;
    if (same) same.count = (same.count ?? 1) + n;
    else if (r.kept.size < RECORD_LIMITS.violationsPerRule) r.kept.set(message, { ...v, message, ...(n > 1 ? { count: n } : {}) });
    else r.more += n;
  }
  const out: Violation[] = [];
  for (const [rule, r] of byRule) {
    out.push(...r.kept.values());
    if (r.more > 0) {
      out.push({ rule: r.first.rule, severity: r.first.severity, source: r.first.source, count: r.more,
        message: `further ${rule} violations in this request, not listed` });
    }
  }
  return out;
}

/** Characters of an entry's strings, roughly: what the report's memory and JSON grow by. */
function entrySize(e: ContractEntry): number {
  let n = 200 + e.path.length;
  for (const [k, v] of Object.entries(e.query)) n += k.length + (typeof v === 'string' ? v.length : v.reduce((a, x) => a + x.length + 4, 0));
  for (const [k, v] of Object.entries(e.headers)) n += k.length + v.length + 8;
  for (const v of e.violations) n += 60 + v.rule.length + v.message.length + v.source.length;
  return n;
}

export class ContractRecorder {
  private entries: ContractEntry[] = [];
  private seq = 0;
  private dropped = 0;
  private bytes = 0;
  private startedAt: Date;
  private counts = new Map<string, number>();
  private withErrors = 0;
  private withWarnings = 0;

  constructor(
    readonly apiVersion: ApiVersion,
    private readonly now: () => number = Date.now,
    private readonly maxEntries: number = RECORD_LIMITS.entries,
    private readonly maxBytes: number = RECORD_LIMITS.bytes,
  ) {
    this.startedAt = new Date(now());
  }

  record(entry: Omit<ContractEntry, 'seq' | 'time' | 'headers' | 'query' | 'omitted'> & {
    headers: Record<string, string | string[] | undefined>;
    query: Record<string, string | string[]>;
  }): ContractEntry {
    let errors = false;
    let warnings = false;
    for (const v of entry.violations) {
      this.counts.set(v.rule, (this.counts.get(v.rule) ?? 0) + (v.count ?? 1));
      if (v.severity === 'error') errors = true;
      else warnings = true;
    }
    if (errors) this.withErrors++;
    if (warnings) this.withWarnings++;
    const omitted: NonNullable<ContractEntry['omitted']> = {};
    const e: ContractEntry = {
      seq: ++this.seq,
      time: new Date(this.now()).toISOString(),
      method: clip(entry.method, RECORD_LIMITS.name),
      path: text(entry.path),
      query: redactQuery(entry.query, omitted),
      ...(entry.operation !== undefined ? { operation: entry.operation } : {}),
      status: entry.status,
      ...(entry.client !== undefined ? { client: entry.client } : {}),
      headers: redactHeaders(entry.headers, omitted),
      violations: foldViolations(entry.violations),
    };
    if (omitted.queryValues !== undefined || omitted.headers !== undefined) e.omitted = omitted;
    const size = entrySize(e);
    if (this.entries.length < this.maxEntries && this.bytes + size <= this.maxBytes) {
      this.entries.push(e);
      this.bytes += size;
    } else {
      this.dropped++;
    }
    return e;
  }

  reset(): void {
    this.entries = [];
    this.seq = 0;
    this.dropped = 0;
    this.bytes = 0;
    this.counts.clear();
    this.withErrors = 0;
    this.withWarnings = 0;
    this.startedAt = new Date(this.now());
  }

  report(): ContractReport {
    const byRule: RuleCount[] = [];
    let errors = 0;
    let warnings = 0;
    for (const r of RULES) {
      const count = this.counts.get(r.id) ?? 0;
      if (count === 0) continue;
      if (r.severity === 'error') errors += count;
      else warnings += count;
      byRule.push({ rule: r.id, severity: r.severity, count, title: r.title, source: r.source });
    }
    return {
      format: 'scim-emulator-contract-report/1',
      apiVersion: this.apiVersion,
      startedAt: this.startedAt.toISOString(),
      generatedAt: new Date(this.now()).toISOString(),
      verdict: errors === 0 ? 'pass' : 'fail',
      summary: {
        requests: this.seq,
        requestsWithErrors: this.withErrors,
        requestsWithWarnings: this.withWarnings,
        errors,
        warnings,
        byRule,
      },
      droppedEntries: this.dropped,
      rules: RULES.map((r) => ({ ...r })),
      requests: this.entries.map((e) => ({ ...e })),
    };
  }

  /** The readable summary (markdown). */
  text(report: ContractReport = this.report()): string {
    return renderMarkdown(report);
  }

  /** Writes contract-report.json and contract-report.md into dir; returns their paths. */
  async write(dir: string): Promise<string[]> {
    const report = this.report();
    await mkdir(dir, { recursive: true });
    const json = join(dir, 'contract-report.json');
    const md = join(dir, 'contract-report.md');
    await writeFile(json, JSON.stringify(report, null, 2) + '\n');
    await writeFile(md, renderMarkdown(report));
    return [json, md];
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: ContractReport): string {
  const lines: string[] = [];
  const verdict = r.verdict === 'pass' ? 'PASS' : 'FAIL';
  lines.push(`# Connector contract report: ${verdict}`, '');
  lines.push(`API version ${r.apiVersion} · recorded ${r.startedAt} – ${r.generatedAt}`, '');
  lines.push(
    `- requests: ${r.summary.requests} (with errors: ${r.summary.requestsWithErrors}, with warnings: ${r.summary.requestsWithWarnings})`,
    `- violations: ${r.summary.errors} error(s), ${r.summary.warnings} warning(s)`,
    `- verdict: **${verdict}** (${r.verdict === 'pass' ? 'no error-level violation' : 'at least one error-level violation'})`,
    '',
  );
  if (r.summary.byRule.length > 0) {
    lines.push('## Violations by rule', '', '| rule | severity | count | what | source |', '|---|---|---|---|---|');
    for (const c of r.summary.byRule) lines.push(`| ${c.rule} | ${c.severity} | ${c.count} | ${cell(c.title)} | ${cell(c.source)} |`);
    lines.push('');
  }
  const flagged = r.requests.filter((e) => e.violations.length > 0);
  if (flagged.length > 0) {
    lines.push('## Requests with violations', '');
    for (const e of flagged) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(e.query)) for (const x of typeof v === 'string' ? [v] : v) qs.append(k, x);
      const q = qs.toString();
      lines.push(`${e.seq}. \`${e.method} ${e.path}${q ? `?${decodeURIComponent(q.replace(/\+/g, '%20'))}` : ''}\` → ${e.status}${e.operation ? ` (${e.operation})` : ''}${e.client ? `, client ${e.client}` : ''}`);
      for (const v of e.violations) lines.push(`   - **${v.severity}** \`${v.rule}\`: ${v.message}${(v.count ?? 1) > 1 ? ` (×${v.count})` : ''}`);
    }
    lines.push('');
  }
  if (r.droppedEntries > 0) lines.push(`(${r.droppedEntries} further request(s) counted but not listed: record cap of ${RECORD_LIMITS.entries} requests or ${RECORD_LIMITS.bytes / 2 ** 20} MB reached)`, '');
  return lines.join('\n');
}
