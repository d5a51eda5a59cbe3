/**
 * State assertions on a user representation, as the user write tables write them (fixtures/cases/user-patch.json):
 * `{path, equals | notEquals | absent | present | length}`, where `path` walks the resource with '/' between keys
 * (case-insensitive, RFC 7643 §2.1) and a segment `key=value` picks the first item of a multi-valued attribute whose
 * `key` equals `value`. An assertion reader, not a PATCH interpreter: the expected state is written in the table.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { ciGet } from '../oracles/attributes.ts';

export interface Assertion {
  path: string;
  equals?: unknown;
  notEquals?: unknown;
  absent?: boolean;
  present?: boolean;
  length?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at `path`: keys separated by '/', `key=value` picks the first matching item of an array. */
export function valueAt(resource: unknown, path: string): unknown {
  let cur: unknown = resource;
  for (const segment of path.split('/')) {
    if (cur === undefined || cur === null) return undefined;
    const select = /^([^=]+)=(.*)$/.exec(segment);
    if (select) {
      if (!Array.isArray(cur)) return undefined;
      const [, key, want] = select;
      cur = cur.find((item) => isObject(item) && String(ciGet(item, key) ?? '').toLowerCase() === want.toLowerCase());
    } else {
      if (!isObject(cur)) return undefined;
      cur = ciGet(cur, segment);
    }
  }
  return cur;
}

/** RFC 7643 §2.5: unassigned, null and an empty array are the same state. */
const unassigned = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function describeAssertion(a: Assertion): string {
  if ('equals' in a) return `${a.path} = ${JSON.stringify(a.equals)}`;
  if ('notEquals' in a) return `${a.path} ≠ ${JSON.stringify(a.notEquals)}`;
  if (a.absent) return `${a.path} unassigned`;
  if (a.present) return `${a.path} present`;
  return `${a.path} has ${a.length} values`;
}

/** Whether the assertion holds for `resource`. */
export function holds(a: Assertion, resource: unknown): boolean {
  const actual = valueAt(resource, a.path);
  if ('equals' in a) return same(actual, a.equals);
  if ('notEquals' in a) return !same(actual, a.notEquals);
  if (a.absent) return unassigned(actual);
  if (a.present) return !unassigned(actual);
  if (a.length !== undefined) return Array.isArray(actual) && actual.length === a.length;
  throw new Error(`assertion without a comparison: ${JSON.stringify(a)}`);
}

/** The first assertion that does not hold for `resource` (none: undefined). */
export function unmet(assertions: readonly Assertion[], resource: unknown): Assertion | undefined {
  return assertions.find((a) => !holds(a, resource));
}

function expectedText(a: Assertion): unknown {
  if ('equals' in a) return a.equals;
  if ('notEquals' in a) return `anything but ${JSON.stringify(a.notEquals)}`;
  if (a.absent) return '(unassigned: absent, null or [])';
  if (a.present) return '(a value)';
  return `an array of ${a.length} values`;
}

/** Verifies every assertion against `resource` (the body of `res`). */
export function verifyState(ctx: BehaviourContext, res: HttpResult, resource: unknown, assertions: readonly Assertion[], where: string): void {
  for (const a of assertions) {
    const actual = valueAt(resource, a.path);
    ctx.verify.that(res, holds(a, resource), `${where}: ${describeAssertion(a)}`, expectedText(a), actual === undefined ? '(absent)' : actual);
  }
}
