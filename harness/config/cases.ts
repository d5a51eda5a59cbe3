/**
 * Case tables (fixtures/cases/*.json, fixtures/schema-cases/*.json): data in one shape, { description, rows }, each
 * table validated against its JSON Schema (schemas/cases/<table>.schema.json; schema-cases.schema.json for the
 * schema examples) when it is loaded. A malformed table fails loudly, naming the file and the row.
 *
 * Placeholders (`{{name}}`, or `{name}` in filters) are filled with fillCase: a placeholder the caller gives no value
 * for (`vars.name === undefined`, e.g. an org fixture that is not configured) is a MissingValues error, which a check
 * turns into a skip with that reason (harness/checks/cases.ts fillRow); a placeholder the caller does not know at all
 * is a broken table row and throws.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from './models.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Case tables of the suites, and the schema examples of harness/test/schemas.test.ts. */
export const CASE_DIRS = ['fixtures/cases', 'fixtures/schema-cases'] as const;
export const CASE_SCHEMAS_DIR = 'schemas/cases';

/** A row of any table: its name is shown in the test title. */
export interface CaseRow {
  name: string;
}

/** A row of a suite's table: it checks one behaviour of the catalogue. */
export interface BehaviourRow extends CaseRow {
  behaviour: string;
}

export interface CaseTable<R extends CaseRow = CaseRow> {
  /** Repo-relative path, e.g. fixtures/cases/user-filters.json (named in every error). */
  file: string;
  description: string | string[];
  rows: readonly R[];
}

