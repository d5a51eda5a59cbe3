/**
 * Search-index lag (the live-org profile, `indexLagMs`): user and group lists, with or without a filter, answer from
 * the org as it was `lag` ago. A created resource is not listed yet; an updated one is listed, and matched, with its
 * old values; a deleted one is still listed with its last state; after `lag` the list catches up. Reads by id and
 * writes use the store itself, so they stay immediate and consistent.
 *
 * How: the store (a TrackingStore) notes the id of every record a request inserts, touches or deletes; when the
 * request ends, those records are copied and queued with a due time (now + lag). A second store, the index, takes
 * the due copies, in order, before it answers a list (nothing runs in between, and nothing of this exists without
 * a lag: the default profile uses a plain DomainStore and unwrapped handlers).
 */
import type { ScimRequest, ScimResponse } from '../http-types.ts';
import { DomainStore, type GroupRecord, type UserRecord } from './store.ts';

/** A DomainStore that remembers which records changed since the last `takeChanged()`. */
export class TrackingStore extends DomainStore {
  private readonly changed = new Set<string>();

  override touch(rec: UserRecord | GroupRecord): void {
    super.touch(rec);
    this.changed.add(rec.id);
  }

  override insertUser(rec: UserRecord): void {
    super.insertUser(rec);
    this.changed.add(rec.id);
  }

  override insertGroup(rec: GroupRecord): void {
    super.insertGroup(rec);
    this.changed.add(rec.id);
  }

  override deleteGroup(rec: GroupRecord, touch = true): void {
    super.deleteGroup(rec, touch);
    this.changed.add(rec.id);
  }

  /** The ids changed since the last call (users and groups). */
  takeChanged(): string[] {
    if (this.changed.size === 0) return [];
    const ids = [...this.changed];
    this.changed.clear();
    return ids;
  }
}

type Snapshot =
  | { kind: 'user'; rec: UserRecord }
  | { kind: 'group'; rec: GroupRecord }
  | { kind: 'group-deleted'; id: string };

interface Pending {
  due: number;
  snap: Snapshot;
}

function copyUser(u: UserRecord): UserRecord {
  const { rendered: _, ...rest } = u;
  return {
    ...rest,
    emails: [...u.emails],
    phoneNumbers: [...u.phoneNumbers],
    roles: [...u.roles],
    routingSkills: [...u.routingSkills],
    routingLanguages: [...u.routingLanguages],
    externalIds: [...u.externalIds],
  };
}

function copyGroup(g: GroupRecord): GroupRecord {
  const { rendered: _, ...rest } = g;
  return { ...rest, members: [...g.members] };
}

/** The lagging copy of a store: `record()` after each request, `catchUp()` before each list. */
export class LaggedIndex {
  /** The store lists read from. */
  readonly index = new DomainStore();
  private queue: Pending[] = [];
  private head = 0;

  constructor(
    private readonly store: TrackingStore,
    private readonly lagMs: number,
    private readonly now: () => number,
  ) {}

  /** Queues a copy of every record the last request changed, due `lag` from now. */
  record(): void {
    const ids = this.store.takeChanged();
    if (ids.length === 0) return;
    const due = this.now() + this.lagMs;
    for (const id of ids) {
      const user = this.store.userRecord(id);
      if (user) {
        this.queue.push({ due, snap: { kind: 'user', rec: copyUser(user) } });
        continue;
      }
      const group = this.store.group(id);
      this.queue.push({ due, snap: group ? { kind: 'group', rec: copyGroup(group) } : { kind: 'group-deleted', id } });
    }
  }

  /** Applies every queued change that is due (all of them with `everything`). */
  catchUp(everything = false): void {
    const now = this.now();
    const q = this.queue;
    while (this.head < q.length && (everything || q[this.head]!.due <= now)) this.apply(q[this.head++]!.snap);
    if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  }

  /** Changes not yet visible to lists. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Applies a queued copy (owned by the queue, so it becomes the index's record or is merged into it). */
  private apply(snap: Snapshot): void {
    const index = this.index;
    if (snap.kind === 'user') {
      const cur = index.userRecord(snap.rec.id);
      if (!cur) {
        index.insertUser(snap.rec);
        return;
      }
      const { seq: _, ...fields } = snap.rec;
      const oldUserName = cur.userName;
      const oldExternalId = cur.externalId;
      Object.assign(cur, fields);
      delete cur.rendered;
      index.reindexUser(cur, oldUserName, oldExternalId);
      return;
    }
    if (snap.kind === 'group-deleted') {
      const cur = index.group(snap.id);
      if (cur) index.deleteGroup(cur, false);
      return;
    }
    const cur = index.group(snap.rec.id);
    if (!cur) {
      index.insertGroup(snap.rec);
      return;
    }
    if (cur.displayName !== snap.rec.displayName) index.renameGroup(cur, snap.rec.displayName);
    index.setMembers(cur, snap.rec.members, false);
    cur.version = snap.rec.version;
    cur.lastModified = snap.rec.lastModified;
    delete cur.rendered;
  }
}

type Handler = (req: ScimRequest) => ScimResponse;

/**
 * Handlers over a lagging index: the list handlers (built over the index) catch up first; every other handler
 * records what its request changed when it ends (also when it fails, though a failed write changes nothing).
 */
export function withIndexLag<H extends Record<string, Handler>>(
  lag: LaggedIndex,
  handlers: H,
  listHandlers: Partial<Record<keyof H, Handler>>,
): H {
  const out: Record<string, Handler> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const list = listHandlers[name as keyof H];
    out[name] = list
      ? (req) => {
        lag.catchUp();
        return list(req);
      }
      : (req) => {
        try {
          return handler(req);
        } finally {
          lag.record();
        }
      };
  }
  return out as H;
}
