/**
 * The harness, for suites: the one module suites/ import from. The layers below (config/, runtime/, oracles/,
 * generators/, checks/; see docs/ARCHITECTURE.md) are imported directly only by runner/, bin/, reporters/, bench/ and
 * the harness's own tests.
 */
export { behaviour } from './runtime/behaviour/register.ts';
export { getTarget, type BehaviourContext } from './runtime/behaviour/context.ts';
export type { HttpResult } from './runtime/http.ts';
export { ConformanceFailure } from './runtime/verify.ts';
export type { ResolvedTarget } from './config/target.ts';
export type { ModelName } from './config/models.ts';
export { pbtSettings, pbtTimeoutMs } from './config/pbt.ts';
export { assertEveryRowUsed, caseTable, fieldOf, rowsOf, unhandled, type CaseTable } from './config/cases.ts';
export { ciGet } from './oracles/attributes.ts';
export { compareForSort, formatFilter, parseFilter, select, sortValue, type AttrPath, type AttributeInfo, type AttributeLookup, type FilterNode } from './oracles/filter.ts';
export type { ModelOptions } from './oracles/patch/model.ts';
export { filterArbitrary, type FilterField } from './generators/filters.ts';
export {
  invalidGroupPatch,
  invalidUserPatch,
  mixedSequence,
  SEQUENCE_TAG,
  validGroupPatch,
  validSequence,
  validUserPatch,
  type GeneratedRequest,
  type GroupPatchArbContext,
  type UserPatchArbContext,
} from './generators/patch-requests.ts';
export { checkPatchModel } from './checks/patch-sequences.ts';
export * from './oracles/urns.ts';
export * from './checks/lists.ts';
export * from './checks/user-lists.ts';
export * from './checks/user-population.ts';
export * from './checks/user-writes.ts';
export * from './checks/user-patch-table.ts';
export * from './checks/group-subject.ts';
export * from './checks/group-writes.ts';
export * from './checks/shared-answers.ts';
export * from './checks/rfc7644.ts';
export * from './checks/rfc7644-population.ts';
export * from './checks/discovery-meta.ts';
export * from './checks/last-modified.ts';
export * from './checks/needs.ts';
export * from './checks/cases.ts';
export * from './checks/user-state.ts';
export * from './checks/user-subject.ts';
