/**
 * The behaviour catalogue (catalogue/behaviours.json): one entry per checkable statement.
 * Loaded and validated once; every problem in the file is reported in a single error.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const API_VERSIONS = ['2021', '2019'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;
export type Level = (typeof LEVELS)[number];

export const STATUSES = ['active', 'pending'] as const;
export type Status = (typeof STATUSES)[number];

export const PROFILES = ['genesys', 'rfc7644'] as const;
export type Profile = (typeof PROFILES)[number];
/** Ids of the rfc7644 profile start with this; no other id does. */
export const RFC_ID_PREFIX = 'RFC-';

export const RESOURCES = [
  'auth',
  'general',
  'service-provider-config',
  'resource-types',
  'schemas',
  'users',
  'groups',
] as const;
export type Resource = (typeof RESOURCES)[number];

export interface Behaviour {
  /** UPPER-KEBAB id with a resource prefix, e.g. USR-LIST-DEFAULT-ACTIVE. */
  readonly id: string;
  readonly resource: Resource;
  /** Free-form grouping inside the resource (list, filter, patch, etag, permissions, ...). */
  readonly area: string;
  /** Present-tense statement of the behaviour. */
  readonly title: string;
  readonly level: Level;
  /** Where the behaviour comes from (seed docs, reference notes, RFC sections). */
  readonly sources: readonly string[];
  /** API versions whose doc documents the behaviour (RFC-only rules apply to both). */
  readonly versions: readonly ApiVersion[];
  /** active: a test exists; pending: not written yet. */
  readonly status: Status;
  /** Preconditions: writes, limited-identity, spc:<feature>, org:<fixture>. */
  readonly requires?: readonly string[];
  /** The profiles the behaviour belongs to (default ["genesys"]); RFC-* behaviours are ["rfc7644"]. */
  readonly profiles?: readonly Profile[];
}

/** The profiles of a behaviour: its `profiles`, or genesys when it names none. */
export function profilesOf(b: Pick<Behaviour, 'profiles'>): readonly Profile[] {
  return b.profiles ?? ['genesys'];
}

/** Whether a behaviour is checked in a run of that profile (genesys runs never see RFC-* behaviours and vice versa). */
export function inProfile(b: Pick<Behaviour, 'profiles'>, profile: Profile | undefined): boolean {
  return profilesOf(b).includes(profile ?? 'genesys');
}

export const ID_PATTERN = /^[A-Z]+(-[A-Z0-9]+)+$/;
/** Capability names accepted in `requires`. */
export const REQUIRE_PATTERN = /^(writes|limited-identity|spc:[a-z][a-zA-Z]*|org:[a-z0-9]+(-[a-z0-9]+)*)$/;

export const CATALOGUE_PATH = fileURLToPath(new URL('../../catalogue/behaviours.json', import.meta.url));

const ENTRY_KEYS = new Set(['id', 'resource', 'area', 'title', 'level', 'sources', 'versions', 'status', 'requires', 'profiles']);

export class CatalogueError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(`invalid behaviour catalogue ${source} (${problems.length} problem(s)):\n  - ${problems.join('\n  - ')}`);
    this.name = 'CatalogueError';
    this.problems = problems;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

