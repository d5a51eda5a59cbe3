/**
 * fast-check arbitraries of SCIM filters (RFC 7644 §3.4.2.2) over the values of a known set of resources: each
 * comparison takes its operand from a value the resources really hold (whole, or a slice of it, sometimes with its
 * case changed), so generated filters select some resources and not others. Paired with harness/filter-eval.ts.
 */
import fc from 'fast-check';
import { COMPARE_OPS, type AttrPath, type CompareOp, type FilterNode } from '../oracles/filter.ts';

export interface FilterField {
  path: AttrPath;
  /** Values the resources hold for this path (operands are drawn from them). */
  values: string[];
  /** Operators to use; default every comparison operator. */
  ops?: readonly CompareOp[];
}

export interface FilterSpace {
  /** Attributes compared with eq/ne/co/sw/ew/gt/ge/lt/le. */
  compare: FilterField[];
  /** Attributes tested with pr (some resources have them, some do not). */
  present: AttrPath[];
  /** Multi-valued complex attributes usable in value paths, with their sub-attribute fields (paths relative: { attr: sub }). */
  valuePaths: { path: AttrPath; fields: FilterField[] }[];
}

function operand(values: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...values), fc.nat(), fc.nat(), fc.constantFrom('keep', 'keep', 'upper', 'lower', 'whole'))
    .map(([v, a, b, mode]) => {
      if (mode === 'whole' || v.length === 0) return v;
      const i = a % v.length;
      const j = i + 1 + (b % (v.length - i));
      const slice = v.slice(i, j);
      return mode === 'upper' ? slice.toUpperCase() : mode === 'lower' ? slice.toLowerCase() : slice;
    })
    .filter((s) => s.length > 0);
}

function comparison(fields: FilterField[]): fc.Arbitrary<FilterNode> {
  return fc
    .constantFrom(...fields)
    .chain((f) => fc.tuple(fc.constant(f.path), fc.constantFrom(...(f.ops ?? COMPARE_OPS)), operand(f.values)))
    .map(([path, op, value]): FilterNode => ({ kind: 'compare', path, op, value }));
}

/** Filters of up to `depth` levels of and/or/not over the space. */
export function filterArbitrary(space: FilterSpace, depth = 3): fc.Arbitrary<FilterNode> {
  const leaves: fc.Arbitrary<FilterNode>[] = [comparison(space.compare)];
  if (space.present.length) leaves.push(fc.constantFrom(...space.present).map((path): FilterNode => ({ kind: 'pr', path })));
  for (const vp of space.valuePaths) {
    const inner = comparison(vp.fields);
    leaves.push(
      fc.oneof(inner, fc.tuple(inner, inner).map(([left, right]): FilterNode => ({ kind: 'and', left, right }))).map(
        (filter): FilterNode => ({ kind: 'valuePath', path: vp.path, filter }),
      ),
    );
  }
  const leaf = fc.oneof(...leaves);
  const node = (d: number): fc.Arbitrary<FilterNode> => {
    if (d <= 0) return leaf;
    const sub = node(d - 1);
    return fc.oneof(
      { weight: 3, arbitrary: leaf },
      { weight: 2, arbitrary: fc.tuple(sub, sub).map(([left, right]): FilterNode => ({ kind: 'and', left, right })) },
      { weight: 2, arbitrary: fc.tuple(sub, sub).map(([left, right]): FilterNode => ({ kind: 'or', left, right })) },
      { weight: 1, arbitrary: sub.map((filter): FilterNode => ({ kind: 'not', filter })) },
    );
  };
  return node(depth);
}
