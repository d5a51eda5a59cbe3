/**
 * Value filters inside a PATCH path (`emails[type eq "work"]`, RFC 7644 §3.5.2 valuePath): parsed with the harness's
 * one filter parser (oracles/filter.ts; single quotes accepted, as Entra sends them), and matched against a record of
 * a multi-valued attribute with the model's own comparison rules (its case-exactness per sub-attribute).
 */
import { ciGet } from '../attributes.ts';
import { evaluateLogic, FilterError, formatFilter, parseFilter, type FilterNode } from '../filter.ts';
import { isUnassigned, lc, PathSyntaxError, type Obj } from './model.ts';
import { findDef, type AttrDef } from './schema.ts';

export type Filter = FilterNode;

/** Parses the filter of a value path; a malformed filter is a PathSyntaxError inside the filter (invalidPath, or invalidFilter). */
export function parseValueFilter(text: string): Filter {
  try {
    return parseFilter(text, { singleQuotes: true });
  } catch (e) {
    if (e instanceof FilterError) throw new PathSyntaxError(`filter "${text}": ${e.message}`, true);
    throw e;
  }
}

/** Whether a record matches the filter (the filter's attributes were checked against the sub-attributes first). */
export function matchFilter(filter: Filter, rec: Obj, attr: AttrDef): boolean {
  return evaluateLogic(filter, (f) => {
    switch (f.kind) {
      case 'valuePath':
        // resolveTarget leaves a nested value path undetermined before anything is matched
        throw new Error(`a value path inside a value filter: ${formatFilter(f)}`);
      case 'pr':
        return !isUnassigned(ciGet(rec, f.path.attr));
      case 'compare': {
        const def = findDef(attr.sub, f.path.attr)!;
        let a = ciGet(rec, f.path.attr) as unknown;
        let b = f.value as unknown;
        if (typeof a === 'string' && typeof b === 'string' && def.ci) {
          a = lc(a);
          b = lc(b);
        }
        if (a === undefined || a === null) return f.op === 'ne' ? b !== null : f.op === 'eq' && b === null;
        switch (f.op) {
          case 'eq':
            return a === b;
          case 'ne':
            return a !== b;
          case 'co':
            return typeof a === 'string' && typeof b === 'string' && a.includes(b);
          case 'sw':
            return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
          case 'ew':
            return typeof a === 'string' && typeof b === 'string' && a.endsWith(b);
          case 'gt':
            return typeof a === typeof b && (a as any) > (b as any);
          case 'ge':
            return typeof a === typeof b && (a as any) >= (b as any);
          case 'lt':
            return typeof a === typeof b && (a as any) < (b as any);
          case 'le':
            return typeof a === typeof b && (a as any) <= (b as any);
        }
      }
    }
  });
}
