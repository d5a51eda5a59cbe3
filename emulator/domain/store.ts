/**
 * In-memory users and groups with the indexes the filters need (id, lower-cased userName, externalId; group
 * lower-cased displayName and externalId) and the reverse membership index behind User.groups.
 * Iteration order is creation order (Map insertion order; a revived user keeps its place), so paging is stable.
 * Every write goes through `touch`, which bumps the integer version (the ETag) and lastModified.
 */

export type UserState = 'active' | 'inactive' | 'deleted';

export interface TypedValue {
  value: string;
  type: string;
  primary?: boolean;
}

export interface NamedProficiency {
  name: string;
  proficiency?: number;
}

export interface ExternalIdEntry {
  authority: string;
  value: string;
}

/** The writable state of a user, as validated from a request body. */
export interface UserData {
  userName: string;
  displayName: string;
  title?: string;
  externalId?: string;
  /** Work emails only: the `other` email is userName (derived, read-only). */
  emails: TypedValue[];
  phoneNumbers: TypedValue[];
  /** Role names as defined in the org. */
  roles: string[];
  /** Division name as defined in the org. */
  division: string;
  department?: string;
  managerId?: string;
  employeeNumber?: string;
  routingSkills: NamedProficiency[];
  routingLanguages: NamedProficiency[];
  externalIds: ExternalIdEntry[];
}

export interface UserRecord extends UserData {
  readonly id: string;
  /** Creation order (assigned by the store). */
  seq: number;
  state: UserState;
  /** Write-only; never rendered. */
  password: string;
  version: number;
  lastModified: string;
  /** Render cache (per version and base URL). */
  rendered?: { version: number; baseUrl: string; body: Record<string, unknown> };
}

export interface MemberRef {
  value: string;
  type: 'User' | 'Group';
}

export interface GroupRecord {
  readonly id: string;
  seq: number;
  displayName: string;
  /** Set (auto-generated) for groups created through SCIM POST; absent for groups made elsewhere. */
  externalId?: string;
  /** Only SCIM-created groups may be deleted. */
  scimCreated: boolean;
  members: MemberRef[];
  version: number;
  lastModified: string;
  rendered?: { version: number; baseUrl: string; body: Record<string, unknown> };
}

function addTo(index: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  let s = index.get(key);
  if (!s) index.set(key, (s = new Set()));
  s.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const s = index.get(key);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) index.delete(key);
}

