/**
 * How a declined filter is taken apart: every operator of it becomes a probe of its own (harness/checks/
 * rfc7644-population.ts probesOf), so that the check can say which one the server does not support.
 */
import { describe, expect, test } from 'vitest';
import { probesOf } from '../checks/rfc7644-population.ts';
import { parseFilter } from '../oracles/filter.ts';

const BASE = 'userName eq "a@x"';
const probes = (filter: string) => Object.fromEntries(probesOf(parseFilter(filter), BASE).map((p) => [p.label, p.filter]));

describe('probesOf', () => {
  test('a single comparison is its own probe', () => {
    expect(probes('displayName co "Engineer"')).toEqual({ 'co on displayName': 'displayName co "Engineer"' });
    expect(probes('title pr')).toEqual({ 'pr on title': 'title pr' });
  });

  test('logical operators are probed over userName eq, each comparison as it stands', () => {
    expect(probes('not (displayName co "Engineer" and title pr)')).toEqual({
      not: `not (${BASE})`,
      and: `${BASE} and ${BASE}`,
      'co on displayName': 'displayName co "Engineer"',
      'pr on title': 'title pr',
    });
    expect(probes('displayName eq "A" or displayName eq "B"')).toEqual({ or: `${BASE} or ${BASE}`, 'eq on displayName': 'displayName eq "B"' });
  });

  test('grouping is probed when the filter needs parentheses (not "not ( )")', () => {
    expect(probes('(title pr or displayName pr) and userName pr')['( ) grouping']).toBe(`(${BASE})`);
    expect(probes('title pr or displayName pr and userName pr')['( ) grouping']).toBeUndefined();
    expect(probes('not (title pr)')['( ) grouping']).toBeUndefined();
  });

  test('inside a value path, comparisons and logical operators are probed within it', () => {
    expect(probes('emails[type eq "work" and value sw "c."]')).toEqual({
      '[ ] value path on emails': 'emails[type eq "work"]',
      and: 'emails[type eq "work" and type eq "work"]',
      'eq on emails.type': 'emails[type eq "work"]',
      'sw on emails.value': 'emails[value sw "c."]',
    });
  });
});
