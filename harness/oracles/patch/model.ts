/**
 * The PATCH model's vocabulary: the modelled resource, the options, the three kinds of predicted outcome, and how an
 * application step says "refused" or "undetermined" (it throws a Stop that applyPatch catches).
 */
import type { ApiVersion } from '../../config/env.ts';

export type { ApiVersion };

export type ScimType = 'invalidSyntax' | 'invalidPath' | 'invalidFilter' | 'noTarget' | 'invalidValue' | 'mutability';
export type ResourceKind = 'users' | 'groups';

export interface PredictedError {
  kind: 'error';
  status: 400;
  /** The scimType the sources name first. */
  scimType: ScimType;
  /** Every scimType the sources allow for this request (includes scimType). */
  accept: ScimType[];
  detail: string;
  /** Index of the operation that fails (-1: the request as a whole). */
  op: number;
}

export interface Undetermined {
  kind: 'undetermined';
  reason: string;
  op: number;
}

export interface Applied {
  kind: 'ok';
  state: ResourceModel;
  /** Whether anything the model determines changed (a changed resource must get a new version). */
  changed: boolean;
}

export type PatchOutcome = Applied | PredictedError | Undetermined;

export interface ModelOptions {
  apiVersion: ApiVersion;
  /**
   * Names and ids the target is known to accept. A name outside the list is undetermined (the target may know it).
   * userIds: users that exist (managers, group members).
   */
  known?: { roles?: string[]; divisions?: string[]; skills?: string[]; languages?: string[]; userIds?: string[] };
  /** What deactivation does to roles: 'unknown' (default: either, reference §8), 'drop' or 'keep'. */
  rolesOnDeactivation?: 'unknown' | 'drop' | 'keep';
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = Record<string, any>;

/** The model of one resource: its writable attributes (canonical names) and what is uncertain about them. */
export interface ResourceModel {
  resource: ResourceKind;
  id: string;
  /** Core attributes by canonical name; extension attributes under their schema URN. */
  doc: Obj;
  /** Role names that may or may not still be assigned (after a deactivation). */
  uncertainRoles: string[];
}

// ------------------------------------------------------------------------------------------------ helpers

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const lc = (s: string) => s.toLowerCase();
export const clone = <T>(v: T): T => structuredClone(v);

export const isUnassigned = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/** Thrown inside an application step; caught by applyPatch. */
export class Stop {
  constructor(readonly failure: { kind: 'error'; scimType: ScimType; accept: ScimType[]; detail: string } | { kind: 'undetermined'; reason: string }) {}
}
export function refuse(scimType: ScimType, detail: string, also: ScimType[] = []): never {
  throw new Stop({ kind: 'error', scimType, accept: [scimType, ...also.filter((t) => t !== scimType)], detail });
}
export function open(reason: string): never {
  throw new Stop({ kind: 'undetermined', reason });
}
export function badValue(detail: string): never {
  return refuse('invalidValue', detail, ['invalidSyntax']);
}

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class PathSyntaxError extends Error {
  constructor(
    message: string,
    readonly inFilter: boolean,
  ) {
    super(message);
  }
}
