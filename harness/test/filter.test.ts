import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compareForSort, FilterError, formatFilter, matches, parseFilter, select } from '../oracles/filter.ts';
import { filterArbitrary } from '../generators/filters.ts';

const users = [
  { id: '1', userName: 'Bjensen@example.com', title: 'Tour Guide', name: { familyName: 'Jensen' }, emails: [{ value: 'bjensen@example.com', type: 'work' }, { value: 'babs@jensen.org', type: 'home' }], meta: { lastModified: '2011-05-13T04:42:34Z' }, active: true },
  { id: '2', userName: 'jsmith', name: { familyName: 'Smith' }, emails: [{ value: 'jsmith@example.org', type: 'work' }], meta: { lastModified: '2013-01-01T00:00:00Z' }, active: false },
  { id: '3', userName: 'ALICE', title: '', emails: [], active: true },
];
const lookup = (p: { attr: string; sub?: string }) =>
  p.attr === 'externalId' ? { type: 'string', caseExact: true } : p.attr === 'meta' ? { type: 'dateTime' } : p.attr === 'active' ? { type: 'boolean' } : undefined;
const ids = (f: string) => select(f, users, lookup).map((u) => u.id);

describe('the local RFC 7644 §3.4.2.2 filter evaluator', () => {
  test.for([
    ['userName eq "bjensen@example.com"', ['1']],
    ['USERNAME EQ "bjensen@EXAMPLE.com"', ['1']],
    ['name.familyName co "mit"', ['2']],
    ['userName sw "J"', ['2']],
    ['title pr', ['1']],
    ['title pr and userName sw "b"', ['1']],
    ['userName sw "a" or userName sw "j" and active eq false', ['2', '3']],
    ['(userName sw "a" or userName sw "j") and active eq false', ['2']],
    ['not (userName sw "a")', ['1', '2']],
    ['emails[type eq "work" and value co "@example.com"]', ['1']],
    ['emails[type eq "home" and value co "@example.com"]', []],
    ['emails.value ew ".org"', ['1', '2']],
    ['emails co "babs"', ['1']],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', ['2']],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', ['1', '2']],
    ['userName gt "b"', ['1', '2']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "alice"', ['3']],
    ['title eq null', ['2']],
  ] as const)('%s', ([filter, expected]) => {
    expect(ids(filter)).toEqual(expected);
  });

  test('rejects what the grammar does not allow, and gt on booleans', () => {
    for (const bad of ['userName zz "x"', 'userName eq "x', '(userName eq "x"', 'userName eq x', 'emails[type eq "a"', '']) {
      expect(() => parseFilter(bad), bad).toThrow(FilterError);
    }
    expect(() => matches('active gt true', users[0], lookup)).toThrow(FilterError);
  });

  test('single-quoted strings only with the singleQuotes option (PATCH value filters, as Entra sends them)', () => {
    expect(() => parseFilter("authority eq 'teams'"), 'not RFC 7644: refused by default').toThrow(FilterError);
    expect(parseFilter("authority eq 'te\\'am\"s' and value pr", { singleQuotes: true })).toEqual({
      kind: 'and',
      left: { kind: 'compare', path: { attr: 'authority' }, op: 'eq', value: 'te\'am"s' },
      right: { kind: 'pr', path: { attr: 'value' } },
    });
    expect(parseFilter('authority eq "a\'b"', { singleQuotes: true })).toMatchObject({ value: "a'b" });
    for (const bad of ["a eq 'x", "a eq 'x\\q'", "a eq 'x' 'y'"]) {
      expect(() => parseFilter(bad, { singleQuotes: true }), bad).toThrow(FilterError);
    }
  });

  test('caseExact attributes compare case-sensitively', () => {
    expect(matches('externalId eq "ABC"', { externalId: 'abc' }, lookup)).toBe(false);
    expect(matches('externalId eq "abc"', { externalId: 'abc' }, lookup)).toBe(true);
    expect(matches('userName eq "ABC"', { userName: 'abc' }, lookup)).toBe(true);
  });

  test('sorts case-insensitively unless caseExact, absent values last', () => {
    const v = ['b', 'A', undefined, 'C'];
    expect([...v].sort((a, b) => compareForSort(a, b))).toEqual(['A', 'b', 'C', undefined]);
    expect([...v].sort((a, b) => compareForSort(a, b, { caseExact: true }))).toEqual(['A', 'C', 'b', undefined]);
  });

  test('formatFilter and parseFilter agree on generated filters (same selection)', () => {
    const space = {
      compare: [{ path: { attr: 'userName' }, values: users.map((u) => u.userName) }, { path: { attr: 'name', sub: 'familyName' }, values: ['Jensen', 'Smith'] }],
      present: [{ attr: 'title' }],
      valuePaths: [{ path: { attr: 'emails' }, fields: [{ path: { attr: 'type' }, values: ['work', 'home'], ops: ['eq', 'ne'] as const }] }],
    };
    fc.assert(
      fc.property(filterArbitrary(space, 3), (node) => {
        const text = formatFilter(node);
        expect(select(parseFilter(text), users).map((u) => u.id)).toEqual(select(node, users).map((u) => u.id));
      }),
      { numRuns: 300 },
    );
  });
});
