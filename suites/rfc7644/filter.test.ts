/**
 * Filtering (RFC 7644 §3.4.2.2) where the server's ServiceProviderConfig says filter.supported: every operator,
 * the logical operators, grouping, value paths, sub-attributes, caseExact and case-insensitive names, checked
 * against the local evaluator (harness/oracles/filter.ts) over the population of users the run created. Each clause
 * is sent inside the population's scope when the server has one, or alone (harness/checks/rfc7644-population.ts);
 * an operator the server declines with 400 invalidFilter is a capability it does not have (skipped with its detail),
 * read as that module says.
 */
import fc from 'fast-check';
import {
  behaviour,
  ciGet,
  ConformanceFailure,
  expectSelection,
  filterArbitrary,
  findAttribute,
  formatFilter,
  askFilter,
  declinedOperators,
  DECLINED_READING,
  pbtSettings,
  population,
  requireAttributes,
  select,
  shortNames,
  type AttrPath,
  type BehaviourContext,
  type FilterField,
  type FilterNode,
  type Listing,
  type Population,
} from '../../harness/index.ts';

async function setup(ctx: BehaviourContext, attributes: string[]): Promise<Population> {
  const pop = await population(ctx);
  requireAttributes(ctx, pop.schema, attributes);
  return pop;
}

behaviour('RFC-FILTER-EQ', 'selects users with eq', async (ctx) => {
  const pop = await setup(ctx, ['userName']);
  const one = pop.members[2];
  // A single clause of the run's own userName: no logical operator needed, so eq is judged alone.
  await expectSelection(ctx, pop, `userName eq ${JSON.stringify(one.userName)}`, { unique: true, required: true });
});

behaviour('RFC-FILTER-NE', 'selects users with ne', async (ctx) => {
  const pop = await setup(ctx, ['displayName']);
  await expectSelection(ctx, pop, `displayName ne ${JSON.stringify(ciGet(pop.members[1], 'displayName'))}`);
});

behaviour('RFC-FILTER-CO', 'selects users with co', async (ctx) => {
  const pop = await setup(ctx, ['displayName']);
  await expectSelection(ctx, pop, 'displayName co "Engineer"');
});

behaviour('RFC-FILTER-SW', 'selects users with sw', async (ctx) => {
  const pop = await setup(ctx, ['userName']);
  await expectSelection(ctx, pop, `userName sw ${JSON.stringify(`${pop.prefix}c`)}`, { unique: true });
});

behaviour('RFC-FILTER-EW', 'selects users with ew', async (ctx) => {
  const pop = await setup(ctx, ['displayName']);
  await expectSelection(ctx, pop, 'displayName ew "Manager"');
});

behaviour('RFC-FILTER-PR', 'selects users with pr', async (ctx) => {
  const pop = await setup(ctx, ['title']);
  await expectSelection(ctx, pop, 'title pr');
});

/** A member's own display name as the operand: ge/le include it, gt/lt do not (case plays no part: see RFC-FILTER-CASE-EXACT). */
async function ordered(ctx: BehaviourContext, op: 'gt' | 'ge' | 'lt' | 'le'): Promise<void> {
  const pop = await setup(ctx, ['displayName']);
  await expectSelection(ctx, pop, `displayName ${op} ${JSON.stringify(ciGet(pop.members[2], 'displayName'))}`);
}

behaviour('RFC-FILTER-GT', 'selects users with gt, lexicographically', (ctx) => ordered(ctx, 'gt'));
behaviour('RFC-FILTER-GE', 'selects users with ge, lexicographically', (ctx) => ordered(ctx, 'ge'));
behaviour('RFC-FILTER-LT', 'selects users with lt, lexicographically', (ctx) => ordered(ctx, 'lt'));
behaviour('RFC-FILTER-LE', 'selects users with le, lexicographically', (ctx) => ordered(ctx, 'le'));

behaviour('RFC-FILTER-AND', 'selects users matching both expressions with and', async (ctx) => {
  const pop = await setup(ctx, ['displayName', 'title']);
  await expectSelection(ctx, pop, 'displayName co "Engineer" and title pr');
});

behaviour('RFC-FILTER-OR', 'selects users matching either expression with or', async (ctx) => {
  const pop = await setup(ctx, ['displayName']);
  await expectSelection(ctx, pop, `displayName eq ${JSON.stringify(ciGet(pop.members[0], 'displayName'))} or displayName eq ${JSON.stringify(ciGet(pop.members[4], 'displayName'))}`);
});

