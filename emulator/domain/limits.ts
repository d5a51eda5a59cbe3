/**
 * What one request may write (the table is in emulator/README.md, "Limits"). The limits keep one hostile or
 * runaway request cheap; each is far above what a provisioning connector sends. Over a limit → 400 with a SCIM
 * error whose detail names the limit: scimType `invalidValue` (RFC 7644 §3.12: "the value specified was not
 * compatible with the operation"; `tooMany` is defined for filters of GET and .search only), `invalidPath` for an
 * over-long PATCH path. The body itself is capped at 512,000 bytes (Genesys `request.bytes.max`) → 413.
 */
import { ScimHttpError } from '../http-types.ts';

export const LIMITS = {
  /** Characters in one string value (userName, displayName, emails.value, externalIds.value, members.value, …). */
  stringLength: 1024,
  /** Operations in one PATCH request. */
  patchOperations: 1000,
  /** Characters in one PATCH operation's path. */
  patchPathLength: 1024,
} as const;

/**
 * Items of a multi-valued attribute written by one request: a POST or PUT body, or one PATCH operation's value.
 * User attributes are also checked on the user a PATCH produces (a user never holds more); a group's members
 * may grow past `members` through several PATCH requests, and such a group can only be changed with PATCH.
 */
export const ITEM_LIMITS: Readonly<Record<string, number>> = {
  emails: 10,
  phoneNumbers: 20,
  roles: 100,
  routingSkills: 50, // documented: "at most 50 skills and 50 languages per user"
  routingLanguages: 50,
  externalIds: 100,
  members: 2500,
};

const tooLong = (name: string, length: number, max: number, path = false) =>
  new ScimHttpError(
    400,
    `${name} is ${length} characters long; at most ${max} are accepted`,
    path ? 'invalidPath' : 'invalidValue',
  );

/** The string itself, or 400 invalidValue naming the limit. */
export function checkStringLength(value: string, name: string): string {
  if (value.length > LIMITS.stringLength) throw tooLong(name, value.length, LIMITS.stringLength);
  return value;
}

/** 400 invalidPath when a PATCH path (`name` says which) is longer than the limit. */
export function checkPathLength(path: string, name: string): void {
  if (path.length > LIMITS.patchPathLength) throw tooLong(name, path.length, LIMITS.patchPathLength, true);
}

/** The list itself, or 400 invalidValue when it holds more items than `attribute` accepts in one request. */
export function checkItemCount<T>(items: readonly T[], attribute: string, name = attribute): readonly T[] {
  const max = ITEM_LIMITS[attribute];
  if (max !== undefined && items.length > max) {
    throw new ScimHttpError(400, `${name} holds ${items.length} items; at most ${max} are accepted in one request`, 'invalidValue');
  }
  return items;
}

export function checkOperationCount(count: number): void {
  if (count > LIMITS.patchOperations) {
    throw new ScimHttpError(400, `Operations holds ${count} operations; at most ${LIMITS.patchOperations} are accepted in one PATCH request`, 'invalidValue');
  }
}
