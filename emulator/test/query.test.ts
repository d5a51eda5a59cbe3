import { describe, expect, test } from 'vitest';
import { parseQueryString, parseScimQuery, splitAttributeList, toScimQuery } from '../query.ts';
import { negotiateContentType } from '../server.ts';
import { etagOf, ifNoneMatchMatches } from '../routing.ts';

describe('parseQueryString', () => {
  test.for([
    ['filter=userName+eq+a%40b.com', { filter: 'userName eq a@b.com' }],
    ['filter=userName%20eq%20%22a%40b.com%22', { filter: 'userName eq "a@b.com"' }],
    ['a=1&a=2&a=3', { a: ['1', '2', '3'] }],
    ['a=&b', { a: '', b: '' }],
    ['', {}],
    ['x=%2B', { x: '+' }],
  ] as const)('%s', ([qs, expected]) => {
    expect({ ...parseQueryString(qs) }).toEqual(expected);
  });

  test('a __proto__ key does not pollute the prototype', () => {
    const q = parseQueryString('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(q)).toBeNull();
    expect(q['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('attributes / excludedAttributes', () => {
  test.for([
    ['attributes=id,active', ['id', 'active']],
    ['attributes=id&attributes=active', ['id', 'active']],
    ['attributes=id,userName&attributes=active', ['id', 'userName', 'active']],
    ['attributes=id%2Cactive', ['id', 'active']],
    ['attributes=+id+,+,active,', ['id', 'active']],
    ['attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
      ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value']],
    ['', []],
  ] as const)('%s', ([qs, expected]) => {
    expect(parseScimQuery(qs).attributes).toEqual(expected);
  });

  test('excludedAttributes the same way', () => {
    expect(parseScimQuery('excludedAttributes=externalId,roles&excludedAttributes=meta').excludedAttributes)
      .toEqual(['externalId', 'roles', 'meta']);
  });

  test('splitAttributeList on undefined', () => {
    expect(splitAttributeList(undefined)).toEqual([]);
  });
});

describe('toScimQuery', () => {
  test('filter, startIndex, count are decoded strings; raw keeps everything', () => {
    const q = parseScimQuery('filter=displayName+eq+Sales&startIndex=2&count=10&foo=a&foo=b');
    expect(q.filter).toBe('displayName eq Sales');
    expect(q.startIndex).toBe('2');
    expect(q.count).toBe('10');
    expect(q.raw.foo).toEqual(['a', 'b']);
  });

  test('repeated filter takes the first value; key lookup is case-insensitive', () => {
    const q = toScimQuery(parseQueryString('Filter=a&filter=b&STARTINDEX=3'));
    expect(q.filter).toBe('b'); // exact key wins over case-insensitive match
    expect(q.startIndex).toBe('3');
    expect(toScimQuery(parseQueryString('filter=a&filter=b')).filter).toBe('a');
  });

  test('absent parameters stay undefined', () => {
    const q = parseScimQuery('');
    expect(q).toEqual({ attributes: [], excludedAttributes: [], raw: {} });
    expect('filter' in q).toBe(false);
  });
});

describe('negotiateContentType', () => {
  test.for([
    [undefined, 'application/scim+json; charset=utf-8'],
    ['', 'application/scim+json; charset=utf-8'],
    ['application/scim+json', 'application/scim+json; charset=utf-8'],
    ['application/json', 'application/json; charset=utf-8'],
    ['application/json; charset=utf-8', 'application/json; charset=utf-8'],
    ['application/scim+json, application/json', 'application/scim+json; charset=utf-8'],
    ['application/json, */*;q=0.1', 'application/scim+json; charset=utf-8'],
    ['application/json, application/scim+json;q=0', 'application/json; charset=utf-8'],
    ['text/html', 'application/scim+json; charset=utf-8'],
  ] as const)('Accept %s', ([accept, expected]) => {
    expect(negotiateContentType(accept)).toBe(expected);
  });
});

describe('ifNoneMatchMatches', () => {
  const etag = etagOf(1);
  test.for([
    ['"1"', true],
    ['W/"1"', true],
    ['*', true],
    ['"0", "1"', true],
    ['"0",W/"1"', true],
    ['"2"', false],
    ['1', false],
    ['', false],
  ] as const)('If-None-Match %s', ([header, expected]) => {
    expect(ifNoneMatchMatches(header, etag)).toBe(expected);
  });
  test('absent header', () => expect(ifNoneMatchMatches(undefined, etag)).toBe(false));
});
