/**
 * Every source the repo cites resolves to an entry of the source registry (docs/sources.json, docs/SOURCES.md):
 * the catalogue's `sources`, and citations in fixtures/, expectations/ and schemas/ data files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../harness/config/catalogue.ts';
import { checkCatalogueSource, checkTextCitations, loadRegistry } from './citations.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const registry = loadRegistry();
const list = (items: string[]) => items.map((i) => `\n  - ${i}`).join('');

function jsonFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(ROOT, dir, f));
}

function strings(value: unknown, path: string, out: [string, string][]): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
  return out;
}

describe('citations resolve', () => {
  it('every source of every catalogue behaviour is a registered seed operation, reference section or RFC section', () => {
    const problems = loadCatalogue().flatMap((b) => b.sources.flatMap((s) => checkCatalogueSource(s, registry).map((p) => `${b.id}: "${s}": ${p}`)));
    expect(problems, `citations that do not resolve (docs/SOURCES.md):${list(problems)}`).toEqual([]);
  });

  it('every citation in fixtures/, expectations/ and schemas/ resolves too', () => {
    const files = ['fixtures', 'expectations', 'schemas'].flatMap(jsonFiles);
    const texts = files.flatMap((f) => strings(JSON.parse(readFileSync(f, 'utf8')), relative(ROOT, f), []));
    const cited = texts.filter(([, t]) => /\b(seed \d{3}|RFC ?\d{4}|reference(?: notes)?(?: \([^)]*\))? ?§)/.test(t));
    expect(cited.length).toBeGreaterThan(50);
    const problems = cited.flatMap(([where, t]) => checkTextCitations(t, registry).map((p) => `${where}: ${p}`));
    expect(problems, `citations that do not resolve (docs/SOURCES.md):${list(problems)}`).toEqual([]);
  });
});

describe('the citation check is not vacuous', () => {
  it.for([
    ['seed 001 (JS 2021): getScimUsers', /seed 001 is not in the registry/],
    ['seed 000 (Ruby 2019): getScimUsers', /seed 000 is "JS 2021", not "Ruby 2019"/],
    ['seed 002 (Ruby 2019): getScimV2Users', /getScimV2Users is not an operation of seed 002/],
    ['seed 000 (JS 2021): get_scim_users — count', /get_scim_users is not an operation of seed 000/],
    ['seed 000 (JS 2021): getScimSchemas — schemaId Values', /schemaId is not a parameter of getScimSchemas/],
    ['seed 002 (Ruby 2019): get_scim_users — attributes', /attributes is not a parameter of get_scim_users/],
    ['seed 000 (JS 2021): getScimGroups — Requires ANY permissions: directory:user:edit', /getScimGroups does not list the permission directory:user:edit/],
    ['seed 000 (JS 2021): getScimGroup — Requires NO permissions', /getScimGroup requires permissions/],
    ['seed 000 (JS 2021): getScimUser — returns ScimV2Group', /getScimUser returns ScimV2User, not ScimV2Group/],
    ['seed 002 (Ruby 2019): get_scim_resourcetype — ScimV2SchemaDefinition', /ScimV2SchemaDefinition is not a model of seed 002/],
    ['seed 000 (JS 2021): (no group create operation)', /does not record a missing group create operation for seed 000/],
    ['reference §13', /reference §13 is not a section/],
    ['reference §4.9 (S4)', /reference §4.9 is not a section/],
    ['reference §1.3 item 9', /reference §1.3 has no item 9/],
    ['reference §8 (S8: Entra deactivates)', /reference §8 does not cite S8/],
    ['reference §4.1 (S22)', /S22 is not a source of the reference notes/],
    ['reference §4.3 [inferred]', /reference §4.3 has no \[inferred\] item/],
    ['RFC 7644 §3.13', /RFC 7644 §3.13 is not a listed section/],
    ['RFC 7645 §1', /RFC 7645 is not in the registry/],
    ['RFC 7644 §3.12 (Table 3: invalidFilter)', /RFC 7644 §3.12 has no listed Table 3/],
    ['RFC 7644 §3.4.2.2 (Figure 2)', /RFC 7644 §3.4.2.2 has no listed Figure 2/],
    ['the JS doc', /not a registered citation form/],
  ] as const)('refuses %s', ([citation, problem]) => {
    expect(checkCatalogueSource(citation, registry).join('\n')).toMatch(problem);
  });

  it.for([
    ['see seed 003 for the model', /seed 003 is not in the registry/],
    ['seed 002_0000000000000000 (Ruby SDK doc)', /seed 002_0000000000000000 is not 002_1fcae8ceaf129864.txt/],
    ['seed 000 (Ruby SDK doc, 2019) sample', /seed 000 is JS 2021/],
    ['seed 002 documents get_scim_v2_users and getScimSchemas', /getScimSchemas is not an operation of seed 002/],
    ['as RFC 7643 §9.9 says', /RFC 7643 §9.9 is not a listed section/],
    ['RFC 7643/7645 alone', /RFC 7645 is not in the registry/],
    ['reference notes (genesys-scim-behaviour.md) §14', /reference §14 is not a section/],
  ] as const)('refuses free text %s', ([text, problem]) => {
    expect(checkTextCitations(text, registry).join('\n')).toMatch(problem);
  });

  it('accepts the registered forms', () => {
    for (const ok of [
      'seed 000 (JS 2021): getScimUsers / getScimV2Users — count default 25',
      'seed 002 (Ruby 2019): get_scim_user and get_scim_v2_user',
      'seed 002 (Ruby 2019): (no group delete operation)',
      'seed 000 (JS 2021): every operation — OAuth bearer token',
      'reference §4.1 (S13: division is sent by name)',
      'reference §5 [inferred]',
      'RFC 7644 §3.12 (Table 9: invalidFilter)',
    ]) {
      expect(checkCatalogueSource(ok, registry), ok).toEqual([]);
    }
  });
});

describe('the registry (docs/sources.json)', () => {
  const toSnake = (camel: string) => camel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

  it('agrees with fixtures/operations.json: the same operations, paths, permissions and return types per API version', () => {
    const ops = JSON.parse(readFileSync(join(ROOT, 'fixtures/operations.json'), 'utf8'));
    const wrong: string[] = [];
    for (const seed of Object.values(registry.seeds)) {
      const version = ops.versions[seed.apiVersion];
      const names = new Set<string>();
      for (const op of Object.values<any>(version.operations)) {
        for (const [prefix, p] of Object.entries<any>(op.prefixes)) {
          const name = seed.language === 'Ruby' ? toSnake(p.operationId) : p.operationId;
          names.add(name);
          const doc = seed.operations[name];
          if (!doc) {
            wrong.push(`${seed.apiVersion} ${name}: not in seed ${seed.file}`);
            continue;
          }
          const http = `${op.method} ${prefix}${op.path.replace(/:(\w+)/g, '{$1}')}`;
          if (http.toLowerCase() !== doc.http.toLowerCase()) wrong.push(`${name}: ${http}, the seed says ${doc.http}`);
          if ([...p.permissions].sort().join() !== [...doc.permissions].sort().join()) wrong.push(`${name}: permissions ${p.permissions}, the seed says ${doc.permissions}`);
          if (op.returns !== doc.returns) wrong.push(`${name}: returns ${op.returns}, the seed says ${doc.returns}`);
        }
      }
      for (const name of Object.keys(seed.operations)) if (!names.has(name)) wrong.push(`${seed.apiVersion}: seed operation ${name} missing from fixtures/operations.json`);
      expect(version.source).toContain(seed.file.replace(/\.txt$/, ''));
    }
    expect(wrong, list(wrong)).toEqual([]);
    expect(Object.keys(registry.seeds['000'].operations)).toHaveLength(34);
    expect(Object.keys(registry.seeds['002'].operations)).toHaveLength(26);
  });

  it('records as absent from seed 002 only operations it lacks and seed 000 has', () => {
    for (const names of Object.values(registry.seeds['002'].absent ?? {})) {
      for (const name of names) {
        expect(registry.seeds['002'].operations[name], name).toBeUndefined();
        expect(registry.seeds['000'].operations[name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())], name).toBeDefined();
      }
    }
  });

  it('is what docs/SOURCES.md documents: every seed, reference section and heading, source, and RFC section and title', () => {
    const doc = readFileSync(join(ROOT, 'docs/SOURCES.md'), 'utf8');
    const missing: string[] = [];
    const need = (text: string) => !doc.includes(text) && missing.push(text);
    for (const [n, s] of Object.entries(registry.seeds)) {
      need(`seed ${n} (${s.label})`);
      need(s.file);
      need(s.sdk);
      need(s.date);
    }
    for (const s of registry.reference.sections) need(`| §${s.section} | ${s.heading.replace(/\|/g, '\\|')} |`);
    for (const id of Object.keys(registry.reference.sources)) need(`| ${id} |`);
    for (const [n, rfc] of Object.entries(registry.rfcs)) {
      need(`RFC ${n}`);
      for (const s of rfc.sections) need(`| RFC ${n} §${s.section} | ${s.title} |`);
      for (const t of rfc.tables ?? []) need(`Table ${t.table}: ${t.title}`);
      for (const f of rfc.figures ?? []) need(`Figure ${f.figure}: ${f.title}`);
    }
    expect(missing, `docs/SOURCES.md does not show:${list(missing)}`).toEqual([]);
  });
});