behaviour('RFC-FILTER-NOT', 'selects users not matching the expression with not ( )', async (ctx) => {
  const pop = await setup(ctx, ['displayName']);
  await expectSelection(ctx, pop, 'not (displayName co "Engineer")');
});

behaviour('RFC-FILTER-NOT-AND', 'negates a whole and-expression with not ( ), not each of its operands', async (ctx) => {
  const pop = await setup(ctx, ['displayName', 'title']);
  // Ann Engineer (title Lead) matches both operands, so only she is left out; negating each operand instead
  // (not A and not B) would keep only the users with neither, and "not A and B" only the titled non-engineers.
  await expectSelection(ctx, pop, 'not (displayName co "Engineer" and title pr)');
});

behaviour('RFC-FILTER-PRECEDENCE', 'groups with parentheses, and binds tighter than or', async (ctx) => {
  const pop = await setup(ctx, ['displayName', 'title']);
  // Without parentheses: A or (B and C); with them: (A or B) and C. The population tells the two apart.
  const a = 'displayName co "Engineer"';
  const b = 'displayName co "Manager"';
  const c = 'title pr';
  await expectSelection(ctx, pop, `${a} or ${b} and ${c}`);
  await expectSelection(ctx, pop, `(${a} or ${b}) and ${c}`);
});

behaviour('RFC-FILTER-VALUE-PATH', 'selects a user when one email matches the whole value path', async (ctx) => {
  const pop = await setup(ctx, ['emails.type', 'emails.value']);
  // Every user has one work email: the value path must join both conditions on it.
  await expectSelection(ctx, pop, 'emails[type eq "work" and value sw "charlie."]');
  await expectSelection(ctx, pop, 'emails[value sw "echo." or value sw "alpha."]');
});

behaviour('RFC-FILTER-SUB-ATTRIBUTE', 'filters on a complex sub-attribute and on any value of a multi-valued one', async (ctx) => {
  const pop = await setup(ctx, ['name.familyName', 'emails.value']);
  await expectSelection(ctx, pop, 'name.familyName sw "C"');
  await expectSelection(ctx, pop, 'emails.value sw "delta."');
});

behaviour('RFC-FILTER-CASE-EXACT', 'compares userName case-insensitively and a caseExact attribute case-sensitively', async (ctx) => {
  const pop = await setup(ctx, ['userName']);
  // userName is unique: one clause, unscoped, judges the comparison alone.
  await expectSelection(ctx, pop, `userName eq ${JSON.stringify(String(pop.members[1].userName).toUpperCase())}`, { unique: true });
  const exact = ['externalId', 'id'].find((n) => findAttribute(pop.schema, n)?.caseExact === true && ciGet(pop.members[1], n) !== undefined);
  if (!exact) return;
  const value = String(ciGet(pop.members[1], exact));
  const flipped = value.toUpperCase() !== value ? value.toUpperCase() : value.toLowerCase();
  if (flipped === value) return;
  await expectSelection(ctx, pop, `${exact} eq ${JSON.stringify(flipped)}`, { discriminating: false, unique: true });
});

behaviour('RFC-FILTER-CASE-INSENSITIVE-NAMES', 'reads attribute names and operators in any case', async (ctx) => {
  const pop = await setup(ctx, ['userName']);
  // eq on the run's own userNames, which any filtering server supports: only the case of the name and operator varies.
  await expectSelection(ctx, pop, `USERNAME EQ ${JSON.stringify(pop.members[3].userName)}`, { unique: true });
  await expectSelection(ctx, pop, `uSeRnAmE eQ ${JSON.stringify(pop.members[0].userName)}`, { unique: true });
});

behaviour.for(
  'RFC-FILTER-INVALID-400',
  'refuses a filter outside the grammar with 400 invalidFilter',
  [
    { name: 'unknown operator', filter: 'userName zz "x"' },
    { name: 'unterminated string', filter: 'userName eq "x' },
    { name: 'unbalanced parenthesis', filter: '(userName eq "x"' },
  ],
  async ({ filter }, ctx) => {
    const res = await ctx.scim.get('/Users', { query: { filter } });
    ctx.verify.rfcError(res, 400, 'invalidFilter');
  },
);

