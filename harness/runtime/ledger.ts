/**
 * The run ledger: what a run is about to create and has created on a target, so that nothing it creates is ever
 * left behind, even when the run is interrupted, killed, or a create's answer is lost.
 *
 * Layout: `<ledger root>/<target name>/<identity key>/` holds, per run, `<runId>.jsonl` (JSON lines, appended) and
 * `<runId>.lock` (the run's liveness: pid and host; its mtime is a heartbeat the run refreshes while it lives).
 *
 * Lines of `<runId>.jsonl`, in order of writing:
 * - `run`: the header: run id and prefix, the target identity (config/target.ts TargetIdentity), pid, host;
 * - `intent`: written BEFORE a create is sent, with the run-scoped name the resource will carry;
 * - `created`: the create was answered with the new resource's id (`ambiguous` when an earlier attempt of that POST
 *   got no answer: the server may hold a second copy);
 * - `failed`: the create was answered without creating anything (a clean 4xx);
 * - `resolved`: a sweep looked an open intent up by its name long enough after it and found nothing;
 * - `deleted`: the resource was removed (by its test, or by a sweep).
 *
 * An intent with no `created` (or only an ambiguous one) and no `failed` is open: its POST may have been applied
 * although its answer was lost. A sweep resolves it by looking the resource up by its unique name (sweep.ts).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { identityKey, type RunInfo, type TargetIdentity } from '../config/target.ts';

export type LedgerResource = 'users' | 'groups';

export interface LedgerHeader {
  event: 'run';
  runId: string;
  runPrefix: string;
  targetName: string;
  startedAt: string;
  /** Absent in ledgers written before liveness and identities (version 1). */
  identity?: TargetIdentity;
  /** Kept for ledgers of version 1 (their only identity). */
  baseUrl: string;
  pid?: number;
  hostname?: string;
  version?: 2;
}

interface Named {
  resource: LedgerResource;
  /** userName or displayName (starts with the run prefix). */
  name: string;
  /** The prefix (SCIM root) the resource was created through, and is swept through. */
  prefix: string;
  at: string;
}
export type LedgerEntry =
  | (Named & { event: 'intent' })
  | (Named & { event: 'created'; id: string; ambiguous?: boolean })
  | (Named & { event: 'failed'; status?: number })
  | (Named & { event: 'resolved'; note: string })
  | { event: 'deleted'; resource: LedgerResource; id: string; prefix: string; name?: string; at: string };

export type CreatedEntry = Extract<LedgerEntry, { event: 'created' }>;
export type IntentEntry = Extract<LedgerEntry, { event: 'intent' }>;

/** The directory of a target name (all identities), or of one identity of it. */
export function ledgerDirFor(root: string, targetName: string, identity?: TargetIdentity): string {
  return identity ? join(root, targetName, identityKey(identity)) : join(root, targetName);
}

export function ledgerFileOf(run: Pick<RunInfo, 'ledgerDir' | 'runId'>): string {
  return join(run.ledgerDir, `${run.runId}.jsonl`);
}

export function lockFileOf(ledgerFile: string): string {
  return ledgerFile.replace(/\.jsonl$/, '.lock');
}

export class RunLedger {
  readonly file: string;
  /** resource/id of what this process registered: the resources the run knows it created. */
  private readonly known = new Set<string>();
  constructor(
    readonly run: RunInfo,
    readonly targetName: string,
  ) {
    this.file = ledgerFileOf(run);
  }

  /** Creates the file with its header line (idempotent; safe from several workers). */
  open(): this {
    mkdirSync(this.run.ledgerDir, { recursive: true });
    if (!existsSync(this.file)) {
      const header: LedgerHeader = {
        event: 'run',
        version: 2,
        runId: this.run.runId,
        runPrefix: this.run.runPrefix,
        targetName: this.targetName,
        startedAt: this.run.startedAt,
        identity: this.run.identity,
        baseUrl: this.run.identity?.baseUrl ?? '',
        pid: process.pid,
        hostname: hostname(),
      };
      appendFileSync(this.file, `${JSON.stringify(header)}\n`);
    }
    return this;
  }

  private owned(name: string): void {
    if (!name.startsWith(this.run.runPrefix)) {
      throw new Error(`refusing to register "${name}": created names must start with the run prefix ${this.run.runPrefix}`);
    }
  }

  /** Before a create is sent: the run-scoped name the resource will carry. */
  intent(resource: LedgerResource, name: string, prefix: string): void {
    this.owned(name);
    this.append({ event: 'intent', resource, name, prefix, at: now() });
  }

  /**
   * A resource the run created. `lost`: found by its name after its create's answer was lost, tracked so that it is
   * removed, but not one the run knows it made (creates.ts settles such copies away).
   */
  created(resource: LedgerResource, id: string, name: string, prefix: string, options: { ambiguous?: boolean; lost?: boolean } = {}): void {
    this.owned(name);
    if (!options.lost) this.known.add(`${resource}/${id}`);
    this.append({ event: 'created', resource, id, name, prefix, at: now(), ...(options.ambiguous ? { ambiguous: true } : {}) });
  }

  /** Whether this process registered that resource (created by a create the run knows the answer of). */
  knows(resource: LedgerResource, id: string): boolean {
    return this.known.has(`${resource}/${id}`);
  }

  /** The create was answered without creating anything: its intent is resolved. */
  failed(resource: LedgerResource, name: string, prefix: string, status?: number): void {
    this.append({ event: 'failed', resource, name, prefix, at: now(), ...(status !== undefined ? { status } : {}) });
  }

