/**
 * Citations against the source registry (docs/sources.json, explained in docs/SOURCES.md): every source the
 * catalogue names must resolve to a registered seed doc and one of its operations, a section of the reference
 * notes, or a listed RFC section. The registry records the facts (operations, parameters, permissions, section
 * headings), so the check needs neither the seed docs nor the reference notes, which the repo does not ship.
 */
import { readFileSync } from 'node:fs';

export const REGISTRY_PATH = new URL('../docs/sources.json', import.meta.url);

export interface SeedOperation {
  http: string;
  summary: string;
  returns: string;
  parameters: string[];
  /** Requires ANY of these; empty: "Requires NO permissions". */
  permissions: string[];
}

export interface SeedEntry {
  file: string;
  label: string;
  language: string;
  year: string;
  apiVersion: string;
  title: string;
  sdk: string;
  date: string;
  covers: string;
  operations: Record<string, SeedOperation>;
  models: string[];
  /** Operations the seed does not have, by the name citations give them ("(no group create operation)"). */
  absent?: Record<string, string[]>;
}

export interface ReferenceSection {
  section: string;
  heading: string;
  /** The public sources (S1…S21 of §0) the section, subsections included, cites. */
  sources: string[];
  /** Whether it holds [inferred] items. */
  inferred: boolean;
  /** Numbered items, when it has a numbered list. */
  items?: number;
}

export interface RfcEntry {
  title: string;
  sections: { section: string; title: string }[];
  tables?: { table: number; section: string; title: string }[];
  figures?: { figure: number; section: string; title: string }[];
}

export interface SourceRegistry {
  seeds: Record<string, SeedEntry>;
  reference: { file: string; title: string; covers: string; sections: ReferenceSection[]; sources: Record<string, { source: string; trust: string }> };
  rfcs: Record<string, RfcEntry>;
}

export function loadRegistry(): SourceRegistry {
  return JSON.parse(readFileSync(REGISTRY_PATH, 'utf8')) as SourceRegistry;
}

const PERMISSION = /\b[a-z]+:[a-z]+:[a-zA-Z]+\b/g;
const OPERATION = /\b(?:get|post|put|patch|delete)(?:Scim[A-Za-z0-9]*|_scim[a-z0-9_]*)\b/g;

/** Problems with one `seed NNN (label): operations — detail` citation. */
function checkSeed(text: string, reg: SourceRegistry): string[] {
  const m = /^seed (\d{3}) \(([^)]*)\): (.*?)(?: — (.*))?$/.exec(text);
  if (!m) return ['not of the form "seed NNN (label): operation / operation — detail"'];
  const [, number, label, opsText, detail = ''] = m;
  const seed = reg.seeds[number];
  if (!seed) return [`seed ${number} is not in the registry (known: ${Object.keys(reg.seeds).join(', ')})`];
  const problems: string[] = [];
  if (label !== seed.label) problems.push(`seed ${number} is "${seed.label}", not "${label}"`);
  const named: [string, SeedOperation][] = [];
  for (const name of opsText.split(/ \/ | and /).map((s) => s.trim())) {
    if (name === 'every operation') continue;
    const absent = /^\(no (.+) operation\)$/.exec(name);
    if (absent) {
      if (!seed.absent?.[absent[1]]) problems.push(`"${name}": the registry does not record a missing ${absent[1]} operation for seed ${number}`);
      continue;
    }
    const op = seed.operations[name];
    if (op) named.push([name, op]);
    else problems.push(`${name} is not an operation of seed ${number} (${seed.label})`);
  }
  const first = /^([A-Za-z_]+)\b/.exec(detail)?.[1];
  const parameters = new Set(Object.values(reg.seeds).flatMap((s) => Object.values(s.operations).flatMap((o) => o.parameters)));
  for (const [name, op] of named) {
    if (first && parameters.has(first) && !op.parameters.includes(first)) problems.push(`${first} is not a parameter of ${name} in seed ${number}`);
    for (const permission of detail.replace(/urn:\S+/g, '').match(PERMISSION) ?? []) {
      if (!op.permissions.includes(permission)) problems.push(`${name} does not list the permission ${permission} in seed ${number}`);
    }
    if (/Requires NO permissions/.test(detail) && op.permissions.length) problems.push(`${name} requires permissions in seed ${number}`);
    const returns = /^returns (\w+)/.exec(detail)?.[1];
    if (returns && returns !== op.returns) problems.push(`${name} returns ${op.returns}, not ${returns}, in seed ${number}`);
  }
  for (const model of detail.match(/\bScim[A-Za-z0-9]+\b/g) ?? []) {
    if (!seed.models.includes(model)) problems.push(`${model} is not a model of seed ${number}`);
  }
  return problems;
}

