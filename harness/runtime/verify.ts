/**
 * Verifiers: the only place failure messages are built. Every failure names the requirement,
 * what was expected and what came back, the request (redacted), the response status, headers
 * and a body excerpt, and a curl line that reproduces the request.
 */
import { isDeepStrictEqual } from 'node:util';
import { validateModel, type ModelName } from '../config/models.ts';
import { curlFor, type HttpResult, type RecordedExchange } from './http.ts';
import type { FailureData, FailureParts } from './results.ts';

const BODY_EXCERPT = 1200;

/** A failed check: its parts as data (for the report), its message built from them (for people). */
export class ConformanceFailure extends Error {
  constructor(readonly parts: FailureParts) {
    super(formatFailure(parts));
    this.name = 'ConformanceFailure';
  }

  get exchange(): RecordedExchange | undefined {
    return this.parts.exchange;
  }

  /** The failure as report data: expected and actual rendered as they read in the message. */
  data(): FailureData {
    const { requirement, check, expected, actual, exchange } = this.parts;
    return { requirement, check, expected: show(expected), actual: show(actual), ...(exchange ? { exchange } : {}) };
  }

  /** The same failure with a note added to what was checked (e.g. the generated input that made it fail). */
  withNote(note: string): ConformanceFailure {
    return new ConformanceFailure({ ...this.parts, check: `${this.parts.check}\n${note}` });
  }
}

/**
 * A step the check needed before it could judge its behaviour failed: a resource it creates was refused, a shared
 * fixture could not be built. The check is blocked, not failed (runtime/results.ts TestVerdict), unless the step got a
 * server error: a 5xx fails the check that got it, whatever the step.
 */