  deleted(resource: LedgerResource, id: string, prefix: string): void {
    appendEntry(this.file, { event: 'deleted', resource, id, prefix, at: now() });
  }

  private append(e: LedgerEntry): void {
    appendEntry(this.file, e);
  }
}

const now = () => new Date().toISOString();

/** Small appends with O_APPEND are atomic on local file systems, so workers (and a sweep) can share a file. */
export function appendEntry(file: string, e: LedgerEntry): void {
  appendFileSync(file, `${JSON.stringify(e)}\n`);
}

export interface LedgerContents {
  header?: LedgerHeader;
  /** Created and not deleted. */
  outstanding: CreatedEntry[];
  /** Intents whose create may have been applied without the run knowing the id (see the module comment). */
  openIntents: IntentEntry[];
  problems: string[];
}

const key = (resource: string, name: string) => `${resource}\u0000${name}`;

export function readLedger(file: string): LedgerContents {
  const problems: string[] = [];
  let header: LedgerHeader | undefined;
  const open = new Map<string, CreatedEntry>();
  /** An intent stays open until a later line resolves it (a name may be posted twice, e.g. by a uniqueness check). */
  const intents = new Map<string, IntentEntry>();
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
    else if (rec.event === 'intent') intents.set(key(rec.resource, rec.name), rec);
    else if (rec.event === 'created') {
      open.set(`${rec.resource}/${rec.id}`, rec);
      if (!rec.ambiguous) intents.delete(key(rec.resource, rec.name));
    } else if (rec.event === 'failed' || rec.event === 'resolved') intents.delete(key(rec.resource, rec.name));
    else if (rec.event === 'deleted') open.delete(`${rec.resource}/${rec.id}`);
  }
  return { header, outstanding: [...open.values()], openIntents: [...intents.values()], problems };
}

/** Ledger files of one identity directory (or, for version-1 ledgers, of a target-name directory). */
export function ledgerFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(dir, f));
}

// ---------------------------------------------------------------------------------------------------------------
// Liveness: a sweep never touches the ledger of a run that is still going.

/** How often a live run refreshes its lock's mtime. */
export const HEARTBEAT_MS = 15_000;
/** A lock not refreshed for this long belongs to a dead run (on any host; also covers a reused pid). */
export const STALE_MS = 3 * 60_000;

export interface LockInfo {
  runId: string;
  pid: number;
  hostname: string;
  startedAt: string;
}

/** The liveness signal of a run: `<runId>.lock` holds pid and host; its mtime is refreshed every HEARTBEAT_MS. */
export class RunLock {
  private timer: NodeJS.Timeout | undefined;
  readonly file: string;
  constructor(run: Pick<RunInfo, 'ledgerDir' | 'runId' | 'startedAt'>) {
    this.file = lockFileOf(ledgerFileOf(run));
    this.info = { runId: run.runId, pid: process.pid, hostname: hostname(), startedAt: run.startedAt };
  }
  private readonly info: LockInfo;

  /** Writes the lock (before anything is created) and keeps it fresh while the process lives. */
  acquire(): this {
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify(this.info)}\n`);
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
    return this;
  }

  beat(at = new Date()): void {
    try {
      utimesSync(this.file, at, at);
    } catch {
      /* removed under us (released): nothing to refresh */
    }
  }

  /** The run ended: what its ledger still holds is for the next run's sweep. */
  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    rmSync(this.file, { force: true });
  }
}

export interface Liveness {
  alive: boolean;
  /** Why, in words, for the start-up log: "process 4711 on ci-7 is running, heartbeat 5 s ago". */
  why: string;
}

export interface LivenessProbe {
  now?: number;
  hostname?: string;
  /** Whether a process of this host with this pid exists (default: process.kill(pid, 0)). */
  pidAlive?: (pid: number) => boolean;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the run of a ledger is still going. Alive: its lock exists, was refreshed less than STALE_MS ago, and (on
 * this host) its process exists. Dead: no lock (the run ended, or the ledger predates locks and was last written
 * more than STALE_MS ago), a stale heartbeat, or its process is gone on this host (a killed run is swept at once).
 */
export function runLiveness(ledgerFile: string, probe: LivenessProbe = {}): Liveness {
  const at = probe.now ?? Date.now();
  const lockFile = lockFileOf(ledgerFile);
  const age = (file: string) => Math.round((at - statSync(file).mtimeMs) / 1000);
  if (!existsSync(lockFile)) {
    const header = existsSync(ledgerFile) ? readLedger(ledgerFile).header : undefined;
    if (header?.version === undefined && existsSync(ledgerFile) && age(ledgerFile) * 1000 < STALE_MS) {
      return { alive: true, why: `a ledger without a lock (an older version of the suite), written ${age(ledgerFile)} s ago` };
    }
    return { alive: false, why: 'its run ended (no lock)' };
  }
  let lock: Partial<LockInfo> = {};
  try {
    lock = JSON.parse(readFileSync(lockFile, 'utf8')) as LockInfo;
  } catch {
    /* a lock being written: judged by its heartbeat alone */
  }
  const beat = age(lockFile);
  if (beat * 1000 > STALE_MS) return { alive: false, why: `its heartbeat stopped ${beat} s ago` };
  const here = probe.hostname ?? hostname();
  if (lock.pid !== undefined && lock.hostname === here && !(probe.pidAlive ?? pidAlive)(lock.pid)) {
    return { alive: false, why: `its process ${lock.pid} on ${here} is gone` };
  }
  return { alive: true, why: `process ${lock.pid ?? '?'} on ${lock.hostname ?? '?'} is running, heartbeat ${beat} s ago` };
}