/** Problems with one `reference §N[ item K][ (Sx …)][ [inferred]]` citation. */
function checkReference(text: string, reg: SourceRegistry): string[] {
  const m = /^reference §(\d+(?:\.\d+)?)(?: item (\d+))?(.*)$/.exec(text);
  if (!m) return ['not of the form "reference §N …"'];
  const section = reg.reference.sections.find((s) => s.section === m[1]);
  if (!section) return [`reference §${m[1]} is not a section of ${reg.reference.file}`];
  const problems: string[] = [];
  if (m[2] && Number(m[2]) > (section.items ?? 0)) problems.push(`reference §${m[1]} has no item ${m[2]}`);
  for (const s of m[3].match(/\bS\d+\b/g) ?? []) {
    if (!reg.reference.sources[s]) problems.push(`${s} is not a source of the reference notes (§0 lists S1–S${Object.keys(reg.reference.sources).length})`);
    else if (!section.sources.includes(s)) problems.push(`reference §${m[1]} does not cite ${s} (it cites ${section.sources.join(', ') || 'none'})`);
  }
  if (/\[inferred\]/.test(m[3]) && !section.inferred) problems.push(`reference §${m[1]} has no [inferred] item`);
  return problems;
}

/** Problems with one `RFC NNNN §x.y …` citation (sections, and tables and figures in parentheses). */
function checkRfc(text: string, reg: SourceRegistry): string[] {
  const m = /^RFC (\d{4}) §(\d+(?:\.\d+)*)(.*)$/.exec(text);
  if (!m) return ['not of the form "RFC NNNN §x.y …"'];
  const rfc = reg.rfcs[m[1]];
  if (!rfc) return [`RFC ${m[1]} is not in the registry`];
  if (!rfc.sections.some((s) => s.section === m[2])) return [`RFC ${m[1]} §${m[2]} is not a listed section`];
  const problems: string[] = [];
  for (const t of m[3].matchAll(/\bTables? (\d+)(?: and (\d+))?/g)) {
    for (const n of [t[1], t[2]].filter(Boolean)) {
      if (!rfc.tables?.some((x) => x.table === Number(n) && x.section === m[2])) problems.push(`RFC ${m[1]} §${m[2]} has no listed Table ${n}`);
    }
  }
  for (const f of m[3].matchAll(/\bFigure (\d+)/g)) {
    if (!rfc.figures?.some((x) => x.figure === Number(f[1]) && x.section === m[2])) problems.push(`RFC ${m[1]} §${m[2]} has no listed Figure ${f[1]}`);
  }
  return problems;
}

/** Problems with one catalogue `sources` entry: it must be one of the registered citation forms, and resolve. */
export function checkCatalogueSource(text: string, reg: SourceRegistry = loadRegistry()): string[] {
  if (text.startsWith('seed ')) return checkSeed(text, reg);
  if (text.startsWith('reference ')) return checkReference(text, reg);
  if (text.startsWith('RFC ')) return checkRfc(text, reg);
  return ['not a registered citation form (seed NNN (label): …, reference §N …, RFC NNNN §x.y …)'];
}

/**
 * Problems with the citations inside free text (fixture descriptions, expectations reasons, schema descriptions):
 * every seed it names (with its file hash or label), RFC section and reference section must be registered, and every
 * SDK operation name it gives after a seed must be one of that seed's. A bare "§x" is not checked.
 */
export function checkTextCitations(text: string, reg: SourceRegistry = loadRegistry()): string[] {
  const problems: string[] = [];
  const seedMentions = [...text.matchAll(/\bseed (\d{3})(?:_([0-9a-f]+))?(?: \(([^)]*)\))?/g)];
  seedMentions.forEach((m, i) => {
    const seed = reg.seeds[m[1]];
    if (!seed) return problems.push(`seed ${m[1]} is not in the registry`);
    if (m[2] && `${m[1]}_${m[2]}.txt` !== seed.file) problems.push(`seed ${m[1]}_${m[2]} is not ${seed.file}`);
    if (m[3] && /\b(JS|Ruby)\b/.test(m[3]) && !(m[3].includes(seed.language) && m[3].includes(seed.year))) problems.push(`seed ${m[1]} is ${seed.language} ${seed.year}, not "${m[3]}"`);
    const until = seedMentions[i + 1]?.index ?? text.length;
    for (const op of text.slice(m.index, until).match(OPERATION) ?? []) {
      if (!seed.operations[op]) problems.push(`${op} is not an operation of seed ${m[1]} (${seed.label})`);
    }
  });
  for (const m of text.matchAll(/\bRFC ?(\d{4})((?:\/\d{4})*)(?: ?§ ?(\d+(?:\.\d+)*))?/g)) {
    const numbers = [m[1], ...m[2].split('/').filter(Boolean)];
    for (const n of numbers) if (!reg.rfcs[n]) problems.push(`RFC ${n} is not in the registry`);
    if (m[3] && reg.rfcs[m[1]] && !reg.rfcs[m[1]].sections.some((s) => s.section === m[3].replace(/\.$/, ''))) problems.push(`RFC ${m[1]} §${m[3]} is not a listed section`);
  }
  for (const m of text.matchAll(/\breference(?: notes)?(?: \([^)]*\))? ?§ ?(\d+(?:\.\d+)?)/g)) {
    if (!reg.reference.sections.some((s) => s.section === m[1])) problems.push(`reference §${m[1]} is not a section of ${reg.reference.file}`);
  }
  return problems;
}
