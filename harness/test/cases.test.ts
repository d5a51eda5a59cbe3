/**
 * Case tables: every table of fixtures/cases/ and fixtures/schema-cases/ is valid against its JSON Schema
 * (schemas/cases/), a malformed table fails loudly naming the file and the row, and placeholders without a value
 * are reported (a check then skips the row) instead of being left out.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadCatalogue } from '../config/catalogue.ts';
import {
  CASE_SCHEMAS_DIR,
  caseSchemas,
  caseTableFiles,
  CaseTableError,
  fillCase,
  loadCaseTable,
  MissingValues,
  rowsOf,
  schemaIdOf,
  unhandled,
  validateCaseTable,
  type BehaviourRow,
  type CaseTable,
} from '../config/cases.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const table = <R extends BehaviourRow>(file: string, rows: R[]): CaseTable<R> => ({ file, description: 'd', rows });

describe('every case table', () => {
  const files = caseTableFiles();

  test('there are tables in both directories, and every schema of schemas/cases/ is used by one', () => {
    expect(files.some((f) => f.startsWith('fixtures/cases/'))).toBe(true);
    expect(files.some((f) => f.startsWith('fixtures/schema-cases/'))).toBe(true);
    const used = new Set(['cases/case-table', ...files.map(schemaIdOf)]);
    expect([...caseSchemas().keys()].filter((id) => !used.has(id))).toEqual([]);
    const schemaFiles = readdirSync(`${ROOT}${CASE_SCHEMAS_DIR}`);
    expect(schemaFiles.filter((f) => !f.endsWith('.schema.json'))).toEqual([]);
  });

  test.for(files)('%s is valid against its schema', (file) => {
    const t = loadCaseTable(file);
    expect(t.rows.length).toBeGreaterThan(0);
  });

  test.for(files.filter((f) => f.startsWith('fixtures/cases/')))('%s names only catalogued behaviours', (file) => {
    const ids = new Set(loadCatalogue().map((b) => b.id));
    const unknown = loadCaseTable<BehaviourRow>(file).rows.filter((r) => !ids.has(r.behaviour)).map((r) => `${r.behaviour} › ${r.name}`);
    expect(unknown).toEqual([]);
  });
});

describe('a malformed table fails loudly, naming the file and the row', () => {
  const valid = { description: 'x', rows: [{ behaviour: 'USR-FILTER-ID', name: 'a', filter: 'id eq {id}', expect: 'self' }] };

  test.for([
    { name: 'an unknown expect value', data: { ...valid, rows: [{ ...valid.rows[0], expect: 'sefl' }] }, problem: 'rows[0] ("a")/expect: must be one of' },
    { name: 'a row without a filter', data: { ...valid, rows: [{ behaviour: 'USR-FILTER-ID', name: 'b', expect: 'self' }] }, problem: `rows[0] ("b"): must have required property 'filter'` },
    { name: 'an unknown property', data: { ...valid, rows: [{ ...valid.rows[0], expcet: 'self' }] }, problem: 'rows[0] ("a"): has an unknown property "expcet"' },
    { name: 'a behaviour that is no id', data: { ...valid, rows: [{ ...valid.rows[0], behaviour: 'usr filter' }] }, problem: 'rows[0] ("a")/behaviour: must match pattern' },
    { name: 'no rows', data: { description: 'x', rows: [] }, problem: '/rows: must NOT have fewer than 1 items' },
    { name: 'two rows with one name', data: { ...valid, rows: [valid.rows[0], valid.rows[0]] }, problem: 'rows[1] ("a"): the same name as rows[0] for USR-FILTER-ID' },
  ])('$name', ({ data, problem }) => {
    const problems = validateCaseTable('fixtures/cases/user-filters.json', data);
    expect(problems.join('\n')).toContain(problem);
  });

  test('the error names the file', () => {
    expect(() => {
      throw new CaseTableError('fixtures/cases/user-filters.json', validateCaseTable('fixtures/cases/user-filters.json', { description: 'x', rows: [{ name: 'z' }] }));
    }).toThrow(/^invalid case table fixtures\/cases\/user-filters\.json \(\d+ problem\(s\)\):\n {2}- rows\[0\] \("z"\)/);
  });

  test('a schema-case row that says invalid must say which error', () => {
    const problems = validateCaseTable('fixtures/schema-cases/x.json', { description: 'x', rows: [{ name: 'n', model: 'ScimError', valid: false, data: {} }] });
    expect(problems.join('\n')).toContain(`rows[0] ("n"): must have required property 'error'`);
  });

  test('a file outside the case directories is not a table', () => {
    expect(() => schemaIdOf('fixtures/operations.json')).toThrow(/is not a case table/);
  });
});

describe('rows and placeholders', () => {
  test('rowsOf returns the rows of one behaviour and refuses a behaviour without rows', () => {
    const t = table('t.json', [
      { behaviour: 'A-X', name: '1' },
      { behaviour: 'B-Y', name: '2' },
      { behaviour: 'A-X', name: '3' },
    ]);
    expect(rowsOf(t, 'A-X').map((r) => r.name)).toEqual(['1', '3']);
    expect(() => rowsOf(t, 'C-Z')).toThrow('t.json has no row for C-Z');
  });

  test.for([
    { name: 'double braces inside a string', template: 'userName eq "{{u}}"', vars: { u: 'a@b' }, single: false, out: 'userName eq "a@b"' },
    { name: 'a whole placeholder keeps its type', template: { count: '{{n}}' }, vars: { n: 3 }, single: false, out: { count: 3 } },
    { name: 'deep in arrays', template: [{ value: '{{id}}' }], vars: { id: 'x1' }, single: false, out: [{ value: 'x1' }] },
    { name: 'single braces for filters', template: 'id eq {id}', vars: { id: '42' }, single: true, out: 'id eq 42' },
  ])('fillCase: $name', ({ template, vars, single, out }) => {
    expect(fillCase(template, vars, 't.json', { single })).toEqual(out);
  });

  test('fillCase reports every placeholder without a value (the check skips the row) and never leaves one out', () => {
    let error: unknown;
    try {
      fillCase({ with: { roles: [{ value: '{{role}}' }, { value: '{{otherRole}}' }] }, expect: '{{role}}' }, { role: 'r', otherRole: undefined }, 'cases/x.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingValues);
    expect((error as MissingValues).names).toEqual(['otherRole']);
    expect((error as Error).message).toBe('cases/x.json: no value for otherRole');
  });

  test('fillCase refuses a placeholder the check does not know (a broken row), naming the table', () => {
    expect(() => fillCase({ a: 'x {{typo}}' }, { known: 'v' }, 'cases/x.json')).toThrow('cases/x.json: unknown placeholder typo');
  });

  test('unhandled fails a switch over a row field that no branch handles', () => {
    const t = table('t.json', [{ behaviour: 'A-X', name: 'r' }]);
    expect(() => unhandled(t, t.rows[0], 'expect', 'sefl' as never)).toThrow('t.json: row "r" has expect "sefl", which no branch of the check handles');
  });
});