function checkStringList(
  problems: string[],
  where: string,
  field: string,
  value: unknown,
  allowed?: readonly string[],
  pattern?: RegExp,
): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${where}: ${field} must be a non-empty array`);
    return;
  }
  const seen = new Set<unknown>();
  for (const item of value) {
    if (!isNonEmptyString(item)) problems.push(`${where}: ${field} holds a non-string or empty item ${JSON.stringify(item)}`);
    else if (allowed && !allowed.includes(item)) problems.push(`${where}: ${field} value '${item}' is not one of ${allowed.join(', ')}`);
    else if (pattern && !pattern.test(item)) problems.push(`${where}: ${field} value '${item}' does not match ${pattern}`);
    if (seen.has(item)) problems.push(`${where}: ${field} lists '${String(item)}' twice`);
    seen.add(item);
  }
}

/** Every problem of a parsed catalogue file; empty when it is valid. */
export function validateCatalogue(data: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(data)) return ['the file must hold a JSON object { "version": 1, "behaviours": [...] }'];
  if (data.version !== 1) problems.push(`version must be 1 (found ${JSON.stringify(data.version)})`);
  for (const key of Object.keys(data)) {
    if (key !== 'version' && key !== 'behaviours') problems.push(`unknown top-level key '${key}'`);
  }
  if (!Array.isArray(data.behaviours)) {
    problems.push('behaviours must be an array');
    return problems;
  }
  const firstIndex = new Map<string, number>();
  data.behaviours.forEach((entry: unknown, index: number) => {
    if (!isObject(entry)) {
      problems.push(`behaviours[${index}]: must be an object`);
      return;
    }
    const id = entry.id;
    const where = isNonEmptyString(id) ? `${id} (behaviours[${index}])` : `behaviours[${index}]`;
    if (!isNonEmptyString(id)) problems.push(`${where}: id must be a non-empty string`);
    else {
      if (!ID_PATTERN.test(id)) problems.push(`${where}: id does not match ${ID_PATTERN}`);
      const first = firstIndex.get(id);
      if (first !== undefined) problems.push(`${where}: duplicate id (first at behaviours[${first}])`);
      else firstIndex.set(id, index);
    }
    for (const key of Object.keys(entry)) {
      if (!ENTRY_KEYS.has(key)) problems.push(`${where}: unknown key '${key}'`);
    }
    if (!RESOURCES.includes(entry.resource as Resource)) {
      problems.push(`${where}: resource ${JSON.stringify(entry.resource)} is not one of ${RESOURCES.join(', ')}`);
    }
    if (!isNonEmptyString(entry.area)) problems.push(`${where}: area must be a non-empty string`);
    if (!isNonEmptyString(entry.title)) problems.push(`${where}: title must be a non-empty string`);
    if (!LEVELS.includes(entry.level as Level)) {
      problems.push(`${where}: level ${JSON.stringify(entry.level)} is not one of ${LEVELS.join(', ')}`);
    }
    if (!STATUSES.includes(entry.status as Status)) {
      problems.push(`${where}: status ${JSON.stringify(entry.status)} is not one of ${STATUSES.join(', ')}`);
    }
    checkStringList(problems, where, 'sources', entry.sources);
    checkStringList(problems, where, 'versions', entry.versions, API_VERSIONS);
    if (entry.requires !== undefined) checkStringList(problems, where, 'requires', entry.requires, undefined, REQUIRE_PATTERN);
    if (entry.profiles !== undefined) checkStringList(problems, where, 'profiles', entry.profiles, PROFILES);
    if (isNonEmptyString(id)) {
      const rfc = id.startsWith(RFC_ID_PREFIX);
      const profiles = Array.isArray(entry.profiles) ? entry.profiles : ['genesys'];
      if (rfc && !(profiles.length === 1 && profiles[0] === 'rfc7644')) problems.push(`${where}: an ${RFC_ID_PREFIX}* id belongs to profiles ["rfc7644"] only`);
      if (!rfc && profiles.includes('rfc7644')) problems.push(`${where}: only ${RFC_ID_PREFIX}* ids belong to the rfc7644 profile`);
    }
  });
  return problems;
}

/** Validates parsed catalogue data and returns its behaviours (frozen); throws CatalogueError listing every problem. */
export function parseCatalogue(data: unknown, source = 'catalogue/behaviours.json'): readonly Behaviour[] {
  const problems = validateCatalogue(data);
  if (problems.length > 0) throw new CatalogueError(source, problems);
  const list = (data as { behaviours: Behaviour[] }).behaviours;
  for (const entry of list) {
    Object.freeze(entry.sources);
    Object.freeze(entry.versions);
    if (entry.requires) Object.freeze(entry.requires);
    if (entry.profiles) Object.freeze(entry.profiles);
    Object.freeze(entry);
  }
  return Object.freeze(list);
}

interface Loaded {
  list: readonly Behaviour[];
  byId: ReadonlyMap<string, Behaviour>;
}
let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  let text: string;
  try {
    text = readFileSync(CATALOGUE_PATH, 'utf8');
  } catch (err) {
    throw new CatalogueError(CATALOGUE_PATH, [`cannot read the file: ${(err as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CatalogueError(CATALOGUE_PATH, [`not valid JSON: ${(err as Error).message}`]);
  }
  const list = parseCatalogue(data, CATALOGUE_PATH);
  loaded = { list, byId: new Map(list.map((b) => [b.id, b])) };
  return loaded;
}

/** All behaviours, in file order. The file is read and validated on the first call only. */
export function loadCatalogue(): Behaviour[] {
  return [...load().list];
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The behaviour with that id; throws a clear error (with close matches) for an unknown id. */
export function getBehaviour(id: string): Behaviour {
  const { list, byId } = load();
  const found = byId.get(id);
  if (found) return found;
  const close = list
    .map((b) => ({ id: b.id, d: editDistance(id, b.id) }))
    .filter((c) => c.d <= Math.max(3, Math.floor(id.length / 4)))
    .sort((x, y) => x.d - y.d)
    .slice(0, 3)
    .map((c) => c.id);
  const hint = close.length > 0 ? ` Did you mean ${close.join(', ')}?` : '';
  throw new Error(`unknown behaviour id '${id}': it is not in catalogue/behaviours.json.${hint}`);
}

/** The behaviours that apply to an API version (those whose `versions` list it), optionally of one profile only. */
export function behavioursFor(version: ApiVersion, profile?: Profile): Behaviour[] {
  if (!API_VERSIONS.includes(version)) {
    throw new Error(`unknown API version '${String(version)}' (expected one of ${API_VERSIONS.join(', ')})`);
  }
  return load().list.filter((b) => b.versions.includes(version) && (profile === undefined || inProfile(b, profile)));
}