export class DomainStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly groups = new Map<string, GroupRecord>();
  /** lower(userName) → id, deleted users included (a POST with their userName revives them). */
  private readonly userNameIndex = new Map<string, string>();
  private readonly userExternalIdIndex = new Map<string, Set<string>>();
  private readonly groupNameIndex = new Map<string, string>();
  private readonly groupExternalIdIndex = new Map<string, Set<string>>();
  /** member id (user or group) → ids of the groups listing it directly. */
  private readonly memberOf = new Map<string, Set<string>>();
  private seq = 0;

  constructor(readonly now: () => Date = () => new Date()) {}

  /** Bumps version and lastModified. */
  touch(rec: UserRecord | GroupRecord): void {
    rec.version += 1;
    rec.lastModified = this.now().toISOString();
  }

  // ---- users ----

  insertUser(rec: UserRecord): void {
    rec.seq = this.seq++;
    this.users.set(rec.id, rec);
    this.userNameIndex.set(rec.userName.toLowerCase(), rec.id);
    addTo(this.userExternalIdIndex, rec.externalId, rec.id);
  }

  /** Re-indexes after userName/externalId changed; call with the values before the change. */
  reindexUser(rec: UserRecord, oldUserName: string, oldExternalId: string | undefined): void {
    if (oldUserName.toLowerCase() !== rec.userName.toLowerCase()) {
      if (this.userNameIndex.get(oldUserName.toLowerCase()) === rec.id) this.userNameIndex.delete(oldUserName.toLowerCase());
      this.userNameIndex.set(rec.userName.toLowerCase(), rec.id);
    }
    if (oldExternalId !== rec.externalId) {
      removeFrom(this.userExternalIdIndex, oldExternalId, rec.id);
      addTo(this.userExternalIdIndex, rec.externalId, rec.id);
    }
  }

  /** Any state, deleted included. */
  userRecord(id: string): UserRecord | undefined {
    return this.users.get(id);
  }

  /** Active or inactive (not deleted). */
  liveUser(id: string): UserRecord | undefined {
    const u = this.users.get(id);
    return u && u.state !== 'deleted' ? u : undefined;
  }

  /** Any state, deleted included. */
  userByUserName(userName: string): UserRecord | undefined {
    const id = this.userNameIndex.get(userName.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  liveUsersByExternalId(externalId: string): UserRecord[] {
    const ids = this.userExternalIdIndex.get(externalId);
    if (!ids) return [];
    return [...ids].map((id) => this.users.get(id)!).filter((u) => u.state !== 'deleted').sort((a, b) => a.seq - b.seq);
  }

  /** Creation order, every state. */
  allUsers(): IterableIterator<UserRecord> {
    return this.users.values();
  }

  get userCount(): number {
    return this.users.size;
  }

  // ---- groups ----

  insertGroup(rec: GroupRecord): void {
    rec.seq = this.seq++;
    this.groups.set(rec.id, rec);
    this.groupNameIndex.set(rec.displayName.toLowerCase(), rec.id);
    addTo(this.groupExternalIdIndex, rec.externalId, rec.id);
    for (const m of rec.members) addTo(this.memberOf, m.value, rec.id);
  }

  group(id: string): GroupRecord | undefined {
    return this.groups.get(id);
  }

  groupByDisplayName(displayName: string): GroupRecord | undefined {
    const id = this.groupNameIndex.get(displayName.toLowerCase());
    return id === undefined ? undefined : this.groups.get(id);
  }

  groupsByExternalId(externalId: string): GroupRecord[] {
    const ids = this.groupExternalIdIndex.get(externalId);
    return ids ? [...ids].map((id) => this.groups.get(id)!).sort((a, b) => a.seq - b.seq) : [];
  }

  allGroups(): IterableIterator<GroupRecord> {
    return this.groups.values();
  }

  renameGroup(rec: GroupRecord, displayName: string): void {
    if (this.groupNameIndex.get(rec.displayName.toLowerCase()) === rec.id) this.groupNameIndex.delete(rec.displayName.toLowerCase());
    rec.displayName = displayName;
    this.groupNameIndex.set(displayName.toLowerCase(), rec.id);
  }

  /**
   * Sets a group's members and keeps the membership index in step. Users whose `groups` attribute changes are
   * touched (their representation, hence their ETag, changed) unless `touchUsers` is false (a copy of another
   * store's state, whose users carry their own versions). Returns whether anything changed.
   */
  setMembers(rec: GroupRecord, members: MemberRef[], touchUsers = true): boolean {
    const before = new Set(rec.members.map((m) => m.value));
    const after = new Set(members.map((m) => m.value));
    const changed = [...before].filter((v) => !after.has(v)).concat([...after].filter((v) => !before.has(v)));
    rec.members = members;
    for (const v of before) if (!after.has(v)) removeFrom(this.memberOf, v, rec.id);
    for (const v of after) if (!before.has(v)) addTo(this.memberOf, v, rec.id);
    if (touchUsers) {
      for (const v of changed) {
        const u = this.users.get(v);
        if (u && u.state !== 'deleted') this.touch(u);
      }
    }
    return changed.length > 0;
  }

  /** Ids of the groups that list this user or group directly, in group creation order. */
  groupsOf(memberId: string): GroupRecord[] {
    const ids = this.memberOf.get(memberId);
    if (!ids || ids.size === 0) return [];
    return [...ids].map((id) => this.groups.get(id)!).sort((a, b) => a.seq - b.seq);
  }

  /** Removes a user or group from every group listing it (touching those groups, unless `touch` is false). */
  removeFromAllGroups(memberId: string, touch = true): void {
    for (const g of this.groupsOf(memberId)) {
      this.setMembers(g, g.members.filter((m) => m.value !== memberId), touch);
      if (touch) this.touch(g);
    }
  }

  /** `touch` false: nothing else is touched (a copy of another store's state). */
  deleteGroup(rec: GroupRecord, touch = true): void {
    this.setMembers(rec, [], touch);
    this.removeFromAllGroups(rec.id, touch);
    this.groups.delete(rec.id);
    if (this.groupNameIndex.get(rec.displayName.toLowerCase()) === rec.id) this.groupNameIndex.delete(rec.displayName.toLowerCase());
    removeFrom(this.groupExternalIdIndex, rec.externalId, rec.id);
  }

  get groupCount(): number {
    return this.groups.size;
  }
}
