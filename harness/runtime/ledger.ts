/**
 * The run ledger: every resource a run creates is appended to a JSON-lines file before the
 * test goes on, and marked when the test deletes it. At the end of the run (and at the start of
 * the next one, for runs that were interrupted) the outstanding entries are removed, but only
 * after re-reading each resource and checking that its name still carries the run's prefix:
 * the suite never deletes what it did not create.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ScimClient } from './http.ts';
import type { RunInfo } from '../config/target.ts';

export type LedgerResource = 'users' | 'groups';

export interface LedgerHeader {
  event: 'run';
  runId: string;
  runPrefix: string;
  baseUrl: string;
  targetName: string;
  startedAt: string;
}

export interface LedgerEntry {
  event: 'created' | 'deleted';
  resource: LedgerResource;
  id: string;
  /** userName or displayName at creation (starts with the run prefix). */
  name: string;
  prefix: string;
  at: string;
}

export function ledgerDirFor(root: string, targetName: string): string {
  return join(root, targetName);
}

export class RunLedger {
  readonly file: string;
  constructor(
    readonly run: RunInfo,
    readonly targetName: string,
    readonly baseUrl: string,
  ) {
    const dir = ledgerDirFor(run.ledgerDir, targetName);
    this.file = join(dir, `${run.runId}.jsonl`);
  }

  /** Creates the file with its header line (idempotent; safe from several workers). */
  open(): this {
    const dir = ledgerDirFor(this.run.ledgerDir, this.targetName);
    mkdirSync(dir, { recursive: true });
    if (!existsSync(this.file)) {
      const header: LedgerHeader = {
        event: 'run',
        runId: this.run.runId,
        runPrefix: this.run.runPrefix,
        baseUrl: this.baseUrl,
        targetName: this.targetName,
        startedAt: this.run.startedAt,
      };
      appendFileSync(this.file, `${JSON.stringify(header)}\n`);
    }
    return this;
  }

  created(resource: LedgerResource, id: string, name: string, prefix: string): void {
    if (!name.startsWith(this.run.runPrefix)) {
      throw new Error(`refusing to register "${name}": created names must start with the run prefix ${this.run.runPrefix}`);
    }
    this.append({ event: 'created', resource, id, name, prefix, at: new Date().toISOString() });
  }

  deleted(resource: LedgerResource, id: string, prefix: string): void {
    this.append({ event: 'deleted', resource, id, name: '', prefix, at: new Date().toISOString() });
  }

  private append(e: LedgerEntry): void {
    // Small appends with O_APPEND are atomic on local file systems, so workers can share the file.
    appendFileSync(this.file, `${JSON.stringify(e)}\n`);
  }
}

export interface LedgerContents {
  header?: LedgerHeader;
  outstanding: LedgerEntry[];
  problems: string[];
}

export function readLedger(file: string): LedgerContents {
  const problems: string[] = [];
  let header: LedgerHeader | undefined;
  const open = new Map<string, LedgerEntry>();
  const lines = readFileSync(file, 'utf8').split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let rec: any;
    try {
      rec = JSON.parse(line);
    } catch {
      problems.push(`${file}:${i + 1}: not JSON (a write was interrupted?)`);
      continue;
    }
    if (rec.event === 'run') header = rec;
    else if (rec.event === 'created') open.set(`${rec.resource}/${rec.id}`, rec);
    else if (rec.event === 'deleted') open.delete(`${rec.resource}/${rec.id}`);
  }
  return { header, outstanding: [...open.values()], problems };
}

export function ledgerFiles(root: string, targetName: string): string[] {
  const dir = ledgerDirFor(root, targetName);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(dir, f));
}

export interface CleanupOutcome {
  file: string;
  removed: string[];
  alreadyGone: string[];
  /** Resources left in place, with the reason (not ours any more, delete refused, unreachable). */
  kept: string[];
}

function nameOf(resource: LedgerResource, body: any): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  return resource === 'users' ? body.userName : body.displayName;
}

/**
 * Removes every outstanding resource of one ledger file. `clientFor(prefix)` gives a client for
 * the prefix the resource was created on. The file is deleted when nothing is left.
 */
export async function cleanupLedger(
  file: string,
  clientFor: (prefix: string) => ScimClient,
  options: { canDelete?: (resource: LedgerResource) => boolean; path?: (resource: LedgerResource) => string } = {},
): Promise<CleanupOutcome> {
  const collection = options.path ?? ((resource: LedgerResource) => `/${resource}`);
  const { header, outstanding, problems } = readLedger(file);
  const outcome: CleanupOutcome = { file, removed: [], alreadyGone: [], kept: [...problems] };
  if (!header) {
    outcome.kept.push(`${file}: no header line; left untouched`);
    return outcome;
  }
  for (const entry of outstanding) {
    const label = `${entry.resource}/${entry.id} (${entry.name})`;
    if (options.canDelete && !options.canDelete(entry.resource)) {
      outcome.kept.push(`${label}: this API version has no DELETE for ${entry.resource}`);
      continue;
    }
    try {
      const client = clientFor(entry.prefix);
      const current = await client.get(`${collection(entry.resource)}/${encodeURIComponent(entry.id)}`);
      if (current.status === 404) {
        outcome.alreadyGone.push(label);
        continue;
      }
      const name = nameOf(entry.resource, current.body);
      if (current.status !== 200 || !name || !name.startsWith(header.runPrefix)) {
        outcome.kept.push(
          `${label}: not deleted, its current name "${name ?? '?'}" (status ${current.status}) no longer carries the run prefix ${header.runPrefix}`,
        );
        continue;
      }
      const del = await client.delete(`${collection(entry.resource)}/${encodeURIComponent(entry.id)}`);
      if (del.status >= 200 && del.status < 300) outcome.removed.push(label);
      else if (del.status === 404) outcome.alreadyGone.push(label);
      else outcome.kept.push(`${label}: DELETE answered ${del.status}`);
    } catch (e) {
      outcome.kept.push(`${label}: ${(e as Error).message}`);
    }
  }
  if (outcome.kept.length === 0) rmSync(file, { force: true });
  return outcome;
}