behaviour(
  'RFC-FILTER-GENERATED',
  'selects with generated filters exactly what the RFC evaluator selects',
  async (ctx) => {
    const pop = await population(ctx);
    const has = (p: string) => findAttribute(pop.schema, p) !== undefined;
    const values = (p: AttrPath) => [...new Set(pop.members.flatMap((m) => collect(m, p)))];
    const field = (path: AttrPath, ops?: FilterField['ops']): FilterField => ({ path, values: values(path), ops });
    const compare: FilterField[] = [field({ attr: 'userName' })];
    for (const p of ['displayName', 'name.givenName', 'name.familyName']) {
      if (!has(p)) continue;
      const [attr, sub] = p.split('.');
      compare.push(field({ attr, ...(sub ? { sub } : {}) }));
    }
    // ne is left out for multi-valued attributes: "any value differs" and "no value equals" read differently.
    if (has('emails.value')) compare.push(field({ attr: 'emails', sub: 'value' }, ['eq', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']));
    const space = {
      compare: compare.filter((f) => f.values.length > 0),
      present: has('title') ? [{ attr: 'title' }] : [],
      valuePaths:
        has('emails.type') && has('emails.value')
          ? [{ path: { attr: 'emails' }, fields: [field({ attr: 'type' }, ['eq', 'ne']), field({ attr: 'value' }, ['eq', 'co', 'sw', 'ew'])] }]
          : [],
    };
    // values of sub-fields inside a value path are taken from the emails themselves
    if (space.valuePaths[0]) {
      space.valuePaths[0].fields = [
        { path: { attr: 'type' }, values: [...new Set(pop.members.flatMap((m) => collect(m, { attr: 'emails', sub: 'type' })))], ops: ['eq', 'ne'] },
        { path: { attr: 'value' }, values: values({ attr: 'emails', sub: 'value' }), ops: ['eq', 'co', 'sw', 'ew'] },
      ];
    }
    const settings = pbtSettings(ctx.target, { runs: { embedded: 40, remote: 25 } });
    const runs = settings.runs;
    const scope = pop.scope;
    if (scope.kind === 'none') return ctx.skip(`generated filters are judged inside a filter that selects exactly the run's users, and the server has none: ${scope.why}`, 'capability');
    const scopeNode = scope.node;
    // Filters using an operator the server declines on its own are not judged (DECLINED_READING); the rest are.
    let judged = 0;
    const declined = new Set<string>();
    const property = fc.asyncProperty(filterArbitrary(space, 2), async (node: FilterNode) => {
      const expected = select(node, pop.members, pop.lookup);
      const whole: FilterNode = { kind: 'and', left: scopeNode, right: node };
      const answer = await askFilter(ctx, formatFilter(whole));
      if ('refused' in answer) {
        const why = await declinedOperators(ctx, pop, whole, answer.refused);
        if (why.length) {
          why.forEach((w) => declined.add(w));
          return;
        }
        ctx.verify.fail(
          `the server accepts each operator of ${formatFilter(node)} on its own (probes answered 200), so it filters with their combination too (RFC 7644 §3.4.2.2, Figure 1)`,
          '200 with the selected users',
          `400 invalidFilter: "${answer.refused.detail}"`,
          answer.refused.res,
        );
      }
      const { listing } = answer as { listing: Listing };
      judged++;
      const ids = new Set(pop.members.map((m) => m.id));
      ctx.verify.equal(listing.first, shortNames(pop, listing.items), shortNames(pop, expected.filter((m) => ids.has(m.id))), `the users selected by ${formatFilter(node)}`);
    });
    // Shrinking costs one request per step: worth it, a small filter says what the server gets wrong.
    const out = await fc.check(property, { numRuns: runs, seed: settings.seed, path: settings.path });
    if (out.failed) {
      const error = out.errorInstance;
      const counterexample = out.counterexample ? formatFilter(out.counterexample[0]) : '?';
      const replay = `replay: SCIM_PBT_SEED=${out.seed} SCIM_PBT_PATH=${out.counterexamplePath ?? ''}`;
      if (error instanceof ConformanceFailure) {
        throw error.withNote(`Generated filter (shrunk after ${out.numRuns} run(s)): ${counterexample}\n${replay}`);
      }
      throw new Error(`generated filter ${counterexample} (${replay}): ${(error as Error)?.message ?? String(error)}`);
    }
    if (judged === 0) ctx.skip(`every generated filter uses an operator the server declines: ${[...declined].join('; ')}. ${DECLINED_READING}`, 'capability');
    if (declined.size) ctx.test.annotate(`${judged} generated filters judged; not judged, using an operator the server declines: ${[...declined].join('; ')}`);
  },
  { timeout: 120_000 },
);

/** The values a path selects in a resource, as strings (for operands). */
function collect(resource: unknown, p: AttrPath): string[] {
  const top = ciGet(resource, p.attr);
  const items = Array.isArray(top) ? top : top === undefined ? [] : [top];
  return items.map((x) => (p.sub ? ciGet(x, p.sub) : x)).filter((x): x is string => typeof x === 'string');
}
