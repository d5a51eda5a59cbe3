import { describe, expect, test } from 'vitest';
import { fillCase, rowsOf } from '../config/cases.ts';

describe('case tables', () => {
  test('rowsOf returns the rows of one behaviour and refuses a behaviour without rows', () => {
    const rows = [{ behaviour: 'A-X', n: 1 }, { behaviour: 'B-Y', n: 2 }, { behaviour: 'A-X', n: 3 }];
    expect(rowsOf(rows, 'A-X', 't.json').map((r) => r.n)).toEqual([1, 3]);
    expect(() => rowsOf(rows, 'C-Z', 't.json')).toThrow('t.json has no row for C-Z');
  });

  test.for([
    { name: 'double braces inside a string', template: 'userName eq "{{u}}"', vars: { u: 'a@b' }, single: false, out: 'userName eq "a@b"' },
    { name: 'a whole placeholder keeps its type', template: { count: '{{n}}' }, vars: { n: 3 }, single: false, out: { count: 3 } },
    { name: 'deep in arrays', template: [{ value: '{{id}}' }], vars: { id: 'x1' }, single: false, out: [{ value: 'x1' }] },
    { name: 'single braces for filters', template: 'id eq {id}', vars: { id: '42' }, single: true, out: 'id eq 42' },
  ])('fillCase: $name', ({ template, vars, single, out }) => {
    expect(fillCase(template, vars, 't.json', { single })).toEqual(out);
  });

  test('fillCase refuses a placeholder without a value, naming the table', () => {
    expect(() => fillCase({ a: 'x {{missing}}' }, {}, 'cases/x.json')).toThrow('cases/x.json: no value for placeholder missing');
  });
});
