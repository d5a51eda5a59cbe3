/**
 * Contract mode's record of a connector's traffic: every request (method, path, query, redacted headers, status,
 * violations) and the report built from it (JSON, and a readable markdown summary), with a verdict: pass when no
 * request carries an error-level violation.
 *
 * Never recorded: request bodies, the bearer token (Authorization keeps only its scheme), cookies, and any header or
 * query parameter whose name says it holds a secret (token, secret, password, api key).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiVersion } from '../http-types.ts';
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
  /** Requests beyond the record cap: counted in the summary, not listed. */
  droppedEntries: number;
  rules: RuleDef[];
  requests: ContractEntry[];
}

const SECRET_NAME = /token|secret|passw|api[-_]?key|credential|session/i;
const REDACTED = '[REDACTED]';
export const DEFAULT_MAX_ENTRIES = 10_000;

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'proxy-authorization') {
      const scheme = /^\s*(\S+)/.exec(value)?.[1];
      out[lower] = scheme && /^[A-Za-z][\w-]*$/.test(scheme) && value.trim() !== scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else if (lower === 'cookie' || lower === 'set-cookie' || SECRET_NAME.test(lower)) {
      out[lower] = REDACTED;
    } else {
      out[lower] = value;
    }
  }
  return out;
}

export function redactQuery(query: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(query)) out[k] = SECRET_NAME.test(k) ? REDACTED : typeof v === 'string' ? v : [...v];
  return out;
}

export class ContractRecorder {
  private entries: ContractEntry[] = [];
  private seq = 0;
  private dropped = 0;
  private startedAt: Date;
  private counts = new Map<string, number>();
  private withErrors = 0;
  private withWarnings = 0;

  constructor(
    readonly apiVersion: ApiVersion,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    this.startedAt = new Date(now());
  }

  record(entry: Omit<ContractEntry, 'seq' | 'time' | 'headers' | 'query'> & {
    headers: Record<string, string | string[] | undefined>;
    query: Record<string, string | string[]>;
  }): ContractEntry {
    const e: ContractEntry = {
      seq: ++this.seq,
      time: new Date(this.now()).toISOString(),
      method: entry.method,
      path: entry.path,
      query: redactQuery(entry.query),
      ...(entry.operation !== undefined ? { operation: entry.operation } : {}),
      status: entry.status,
      ...(entry.client !== undefined ? { client: entry.client } : {}),
      headers: redactHeaders(entry.headers),
      violations: entry.violations,
    };
    for (const v of e.violations) this.counts.set(v.rule, (this.counts.get(v.rule) ?? 0) + 1);
    if (e.violations.some((v) => v.severity === 'error')) this.withErrors++;
    if (e.violations.some((v) => v.severity === 'warning')) this.withWarnings++;
    if (this.entries.length < this.maxEntries) this.entries.push(e);
    else this.dropped++;
    return e;
  }

  reset(): void {
    this.entries = [];
    this.seq = 0;
    this.dropped = 0;
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
      for (const v of e.violations) lines.push(`   - **${v.severity}** \`${v.rule}\`: ${v.message}`);
    }
    lines.push('');
  }
  if (r.droppedEntries > 0) lines.push(`(${r.droppedEntries} further request(s) counted but not listed: record cap reached)`, '');
  return lines.join('\n');
}
