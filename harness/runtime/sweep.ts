/**
 * Sweeping a ledger (ledger.ts): removing what a run created and did not remove itself. The runner sweeps its own
 * ledger when the run ends, and at start-up the ledgers of runs on the same target identity that are dead (never one
 * whose run is still going: ledger.ts runLiveness).
 *
 * What a sweep touches, and how:
 * - a `created` entry not marked deleted: GET it by id; DELETE it only when its current name still starts with the
 *   run prefix of its ledger (a resource renamed by someone else is left alone and reported);
 * - an open intent (a create whose answer was lost: reset, timeout, killed run): look it up by its unique name
 *   (`userName eq "<name>"` / `displayName eq "<name>"`), GET every match by id, and DELETE those whose name is
 *   exactly the intent's name; when nothing is found, the intent is resolved once it is older than INTENT_GRACE_MS
 *   (a list may lag behind a create: before that it stays for the next sweep);
 * - with `prefixSweep` (rfc7644 targets whose ServiceProviderConfig declares filter support): also every user and
 *   group whose name starts with the run prefix (`sw`, at most PREFIX_PAGES pages), re-read and checked the same way:
 *   resources the run created without a ledger line (e.g. through /Bulk).
 * Nothing else is ever touched: no resource without the ledger's run prefix, no ledger of another target identity.
 */
import { rmSync } from 'node:fs';
import type { ScimClient } from './http.ts';
import { appendEntry, readLedger, type LedgerResource } from './ledger.ts';

/** How long an intent found by no lookup stays open, in case the server's lists lag behind its creates. */
export const INTENT_GRACE_MS = 2 * 60_000;
const PREFIX_PAGES = 8;
/** Genesys answers list pages over 25 with 429 (reference: count limit): page by 25. */
const PAGE = 25;

export interface CleanupOutcome {
  file: string;
  removed: string[];
  alreadyGone: string[];
  /** Resources (or intents) left in place, with the reason (not ours any more, delete refused, unreachable, not found yet). */
  kept: string[];
  /** Requests the sweep sent. */
  requests?: number;
}

export interface SweepOptions {
  /** A client of the main identity for a prefix (the one the resource was created through). */
  clientFor: (prefix: string) => ScimClient;
  /** false: the API version has no DELETE for this resource (groups on API 2019): reported as kept. */
  canDelete?: (resource: LedgerResource) => boolean;
  /** The collection path of a resource relative to the prefix (default `/users`, `/groups`). */
  path?: (resource: LedgerResource) => string;
  /** false: the server cannot filter (its ServiceProviderConfig says so): open intents cannot be looked up. */
  filter?: boolean;
  /** Also sweep by run prefix with `sw` (rfc7644 targets that declare filter support). */
  prefixSweep?: boolean;
  /** The prefixes to sweep by run prefix (default: those of the ledger's entries). */
  prefixes?: string[];
  now?: number;
  intentGraceMs?: number;
}

const NAME_ATTR: Record<LedgerResource, string> = { users: 'userName', groups: 'displayName' };

function nameOf(resource: LedgerResource, body: any): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  return resource === 'users' ? body.userName : body.displayName;
}

/**
 * Removes everything one ledger file still holds (see the module comment). The file is deleted when nothing is left;
 * otherwise it stays, with what this sweep did appended, for the next sweep.
 */
