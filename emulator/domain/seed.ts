/**
 * The seed org: the directory objects SCIM can reference by name (divisions, roles, routing skills and languages)
 * plus the users and groups present at start-up. Default: fixtures/emulator/seed-org.json.
 *
 * Seed users are written like ScimV2CreateUser bodies (with a fixed `id`) and go through the same validation as
 * a POST, in file order (so a manager comes before the users reporting to them). Seed groups have fixed ids; a
 * group with `externalId` counts as SCIM-created (deletable), one without was made outside SCIM.
 */
import { readFileSync } from 'node:fs';

export interface NamedObject {
  id: string;
  name: string;
}

export interface SeedGroup {
  id: string;
  displayName: string;
  /** Present ⇒ created through SCIM (the auto-generated externalId), so DELETE is allowed. */
  externalId?: string;
  /** User or group ids. */
  members: string[];
}

export interface SeedOrg {
  name: string;
  /** Division given to users whose enterprise `division` is not set. */
  defaultDivision: string;
  /** Role given to users created without roles. */
  defaultRole: string;
  divisions: NamedObject[];
  roles: NamedObject[];
  routingSkills: NamedObject[];
  routingLanguages: NamedObject[];
  /** ScimV2CreateUser-shaped bodies with a fixed `id`. */
  users: (Record<string, unknown> & { id: string })[];
  groups: SeedGroup[];
}

export const DEFAULT_SEED_ORG_URL = new URL('../../fixtures/emulator/seed-org.json', import.meta.url);

export function loadSeedOrg(path: string | URL = DEFAULT_SEED_ORG_URL): SeedOrg {
  const org = JSON.parse(readFileSync(path, 'utf8')) as SeedOrg;
  for (const key of ['divisions', 'roles', 'routingSkills', 'routingLanguages', 'users', 'groups'] as const) {
    if (!Array.isArray(org[key])) throw new Error(`seed org ${String(path)}: "${key}" must be an array`);
  }
  return org;
}

/** Name lookups: roles and divisions case-insensitively, skills and languages case-sensitively (doc: "case-sensitive name"). */
export class OrgCatalog {
  private readonly roles: Map<string, NamedObject>;
  private readonly divisions: Map<string, NamedObject>;
  private readonly skills: Map<string, NamedObject>;
  private readonly languages: Map<string, NamedObject>;
  readonly defaultDivision: string;
  readonly defaultRole: string;

  constructor(org: SeedOrg) {
    this.roles = new Map(org.roles.map((r) => [r.name.toLowerCase(), r]));
    this.divisions = new Map(org.divisions.map((d) => [d.name.toLowerCase(), d]));
    this.skills = new Map(org.routingSkills.map((s) => [s.name, s]));
    this.languages = new Map(org.routingLanguages.map((l) => [l.name, l]));
    const div = this.division(org.defaultDivision);
    const role = this.role(org.defaultRole);
    if (!div) throw new Error(`seed org: defaultDivision "${org.defaultDivision}" is not a division`);
    if (!role) throw new Error(`seed org: defaultRole "${org.defaultRole}" is not a role`);
    this.defaultDivision = div.name;
    this.defaultRole = role.name;
  }

  role(name: string): NamedObject | undefined {
    return this.roles.get(name.toLowerCase());
  }

  division(name: string): NamedObject | undefined {
    return this.divisions.get(name.toLowerCase());
  }

  skill(name: string): NamedObject | undefined {
    return this.skills.get(name);
  }

  language(name: string): NamedObject | undefined {
    return this.languages.get(name);
  }
}