export class SetupFailure extends ConformanceFailure {
  constructor(parts: FailureParts) {
    super(parts);
    this.name = 'SetupFailure';
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

function indent(text: string, pad = '          '): string {
  return text.split('\n').map((l, i) => (i === 0 ? l : pad + l)).join('\n');
}

export function formatExchange(ex: RecordedExchange): string {
  const lines: string[] = [];
  lines.push(`Request:  ${ex.request.method} ${ex.request.url}`);
  for (const [k, v] of Object.entries(ex.request.headers)) lines.push(`          ${k}: ${v}`);
  if (ex.request.body) lines.push(`          ${indent(excerpt(ex.request.body))}`);
  if (ex.response) {
    lines.push(`Response: ${ex.response.status} (${ex.durationMs} ms)`);
    for (const [k, v] of Object.entries(ex.response.headers)) lines.push(`          ${k}: ${v}`);
    lines.push(`Body:     ${ex.response.body ? indent(excerpt(ex.response.body)) : '(empty)'}`);
  } else if (ex.error) {
    lines.push(`Response: none: ${ex.error}`);
  }
  lines.push('Reproduce:', `  ${curlFor(ex)}`);
  return lines.join('\n');
}

function excerpt(body: string): string {
  return body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}… (${body.length} bytes)` : body;
}

/** The Check, Expected and Actual lines of a failure. */
export function formatCheck(parts: Pick<FailureParts, 'check' | 'expected' | 'actual'>): string {
  return [`Check:    ${parts.check}`, `Expected: ${indent(show(parts.expected))}`, `Actual:   ${indent(show(parts.actual))}`].join('\n');
}

export function formatFailure(parts: FailureParts): string {
  const lines = [parts.requirement, formatCheck(parts)];
  if (parts.exchange) lines.push(formatExchange(parts.exchange));
  return lines.join('\n');
}

/** What a body that is not JSON looks like, for a failure message. */
export function describeNonJson(res: HttpResult): string {
  const type = res.headers['content-type'] ?? 'no content-type';
  if (res.text.trim() === '') return `an empty body (${type})`;
  let why = 'not JSON';
  try {
    JSON.parse(res.text);
  } catch (e) {
    why = `not JSON (${(e as Error).message})`;
  }
  const html = /^\s*<(!doctype|html|head|body)/i.test(res.text) ? ' an HTML page,' : '';
  return `${why}:${html} ${type}, ${res.text.length} bytes, starting ${JSON.stringify(res.text.slice(0, 120))}`;
}

export type Verify = ReturnType<typeof createVerify>;

/** Verifiers bound to one requirement (the behaviour's `[ID] title`). */
export function createVerify(requirement: string) {
  const fail = (check: string, expected: unknown, actual: unknown, res?: HttpResult): never => {
    throw new ConformanceFailure({ requirement, check, expected, actual, exchange: res?.exchange });
  };

  const verify = {
    /** `[ID] title (level; sources)`: the first line of every failure. */
    requirement,
    fail,

    /** The response status is `expected` (or one of them). */
    status(res: HttpResult, expected: number | readonly number[], check = 'HTTP status'): void {
      const ok = Array.isArray(expected) ? expected.includes(res.status) : res.status === expected;
      if (!ok) fail(check, Array.isArray(expected) ? `one of ${expected.join(', ')}` : expected, res.status, res);
    },

    /** The body (or `value`, when given) validates against the model's JSON Schema. */
    schema(res: HttpResult, model: ModelName, value: unknown = res.body, check = `body is a valid ${model}`): void {
      if (value === undefined && res.body === undefined) {
        // An unknown server may answer HTML, plain text, truncated or malformed JSON, or nothing at all.
        fail(`${check}: the response body is JSON`, `a JSON ${model} (application/scim+json)`, describeNonJson(res), res);
      }
      const { valid, errors } = validateModel(model, value);
      if (!valid) fail(check, `a ${model} (schemas/${model}.json)`, errors.slice(0, 12).join('\n'), res);
    },

    /** A SCIM error: status code, ScimError body with `status` as that string, and scimType when given. */
    scimError(res: HttpResult, status: number | readonly number[], scimType?: string): void {
      verify.status(res, status);
      verify.schema(res, 'ScimError', res.body, 'body is a SCIM error (RFC 7644 §3.12)');
      if (res.body.status !== String(res.status)) fail('error body status matches the HTTP status', String(res.status), res.body.status, res);
      if (scimType !== undefined && res.body.scimType !== scimType) fail('scimType', scimType, res.body.scimType ?? '(none)', res);
      if (typeof res.body.detail !== 'string' || res.body.detail.trim() === '') {
        fail('error detail is a non-empty explanation', 'a detail string', res.body.detail ?? '(none)', res);
      }
    },

    /**
     * A SCIM error as RFC 7644 §3.12 defines it, for servers judged by the RFC alone: the status, a JSON body whose
     * schemas hold the Error URN ("implementers MUST return the errors in the body of the response in a JSON format")
     * and whose `status` is the HTTP status as a string (REQUIRED). `scimType` and `detail` are OPTIONAL there: give
     * `scimType` where the rule the check judges names one (e.g. §3.3 409 uniqueness); several values when Table 9
     * fits more than one; `scimTypeOptional` when the rule names none, so that a missing scimType passes and a
     * present one must still be among them.
     */
    rfcError(res: HttpResult, status: number | readonly number[], scimType?: string | readonly string[], options: { scimTypeOptional?: boolean } = {}): void {
      verify.status(res, status);
      verify.schema(res, 'ScimError', res.body, 'the body is a SCIM Error (RFC 7644 §3.12: "implementers MUST return the errors in the body of the response in a JSON format")');
      if (res.body.status !== String(res.status)) fail('error body "status" is the HTTP status code as a string (RFC 7644 §3.12: REQUIRED)', String(res.status), res.body.status, res);
      if (scimType === undefined) return;
      const allowed = typeof scimType === 'string' ? [scimType] : scimType;
      const got = res.body.scimType ?? undefined;
      if (got === undefined && options.scimTypeOptional) return;
      if (!allowed.includes(got)) {
        fail('scimType (RFC 7644 §3.12, Table 9)', `${allowed.join(' or ')}${options.scimTypeOptional ? ' (or none)' : ''}`, got ?? '(none)', res);
      }
    },

    /** A header is present (and matches, when `expected` is given); returns its value. */
    header(res: HttpResult, name: string, expected?: string | RegExp): string {
      const v = res.headers[name.toLowerCase()];
      if (v === undefined) return fail(`header ${name} is present`, expected ?? 'present', '(absent)', res);
      if (expected instanceof RegExp ? !expected.test(v) : expected !== undefined && v !== expected) {
        fail(`header ${name}`, String(expected), v, res);
      }
      return v;
    },

    /** The response declares a JSON media type SCIM allows. */
    contentType(res: HttpResult): void {
      verify.header(res, 'content-type', /^application\/(scim\+)?json\s*(;.*)?$/i);
    },

    /** Deep equality. */
    equal(res: HttpResult | undefined, actual: unknown, expected: unknown, check: string): void {
      if (!isDeepStrictEqual(actual, expected)) fail(check, expected, actual, res);
    },

    /** A condition, with what was expected and what was seen. */
    that(res: HttpResult | undefined, condition: boolean, check: string, expected: unknown, actual: unknown): void {
      if (!condition) fail(check, expected, actual, res);
    },

    /** No body (e.g. 304, 204). */
    noBody(res: HttpResult, check = 'no response body'): void {
      if (res.text.trim() !== '') fail(check, '(empty)', excerpt(res.text), res);
    },
  };
  return verify;
}