export async function cleanupLedger(file: string, options: SweepOptions): Promise<CleanupOutcome> {
  const collection = options.path ?? ((resource: LedgerResource) => `/${resource}`);
  const { header, outstanding, openIntents, problems } = readLedger(file);
  const outcome: CleanupOutcome = { file, removed: [], alreadyGone: [], kept: [...problems], requests: 0 };
  if (!header) {
    outcome.kept.push(`${file}: no header line; left untouched`);
    return outcome;
  }
  const runPrefix = header.runPrefix;
  const now = options.now ?? Date.now();
  const grace = options.intentGraceMs ?? INTENT_GRACE_MS;
  const counted = (prefix: string) => {
    const client = options.clientFor(prefix);
    const send = client.request.bind(client);
    return {
      get: (path: string, query?: Record<string, string>) => (outcome.requests!++, send('GET', path, { query })),
      delete: (path: string) => (outcome.requests!++, send('DELETE', path)),
    };
  };
  /** Ids handled in this sweep (resource/id), so a resource is never deleted twice. */
  const handled = new Set<string>();

  /** GET by id, then DELETE when its name still qualifies. */
  const removeOne = async (resource: LedgerResource, id: string, prefix: string, label: string, qualifies: (name: string) => boolean, why: string) => {
    const ref = `${resource}/${id}`;
    if (handled.has(ref)) return;
    handled.add(ref);
    if (options.canDelete && !options.canDelete(resource)) {
      outcome.kept.push(`${label}: this API version has no DELETE for ${resource}`);
      return;
    }
    const client = counted(prefix);
    const itemPath = `${collection(resource)}/${encodeURIComponent(id)}`;
    try {
      const current = await client.get(itemPath);
      if (current.status === 404) {
        outcome.alreadyGone.push(label);
        appendEntry(file, { event: 'deleted', resource, id, prefix, at: new Date().toISOString() });
        return;
      }
      const name = nameOf(resource, current.body);
      if (current.status !== 200 || !name || !qualifies(name)) {
        outcome.kept.push(`${label}: not deleted, its current name "${name ?? '?'}" (status ${current.status}) ${why}`);
        return;
      }
      const del = await client.delete(itemPath);
      if ((del.status >= 200 && del.status < 300) || del.status === 404) {
        (del.status === 404 ? outcome.alreadyGone : outcome.removed).push(label);
        appendEntry(file, { event: 'deleted', resource, id, prefix, name, at: new Date().toISOString() });
      } else outcome.kept.push(`${label}: DELETE answered ${del.status}`);
    } catch (e) {
      outcome.kept.push(`${label}: ${(e as Error).message.split('\n')[0]}`);
    }
  };

  /** Ids of resources whose name matches a filter (one page: a unique name; `pages`: walk them), or why not. */
  const lookup = async (resource: LedgerResource, prefix: string, filter: string, pages = 1): Promise<string[] | string> => {
    const client = counted(prefix);
    const ids: string[] = [];
    for (let page = 0; page < pages; page++) {
      let res;
      try {
        res = await client.get(collection(resource), pages === 1 ? { filter } : { filter, startIndex: String(page * PAGE + 1), count: String(PAGE) });
      } catch (e) {
        return (e as Error).message.split('\n')[0] ?? 'no answer';
      }
      if (res.status !== 200 || !Array.isArray(res.body?.Resources)) return `the lookup ${filter} answered ${res.status}`;
      const found = (res.body.Resources as { id?: unknown }[]).map((r) => r.id).filter((id): id is string => typeof id === 'string');
      ids.push(...found);
      const total = Number(res.body.totalResults);
      if (found.length === 0 || !(total > (page + 1) * PAGE)) break;
    }
    return ids;
  };

  for (const entry of outstanding) {
    await removeOne(entry.resource, entry.id, entry.prefix, `${entry.resource}/${entry.id} (${entry.name})`, (n) => n.startsWith(runPrefix), `no longer carries the run prefix ${runPrefix}`);
  }

  for (const intent of openIntents) {
    const label = `${intent.resource} named ${intent.name} (a create whose answer was lost)`;
    if (options.filter === false) {
      outcome.kept.push(`${label}: cannot look it up, the server does not support filters`);
      continue;
    }
    const found = await lookup(intent.resource, intent.prefix, `${NAME_ATTR[intent.resource]} eq "${intent.name}"`);
    if (typeof found === 'string') {
      outcome.kept.push(`${label}: ${found}`);
      continue;
    }
    for (const id of found) {
      // Tracked by id from now on: if its DELETE fails, the next sweep retries it like any created resource.
      appendEntry(file, { event: 'created', resource: intent.resource, id, name: intent.name, prefix: intent.prefix, at: new Date().toISOString() });
      await removeOne(intent.resource, id, intent.prefix, `${intent.resource}/${id} (${intent.name}, found by name: its create's answer was lost)`, (n) => n === intent.name, `is not ${intent.name}`);
    }
    if (found.length > 0) continue;
    if (now - Date.parse(intent.at) >= grace) {
      appendEntry(file, { event: 'resolved', resource: intent.resource, name: intent.name, prefix: intent.prefix, at: new Date().toISOString(), note: 'not found by name: the create was not applied' });
    } else {
      outcome.kept.push(`${label}: not found yet (lists may lag behind creates; looked up again by the next sweep)`);
    }
  }

  if (options.prefixSweep && options.filter !== false) {
    const prefixes = options.prefixes ?? [...new Set([...outstanding, ...openIntents].map((e) => e.prefix))];
    for (const prefix of prefixes) {
      for (const resource of ['users', 'groups'] as const) {
        const found = await lookup(resource, prefix, `${NAME_ATTR[resource]} sw "${runPrefix}"`, PREFIX_PAGES);
        // A server that refuses `sw` only loses this extra net: the ledger's entries were swept above.
        if (typeof found === 'string') continue;
        for (const id of found) {
          await removeOne(resource, id, prefix, `${resource}/${id} (found by the run prefix ${runPrefix})`, (n) => n.startsWith(runPrefix), `no longer carries the run prefix ${runPrefix}`);
        }
      }
    }
  }

  if (outcome.kept.length === 0) rmSync(file, { force: true });
  return outcome;
}