export class CaseTableError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid case table ${file} (${problems.length} problem(s)):\n  - ${problems.join('\n  - ')}`);
    this.name = 'CaseTableError';
  }
}

/** Every case-table file, repo-relative. */
export function caseTableFiles(): string[] {
  return CASE_DIRS.flatMap((dir) =>
    readdirSync(`${ROOT}${dir}`)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => `${dir}/${f}`),
  );
}

/** The `$id` of the schema a table file is validated against. */
export function schemaIdOf(file: string): string {
  if (file.startsWith('fixtures/schema-cases/')) return 'cases/schema-cases';
  const m = /^fixtures\/cases\/([\w-]+)\.json$/.exec(file);
  if (!m) throw new Error(`${file} is not a case table (tables live in ${CASE_DIRS.join(' and ')})`);
  return `cases/${m[1]}`;
}

/** The case-table schemas (schemas/cases/*.schema.json), keyed by `$id`. */
export function caseSchemas(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const f of readdirSync(`${ROOT}${CASE_SCHEMAS_DIR}`).filter((x) => x.endsWith('.schema.json')).sort()) {
    const doc = JSON.parse(readFileSync(`${ROOT}${CASE_SCHEMAS_DIR}/${f}`, 'utf8')) as Record<string, unknown>;
    const id = doc.$id;
    // $ids are relative (cases/<name>), so a table schema refers to the shared definitions as "case-table#/…".
    const expected = `cases/${f.replace(/\.schema\.json$/, '')}`;
    if (id !== expected) throw new Error(`${CASE_SCHEMAS_DIR}/${f}: $id must be ${JSON.stringify(expected)} (got ${JSON.stringify(id)})`);
    out.set(id, doc);
  }
  return out;
}

let validators: Map<string, ValidateFunction> | undefined;
function validatorFor(schemaId: string): ValidateFunction {
  if (!validators) {
    const docs = caseSchemas();
    const ajv = createAjv(docs);
    validators = new Map([...docs.keys()].map((id) => [id, ajv.getSchema(id)!]));
  }
  const v = validators.get(schemaId);
  if (!v) throw new Error(`no schema ${schemaId} in ${CASE_SCHEMAS_DIR}/ (every table has one)`);
  return v;
}

/** Where an ajv error is: `rows[3] ("row name")` for a row, else the JSON pointer. */
function place(data: unknown, e: ErrorObject): string {
  const m = /^\/rows\/(\d+)(\/.*)?$/.exec(e.instancePath);
  if (!m) return e.instancePath || '/';
  const row = (data as { rows: unknown[] }).rows[Number(m[1])] as { name?: unknown } | undefined;
  const name = typeof row?.name === 'string' ? ` (${JSON.stringify(row.name)})` : '';
  return `rows[${m[1]}]${name}${m[2] ?? ''}`;
}

function describeError(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'enum') return `must be one of ${JSON.stringify(params.allowedValues)} (got ${JSON.stringify(e.data)})`;
  if (e.keyword === 'additionalProperties') return `has an unknown property ${JSON.stringify(params.additionalProperty)}`;
  return e.message ?? e.keyword;
}

/** Every problem of a parsed table (each naming its row), empty when it is valid; duplicate row names too. */
export function validateCaseTable(file: string, data: unknown): string[] {
  const validate = validatorFor(schemaIdOf(file));
  const problems: string[] = [];
  if (!validate(data)) {
    // oneOf/if echoes ("must match exactly one schema", "must match then schema") come with the real error: keep both, once.
    for (const e of validate.errors ?? []) problems.push(`${place(data, e)}: ${describeError(e)}`);
  } else {
    const seen = new Map<string, number>();
    (data as CaseTable<CaseRow & { behaviour?: string; model?: string }>).rows.forEach((r, i) => {
      const key = `${r.behaviour ?? r.model ?? ''}\u0000${r.name}`;
      const first = seen.get(key);
      if (first !== undefined) problems.push(`rows[${i}] (${JSON.stringify(r.name)}): the same name as rows[${first}] for ${r.behaviour ?? r.model}`);
      else seen.set(key, i);
    });
  }
  return [...new Set(problems)];
}

const loaded = new Map<string, CaseTable>();

/** A table, read and validated once; throws CaseTableError naming the file and every malformed row. */
export function loadCaseTable<R extends CaseRow>(file: string): CaseTable<R> {
  let table = loaded.get(file);
  if (!table) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(`${ROOT}${file}`, 'utf8'));
    } catch (e) {
      throw new CaseTableError(file, [`cannot be read as JSON: ${(e as Error).message}`]);
    }
    const problems = validateCaseTable(file, data);
    if (problems.length) throw new CaseTableError(file, problems);
    table = { file, ...(data as Omit<CaseTable, 'file'>) };
    loaded.set(file, table);
  }
  return table as CaseTable<R>;
}

/** A suite's table by name: fixtures/cases/<name>.json. */
export function caseTable<R extends BehaviourRow>(name: string): CaseTable<R> {
  return loadCaseTable<R>(`fixtures/cases/${name}.json`);
}

const requested = new WeakMap<CaseTable, Set<string>>();

/** The rows of `table` for behaviour `id`; a behaviour without rows is a broken table, not a passing test. */
export function rowsOf<R extends BehaviourRow>(table: CaseTable<R>, id: string): R[] {
  const mine = table.rows.filter((r) => r.behaviour === id);
  if (mine.length === 0) throw new Error(`${table.file} has no row for ${id}`);
  const ids = requested.get(table) ?? new Set<string>();
  ids.add(id);
  requested.set(table, ids);
  return mine;
}

/**
 * For a table one test file expands whole: after its behaviour.for calls, every row must belong to a behaviour it
 * asked rowsOf for; a row no test runs is a broken table (it would look checked and never be).
 */
export function assertEveryRowUsed(table: CaseTable<BehaviourRow>): void {
  const ids = requested.get(table) ?? new Set<string>();
  const stray = table.rows.filter((r) => !ids.has(r.behaviour)).map((r) => `${r.behaviour} › ${r.name}`);
  if (stray.length > 0) throw new Error(`${table.file} has rows no test runs: ${stray.join(', ')}`);
}

/** Placeholders the caller has no value for (e.g. an org fixture that is not configured): the row cannot run here. */
export class MissingValues extends Error {
  constructor(
    readonly names: readonly string[],
    source: string,
  ) {
    super(`${source}: no value for ${names.join(', ')}`);
    this.name = 'MissingValues';
  }
}

/** The placeholder names a case-table value uses (`{{name}}`, or `{name}` with `single`). */
export function placeholdersOf(template: unknown, options: { single?: boolean } = {}): string[] {
  const any = options.single ? /\{(\w+)\}/g : /\{\{(\w+)\}\}/g;
  return [...new Set([...JSON.stringify(template ?? null).matchAll(any)].map((m) => m[1]))];
}

/**
 * Fills placeholders in a case-table value (strings, arrays and objects, deeply): `{{name}}`, or `{name}` with
 * `single: true`. A string that is only a placeholder becomes the value itself (so numbers and objects stay typed).
 * A placeholder whose value is undefined throws MissingValues (all of them at once); one `vars` does not name at all
 * is a broken table row: it throws, naming `source`.
 */
export function fillCase<T>(template: T, vars: Record<string, unknown>, source: string, options: { single?: boolean } = {}): T {
  const names = placeholdersOf(template, options);
  const unknown = names.filter((n) => !(n in vars));
  if (unknown.length) throw new Error(`${source}: unknown placeholder ${unknown.join(', ')} (not one the check fills)`);
  const missing = names.filter((n) => vars[n] === undefined);
  if (missing.length) throw new MissingValues(missing, source);
  const any = options.single ? /\{(\w+)\}/g : /\{\{(\w+)\}\}/g;
  const whole = options.single ? /^\{(\w+)\}$/ : /^\{\{(\w+)\}\}$/;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const w = whole.exec(v);
      if (w) return vars[w[1]];
      return v.replace(any, (_, name: string) => String(vars[name]));
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(template) as T;
}

/**
 * The default branch of a switch over a row field: a value no branch handles fails the test loudly instead of letting
 * it pass without a check (the table's schema refuses unknown values first; this catches a schema and a check that
 * disagree).
 */
export function unhandled(table: CaseTable, row: CaseRow, field: string, value: never): never {
  throw new Error(`${table.file}: row ${JSON.stringify(row.name)} has ${field} ${JSON.stringify(value)}, which no branch of the check handles`);
}

/** A field the row's check needs (optional in the table's schema, because other rows use other fields); missing → throws. */
export function fieldOf<R extends CaseRow, K extends keyof R>(table: CaseTable, row: R, key: K): NonNullable<R[K]> {
  const v = row[key];
  if (v === undefined || v === null) throw new Error(`${table.file}: row ${JSON.stringify(row.name)} has no ${String(key)}, which its check needs`);
  return v as NonNullable<R[K]>;
}
