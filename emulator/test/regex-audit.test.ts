/**
 * Every piece of the emulator that runs a regular expression (or a hand-written scanner) over request input, fed
 * the shapes that make backtracking blow up: long runs of one character between a prefix that gets the match
 * going and a suffix that makes it fail. Each call must finish within a generous guard (a catastrophic-
 * backtracking check, not a performance assertion). Inputs are 100 KB: far more than the 16 KB Node allows in
 * the request line and headers, as much as fits in a body field.
 */
import { describe, expect, test } from 'vitest';
import { authenticate, TokenStore } from '../auth.ts';
import { checkRequest } from '../contract/check.ts';
import { redactHeaders, redactQuery } from '../contract/recorder.ts';
import { checkIfMatch, ifNoneMatchIsCurrent, parsePaging } from '../domain/common.ts';
import { GROUP_FILTER_SPEC, parseFilter, USER_FILTER_SPEC } from '../domain/filter.ts';
import { resolvePatchPath } from '../domain/patch.ts';
import { projectionFor } from '../domain/projection.ts';
import { GROUP_SCHEMA, resolveAttrRef, USER_SCHEMA } from '../domain/schema.ts';
import { scimRequest } from '../domain/test-support.ts';
import { loadOperations } from '../operations.ts';
import { parseQueryString, splitAttributeList } from '../query.ts';
import { ifNoneMatchMatches } from '../routing.ts';
import { negotiateContentType } from '../server.ts';

const N = 100_000;
const GUARD_MS = 2000;
const RUNS = [' ', '\t', 'a', '0', '"', "'", '[', ']', '(', ',', ';', '=', '.', ':', '/', '\\', 'W/"', 'q=0', '.0', 'eq ', 'and ', 'a eq b '];

/** prefix + a long run of one piece + suffix, for every piece of RUNS. */
const shapes = (prefix: string, suffix = '!') => RUNS.map((run) => prefix + run.repeat(Math.ceil(N / run.length)) + suffix);

function quick(fn: (input: string) => unknown, inputs: string[]): void {
  for (const input of inputs) {
    const t0 = performance.now();
    try {
      fn(input);
    } catch {
      // refusing the input is fine; taking long is not
    }
    const ms = performance.now() - t0;
    expect(ms, `${JSON.stringify(input.slice(0, 40))}… (${input.length} characters) took ${ms.toFixed(0)} ms`).toBeLessThan(GUARD_MS);
  }
}

const store = new TokenStore();
const operations = loadOperations();
const route = { operation: 'putScimUser', prefix: '/api/v2/scim/v2', available: true };
const listRoute = { operation: 'getScimUsers', prefix: '/api/v2/scim/v2', available: true };

describe('regular expressions over request input are linear', () => {
  test.for<[string, (s: string) => unknown, string[]]>([
    ['Accept negotiation', negotiateContentType, ['', 'application/json;', 'application/json; q', 'a/b;q=0', 'a/b, c/d; '].flatMap((p) => shapes(p))],
    ['bearer token', (s) => authenticate(store, s), ['Bearer ', 'Bearer abc', 'bearer\t', 'Basic '].flatMap((p) => shapes(p))],
    ['filters (strict)', (s) => parseFilter(s, USER_FILTER_SPEC, 'strict'), ['', 'userName eq ', 'userName eq "', "userName eq '", 'a eq b and '].flatMap((p) => shapes(p))],
    ['filters (lenient)', (s) => parseFilter(s, GROUP_FILTER_SPEC, 'lenient'), ['', 'displayName eq ', 'id eq x and '].flatMap((p) => shapes(p))],
    ['PATCH paths', (s) => resolvePatchPath(USER_SCHEMA, s), ['', 'emails[', 'emails[type eq ', 'emails[type eq w', 'emails[type eq "a"]', `${USER_SCHEMA.coreUrn}:`].flatMap((p) => [...shapes(p), ...shapes(p, 'x]'), ...shapes(p, ']!')])],
    ['attributes names', (s) => { resolveAttrRef(GROUP_SCHEMA, s); return projectionFor(USER_SCHEMA, [s], [s]); }, ['', 'emails.', `${USER_SCHEMA.coreUrn}:`].flatMap((p) => shapes(p))],
    ['If-Match / If-None-Match', (s) => {
      const req = scimRequest({ headers: { 'if-match': s, 'if-none-match': s } });
      ifNoneMatchIsCurrent(req, '"1"');
      ifNoneMatchMatches(s, '"1"');
      return checkIfMatch(req, '"1"');
    }, ['', 'W/', '"1", ', 'W/"'].flatMap((p) => shapes(p))],
    ['paging parameters', (s) => parsePaging(scimRequest({ query: { startIndex: s, count: s } })), ['', '+', '-1'].flatMap((p) => shapes(p))],
    ['query strings', (s) => splitAttributeList(Object.values(parseQueryString(s)).flat()), ['', 'attributes=', 'a=1&', '%'].flatMap((p) => shapes(p))],
    ['contract checks', (s) => {
      const common = { method: 'PUT', path: `/api/v2/scim/v2/users/${s.slice(0, 1000)}`, body: { schemas: [s] }, bodyParsed: true, status: 400, token: undefined };
      checkRequest({ apiVersion: '2021', operations }, {
        ...common,
        route,
        query: { filter: s, attributes: s, count: s, [s.slice(0, 100)]: s },
        headers: { accept: s, 'if-match': s, authorization: s, 'content-type': s, 'content-length': '10' },
      });
      return checkRequest({ apiVersion: '2021', operations }, {
        ...common,
        method: 'GET',
        route: listRoute,
        query: { filter: s, excludedAttributes: s, startIndex: s },
        headers: { authorization: `Bearer ${s}` },
      });
    }, ['', 'userName eq ', 'Bearer ', 'W/"', 'application/json;'].flatMap((p) => shapes(p))],
    ['contract report redaction', (s) => [redactHeaders({ authorization: s, cookie: s, [s.slice(0, 1000)]: s }), redactQuery({ [s.slice(0, 1000)]: s })], ['', ' ', 'Bearer ', 'x-api-key'].flatMap((p) => shapes(p))],
  ])('%s', ([, fn, inputs]) => {
    quick(fn, inputs);
  });
});
