export { behaviour, getTarget, type BehaviourContext } from './behaviour.ts';
export type { HttpResult } from './http.ts';
export type { ResolvedTarget } from './target.ts';
export type { ModelName } from './schemas.ts';
export { ciGet } from './attributes.ts';
export { fillCase, rowsOf } from './cases.ts';
