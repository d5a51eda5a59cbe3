import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_PATH,
  CatalogueError,
  behavioursFor,
  getBehaviour,
  inProfile,
  loadCatalogue,
  parseCatalogue,
  validateCatalogue,
} from '../harness/config/catalogue.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUITES = join(ROOT, 'suites');
const ARCHITECTURE = join(ROOT, 'docs', 'ARCHITECTURE.md');

/** Every .ts file under dir (recursive); none when dir does not exist yet. */
function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Ids used as the first argument of behaviour('ID', ...) / behaviour.for('ID', ...), with the files naming them. */
function idsUsedBySuites(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const call = /(?<![\w$.])behaviour(?:\.for)?\(\s*(['"])([^'"\n]+)\1/g;
  for (const file of tsFiles(SUITES)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(call)) {
      const files = used.get(m[2]) ?? [];
      const rel = relative(ROOT, file);
      if (!files.includes(rel)) files.push(rel);
      used.set(m[2], files);
    }
  }
  return used;
}

/** The fixed discovery and cross-cutting ids of docs/ARCHITECTURE.md: `| ID | LEVEL | statement |` rows. */
function fixedIds(): { id: string; level: string }[] {
  const text = readFileSync(ARCHITECTURE, 'utf8');
  const section = text.split('### Discovery and cross-cutting ids (fixed)')[1] ?? '';
  return [...section.matchAll(/^\|\s*([A-Z][A-Z0-9-]+)\s*\|\s*(MUST|SHOULD|MAY)\s*\|/gm)].map((m) => ({ id: m[1], level: m[2] }));
}

const list = (ids: Iterable<string>) => [...ids].map((id) => `\n  - ${id}`).join('');

describe('catalogue/behaviours.json', () => {
  it('is valid (unique ids, id pattern, enums, sources, versions)', () => {
    const problems = validateCatalogue(JSON.parse(readFileSync(CATALOGUE_PATH, 'utf8')));
    expect(problems, `catalogue problems:${list(problems)}`).toEqual([]);
    expect(loadCatalogue().length).toBeGreaterThan(0);
  });

  it('holds every fixed discovery/cross-cutting id of docs/ARCHITECTURE.md, active and at the documented level', () => {
    const fixed = fixedIds();
    expect(fixed.length, 'no fixed ids found in docs/ARCHITECTURE.md').toBeGreaterThan(0);
    const byId = new Map(loadCatalogue().map((b) => [b.id, b]));
    const wrong = fixed.flatMap(({ id, level }) => {
      const b = byId.get(id);
      if (!b) return [`${id}: missing`];
      const issues: string[] = [];
      if (b.level !== level) issues.push(`${id}: level ${b.level}, documented ${level}`);
      if (b.status !== 'active') issues.push(`${id}: status ${b.status}, expected active`);
      return issues;
    });
    expect(wrong, `fixed ids that do not match docs/ARCHITECTURE.md:${list(wrong)}`).toEqual([]);
  });

  it('ids carry the prefix of their resource', () => {
    const prefix: Record<string, string> = {
      auth: 'AUTH-',
      general: 'GEN-',
      'service-provider-config': 'SPC-',
      'resource-types': 'RT-',
      schemas: 'SCH-',
      users: 'USR-',
      groups: 'GRP-',
    };
    const wrong = loadCatalogue()
      .filter((b) => !inProfile(b, 'rfc7644'))
      .filter((b) => !b.id.startsWith(prefix[b.resource]))
      .map((b) => `${b.id} (resource ${b.resource}, expected prefix ${prefix[b.resource]})`);
    expect(wrong, `ids without their resource prefix:${list(wrong)}`).toEqual([]);
  });
});

describe('profiles', () => {
  it('RFC-* ids are exactly the rfc7644 behaviours, and their tests live in suites/rfc7644/ only', () => {
    const catalogue = loadCatalogue();
    const mixed = catalogue.filter((b) => b.id.startsWith('RFC-') !== inProfile(b, 'rfc7644') || inProfile(b, 'rfc7644') === inProfile(b, 'genesys'));
    expect(mixed.map((b) => b.id)).toEqual([]);
    expect(catalogue.some((b) => inProfile(b, 'rfc7644'))).toBe(true);
    const misplaced = [...idsUsedBySuites()].flatMap(([id, files]) =>
      files.filter((f) => f.split(/[\\/]/)[1] === 'rfc7644' ? !id.startsWith('RFC-') : id.startsWith('RFC-')).map((f) => `${id} in ${f}`),
    );
    expect(misplaced, `behaviours of one profile tested in the other profile's suites:${list(misplaced)}`).toEqual([]);
  });

  it('behavioursFor filters by profile', () => {
    expect(behavioursFor('2021', 'genesys').some((b) => b.id.startsWith('RFC-'))).toBe(false);
    expect(behavioursFor('2021', 'rfc7644').every((b) => b.id.startsWith('RFC-'))).toBe(true);
    const bad = { version: 1, behaviours: [{ id: 'RFC-X', resource: 'users', area: 'x', title: 't', level: 'MUST', sources: ['s'], versions: ['2021'], status: 'active' }] };
    expect(validateCatalogue(bad).some((p) => p.includes('profiles ["rfc7644"] only'))).toBe(true);
  });
});

describe('harness/config/catalogue.ts', () => {
  it('getBehaviour returns an entry and throws a clear error for an unknown id', () => {
    const first = loadCatalogue()[0];
    expect(getBehaviour(first.id)).toBe(first);
    expect(() => getBehaviour('USR-NO-SUCH-BEHAVIOUR')).toThrow(/unknown behaviour id 'USR-NO-SUCH-BEHAVIOUR'/);
  });

  it('behavioursFor filters by API version', () => {
    const all = loadCatalogue();
    for (const v of ['2021', '2019'] as const) {
      const got = behavioursFor(v);
      expect(got.length).toBe(all.filter((b) => b.versions.includes(v)).length);
      expect(got.every((b) => b.versions.includes(v))).toBe(true);
    }
    expect(behavioursFor('2019').some((b) => b.id.startsWith('SCH-'))).toBe(false);
    expect(() => behavioursFor('2020' as never)).toThrow(/unknown API version/);
  });

  it('lists every problem of an invalid file at once', () => {
    const bad = {
      version: 1,
      behaviours: [
        { id: 'USR-A', resource: 'users', area: 'x', title: 't', level: 'MUST', sources: ['s'], versions: ['2021'], status: 'active' },
        { id: 'USR-A', resource: 'users', area: 'x', title: 't', level: 'MUST', sources: ['s'], versions: ['2021'], status: 'active' },
        { id: 'bad id', resource: 'users', area: 'x', title: 't', level: 'MUSTN', sources: [], versions: ['2020'], status: 'done' },
      ],
    };
    const problems = validateCatalogue(bad);
    for (const fragment of ['duplicate id', 'does not match', 'level "MUSTN"', 'sources must be a non-empty array', "versions value '2020'", 'status "done"']) {
      expect(problems.some((p) => p.includes(fragment)), `expected a problem mentioning ${fragment}:${list(problems)}`).toBe(true);
    }
    expect(() => parseCatalogue(bad)).toThrow(CatalogueError);
  });
});

describe('suites/ use the catalogue', () => {
  const catalogue = loadCatalogue();
  const byId = new Map(catalogue.map((b) => [b.id, b]));
  const used = idsUsedBySuites();

  it('every active behaviour has a test', () => {
    const untested = catalogue.filter((b) => b.status === 'active' && !used.has(b.id)).map((b) => b.id);
    expect(untested, `active behaviours without a behaviour()/behaviour.for() test in suites/:${list(untested)}`).toEqual([]);
  });

  it('every behaviour a test names is in the catalogue', () => {
    const unknown = [...used].filter(([id]) => !byId.has(id)).map(([id, files]) => `${id} (${files.join(', ')})`);
    expect(unknown, `behaviour ids used in suites/ but missing from catalogue/behaviours.json:${list(unknown)}`).toEqual([]);
  });

  it('no test names a pending behaviour', () => {
    const pending = [...used]
      .filter(([id]) => byId.get(id)?.status === 'pending')
      .map(([id, files]) => `${id} (${files.join(', ')})`);
    expect(pending, `behaviours tested in suites/ but still "pending" in the catalogue (mark them "active"):${list(pending)}`).toEqual([]);
  });
});
