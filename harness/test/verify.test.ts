import { describe, expect, test } from 'vitest';
import type { HttpResult } from '../runtime/http.ts';
import { ConformanceFailure, createVerify } from '../runtime/verify.ts';

function result(status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/scim+json' }): HttpResult {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    status,
    headers,
    body,
    text,
    exchange: {
      request: { method: 'GET', url: 'http://127.0.0.1:1/api/v2/scim/v2/users/x', headers: { authorization: 'Bearer <redacted>' } },
      response: { status, headers, body: text },
      durationMs: 3,
    },
  };
}

function failureOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConformanceFailure);
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

const verify = createVerify('[USR-GET-UNKNOWN-404] an unknown id is 404');

describe('verify', () => {
  test('a failure carries its parts as data: the report reads them, not the message', () => {
    let failure: ConformanceFailure | undefined;
    try {
      verify.equal(result(200, { a: 1 }), { list: [1, 2] }, { list: [1] }, 'the list');
    } catch (e) {
      failure = e as ConformanceFailure;
    }
    expect(failure?.parts).toMatchObject({ requirement: '[USR-GET-UNKNOWN-404] an unknown id is 404', check: 'the list', expected: { list: [1] }, actual: { list: [1, 2] } });
    expect(failure?.data()).toEqual({
      requirement: '[USR-GET-UNKNOWN-404] an unknown id is 404',
      check: 'the list',
      expected: '{"list":[1]}',
      actual: '{"list":[1,2]}',
      exchange: failure?.exchange,
    });
    const noted = failure!.withNote('generated input: x');
    expect(noted.parts.check).toBe('the list\ngenerated input: x');
    expect(noted.message).toContain('Check:    the list\ngenerated input: x');
    expect(noted.exchange).toBe(failure!.exchange);
  });

  test('a failure message names the requirement, expected, actual, request, response and a curl line', () => {
    const msg = failureOf(() => verify.status(result(500, { oops: true }), 404));
    expect(msg).toContain('[USR-GET-UNKNOWN-404] an unknown id is 404');
    expect(msg).toMatch(/Expected: 404/);
    expect(msg).toMatch(/Actual:   500/);
    expect(msg).toContain('Request:  GET http://127.0.0.1:1/api/v2/scim/v2/users/x');
    expect(msg).toContain('Response: 500');
    expect(msg).toContain('{"oops":true}');
    expect(msg).toContain("curl -sS -i -X GET 'http://127.0.0.1:1/api/v2/scim/v2/users/x'");
  });

  test.for([
    { name: 'a conformant SCIM error passes', status: 404, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'no user x' }, scimType: undefined, fails: false },
    { name: 'status as a number fails', status: 404, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: 404, detail: 'no user x' }, scimType: undefined, fails: true },
    { name: 'status not matching HTTP fails', status: 404, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', detail: 'x' }, scimType: undefined, fails: true },
    { name: 'missing detail fails', status: 400, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidVers' }, scimType: 'invalidVers', fails: true },
    { name: 'wrong scimType fails', status: 400, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue', detail: 'x' }, scimType: 'invalidVers', fails: true },
    { name: 'right scimType passes', status: 400, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidVers', detail: 'stale' }, scimType: 'invalidVers', fails: false },
  ])('scimError: $name', ({ status, body, scimType, fails }) => {
    const run = () => verify.scimError(result(status, body), status, scimType);
    if (fails) expect(run).toThrow(ConformanceFailure);
    else expect(run).not.toThrow();
  });

  const ERR = 'urn:ietf:params:scim:api:messages:2.0:Error';
  test.for([
    { name: 'no detail passes (OPTIONAL in RFC 7644 §3.12)', status: 404, body: { schemas: [ERR], status: '404' }, scimType: undefined, optional: false, fails: false },
    { name: 'a bare empty 404 fails', status: 404, body: undefined, scimType: undefined, optional: false, fails: true },
    { name: 'a JSON body without the Error URN fails', status: 404, body: { message: 'Not Found' }, scimType: undefined, optional: false, fails: true },
    { name: 'status as a number fails', status: 404, body: { schemas: [ERR], status: 404 }, scimType: undefined, optional: false, fails: true },
    { name: 'a scimType the rule names passes', status: 409, body: { schemas: [ERR], status: '409', scimType: 'uniqueness' }, scimType: 'uniqueness', optional: false, fails: false },
    { name: 'a missing scimType the rule names fails', status: 409, body: { schemas: [ERR], status: '409' }, scimType: 'uniqueness', optional: false, fails: true },
    { name: 'a missing optional scimType passes', status: 400, body: { schemas: [ERR], status: '400' }, scimType: ['invalidSyntax', 'invalidValue'], optional: true, fails: false },
    { name: 'any of several scimTypes passes', status: 400, body: { schemas: [ERR], status: '400', scimType: 'invalidValue' }, scimType: ['invalidSyntax', 'invalidValue'], optional: true, fails: false },
    { name: 'an optional scimType outside the list fails', status: 400, body: { schemas: [ERR], status: '400', scimType: 'mutability' }, scimType: ['invalidSyntax', 'invalidValue'], optional: true, fails: true },
  ])('rfcError: $name', ({ status, body, scimType, optional, fails }) => {
    const run = () => verify.rfcError(result(status, body), status, scimType, { scimTypeOptional: optional });
    if (fails) expect(run).toThrow(ConformanceFailure);
    else expect(run).not.toThrow();
  });

  test.for([
    { name: 'application/scim+json', type: 'application/scim+json; charset=utf-8', ok: true },
    { name: 'application/json', type: 'application/json', ok: true },
    { name: 'text/html', type: 'text/html', ok: false },
  ])('contentType: $name', ({ type, ok }) => {
    const run = () => verify.contentType(result(200, {}, { 'content-type': type }));
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(/content-type/);
  });

  test('noBody and header', () => {
    expect(() => verify.noBody(result(304, undefined, {}))).not.toThrow();
    expect(() => verify.noBody(result(304, { a: 1 }))).toThrow(/no response body/);
    expect(verify.header(result(200, {}, { etag: '"3"' }), 'ETag', /^"\d+"$/)).toBe('"3"');
    expect(() => verify.header(result(200, {}, {}), 'ETag')).toThrow(/\(absent\)/);
  });
});
