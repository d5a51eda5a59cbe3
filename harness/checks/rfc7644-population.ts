/**
 * The population of the rfc7644 checks: five users the run creates once per file and prefix, how the run's requests
 * select exactly them (the scope), and how a filter check asks the server and reads a refusal.
 *
 * The scope is found once, when the population is created, from what the server answers (never assumed):
 *   1. `userName sw "<population prefix>"`, when it returns exactly the population;
 *   2. else `userName eq "<a>" or userName eq "<b>" or …` (eq and or only), when it returns exactly the population;
 *   3. else none: the population is picked out of unfiltered lists (client-side). A server that declares
 *      filter.supported false gets no filter at all.
 * Paging and list checks use whichever scope works, so a server without `sw` (or without filters) still has its
 * paging judged; the few checks that need a stable filtered set (the page walk, generated filters) skip with the
 * reason when there is none.
 *
 * A filter check sends its clause inside the scope (`<scope> and <clause>`); when that is refused it sends the clause
 * alone and judges the population members in the answer. When the clause alone is refused with 400 invalidFilter,
 * each operator of the clause is probed on its own (one request each, `count=1`, remembered for the file):
 *   - an operator (on that attribute) the server declines alone is a capability the server does not have: the check
 *     skips (kind capability) with the server's own detail. RFC 7644 §3.4.2.2: "Providers MUST decline to filter
 *     results if the specified filter operation is not recognized and return an HTTP 400 error with a "scimType"
 *     error of "invalidFilter""; §3.12 Table 9, invalidFilter: "the specified attribute and filter comparison
 *     combination is not supported". ServiceProviderConfig filter.supported is one boolean (RFC 7643 §5): it cannot
 *     say which operators, so declining one is not a contradiction of it;
 *   - every operator accepted alone, but not their combination: a failure (the grammar, Figure 1, combines them);
 *   - `eq` on userName declined while filter.supported is true: a failure (the least a filter-supporting server does).
 * A refusal that is not 400 with scimType invalidFilter is a failure (§3.4.2.2 names both).
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { ciGet } from '../oracles/attributes.ts';
import { attrPathText, formatFilter, parseFilter, select, type AttrPath, type AttributeLookup, type FilterNode } from '../oracles/filter.ts';
import { CORE_USER_URN } from '../oracles/urns.ts';
import { resources } from './lists.ts';
import { attributeLookup, declaredBody, userSchema, type SchemaDefinition } from './rfc7644.ts';

/** How the run's requests select exactly the population, or why no filter does. */
export type Scope = { kind: 'filter'; how: 'sw' | 'or'; node: FilterNode; text: string } | { kind: 'none'; why: string };

export interface Population {
  /** Every member's userName starts with this. */
  prefix: string;
  scope: Scope;
  /** The server's representations of the members (from their POST responses). */
  members: Record<string, any>[];
  lookup: AttributeLookup;
  schema: SchemaDefinition;
}

const SUFFIXES = ['alpha', 'Bravo', 'charlie', 'Delta', 'echo'];
// Display names are consistently capitalised: the operator checks compare them without depending on case.
const DISPLAY = ['Ann Engineer', 'Ben Engineer', 'Cat Manager', 'Dan Manager', 'Eve Intern'];
const GIVEN = ['Ann', 'ben', 'Cat', 'dan', 'Eve'];
const FAMILY = ['Archer', 'baker', 'Carter', 'dexter', 'Ellis'];
const TITLE: (string | undefined)[] = ['Lead', undefined, 'lead engineer', 'Staff', undefined];
/** Pages a check reads of one answer at most (the population is five users; an unscoped answer may hold the org). */
const MAX_PAGES = 5;

/**
 * Five users the run creates once per file and prefix (kept until the end of the run, then removed by the runner):
 * userNames <prefix>alpha / Bravo / charlie / Delta / echo @example.com and family names Archer / baker / Carter /
 * dexter / Ellis in mixed case, so case sensitivity and ordering show; consistently capitalised display names
 * (Ann Engineer, Ben Engineer, Cat Manager, Dan Manager, Eve Intern) for the operator checks; a title on three of
 * them, a work email each (<suffix>.<tag>@work.example.com) and an externalId. Only attributes the server declares
 * are sent. Then the scope is found (see the module comment).
 */
export async function population(ctx: BehaviourContext): Promise<Population> {
  const { d, schema } = await userSchema(ctx);
  return ctx.shared('rfc7644-population', async (create) => {
    // A random part too: every test file has its own population, and name counters restart per file.
    const prefix = `${ctx.names.displayName('pop')}-${Math.random().toString(36).slice(2, 6)}-`;
    const tag = prefix.replace(/[^a-z0-9]/gi, '').slice(-10).toLowerCase();
    const members: Record<string, any>[] = [];
    for (let i = 0; i < SUFFIXES.length; i++) {
      const s = SUFFIXES[i];
      // One work email each: servers restrict the other types (Genesys keeps the userName in the "other" one).
      const emails: Record<string, unknown>[] = [{ value: `${s.toLowerCase()}.${tag}@work.example.com`, type: 'work', primary: true }];
      const body: Record<string, any> = {
        schemas: [CORE_USER_URN],
        userName: `${prefix}${s}@example.com`,
        displayName: DISPLAY[i],
        name: { givenName: GIVEN[i], familyName: FAMILY[i] },
        emails,
        externalId: `${prefix}ext-${s}`,
        active: true,
      };
      if (TITLE[i]) body.title = TITLE[i];
      const res = await create('users', declaredBody(schema, body));
      ctx.verify.schema(res, 'Rfc7643User', res.body, `population user ${i + 1} of ${SUFFIXES.length} is a User (POST /Users)`);
      members.push(res.body);
    }
    return { prefix, members, lookup: attributeLookup(d, schema), schema, scope: await findScope(ctx, prefix, members) };
  });
}

const userNameEq = (m: Record<string, any>): FilterNode => ({ kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: String(m.userName) });

async function findScope(ctx: BehaviourContext, prefix: string, members: Record<string, any>[]): Promise<Scope> {
  if (ctx.target.capabilities.filter === false) return { kind: 'none', why: "the server's ServiceProviderConfig says filter.supported is false" };
  // A list may lag behind a create (an index): a strict subset of the population, nothing else, is asked again; with
  // no scope, the last user is awaited with userName eq.
  const candidates: [('sw' | 'or'), FilterNode][] = [
    ['sw', { kind: 'compare', path: { attr: 'userName' }, op: 'sw', value: prefix }],
    ['or', members.slice(1).reduce<FilterNode>((left, m) => ({ kind: 'or', left, right: userNameEq(m) }), userNameEq(members[0]))],
  ];
  const ids = members.map((m) => String(m.id)).sort();
  const tried: string[] = [];
  for (const [how, node] of candidates) {
    const text = formatFilter(node);
    for (const wait of [0, 500, 1500]) {
      if (wait) await new Promise((r) => setTimeout(r, wait));
      const [res, found] = await tolerantPages(ctx, text);
      const got = found.map((u) => String(u?.id)).sort();
      if (res.status === 200 && got.join() === ids.join()) return { kind: 'filter', how, node, text };
      const lagging = res.status === 200 && got.length < ids.length && got.every((id) => ids.includes(id));
      if (!lagging || wait === 1500) {
        tried.push(`${how === 'sw' ? 'userName sw' : 'an or of userName eq'} → ${res.status}${res.status === 200 ? ` with ${got.length} of the ${ids.length} users` : res.body?.detail ? ` (${String(res.body.detail).slice(0, 120)})` : ''}`);
        break;
      }
    }
  }
  await awaitListed(ctx, members[members.length - 1]);
  return { kind: 'none', why: `no filter selects exactly the run's users: ${tried.join('; ')}` };
}

/**
 * Lists may lag behind creates (an index): without a scope to watch, the checks' own filters would be the first to
 * ask. The last user created is asked for with userName eq until it is listed (a few tries); when eq is declined
 * there is nothing to wait on, and the checks say what they see.
 */
async function awaitListed(ctx: BehaviourContext, last: Record<string, any>): Promise<void> {
  const filter = formatFilter(userNameEq(last));
  for (const wait of [0, 500, 1500, 3000]) {
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const res = await ctx.scim.get('/Users', { query: { filter } });
    if (res.status !== 200 || resources(res).some((u) => u?.id === last.id)) return;
  }
}

/** The first answer to a filter and, when it is a list, every resource of its pages (at most MAX_PAGES); never fails. */
async function tolerantPages(ctx: BehaviourContext, filter: string): Promise<[HttpResult, Record<string, any>[]]> {
  const first = await ctx.scim.get('/Users', { query: { filter } });
  const items = [...resources(first)];
  const total = first.body?.totalResults;
  for (let n = 1, page = items.length; n < MAX_PAGES && first.status === 200 && page > 0 && typeof total === 'number' && items.length < total; n++) {
    const next = await ctx.scim.get('/Users', { query: { filter, startIndex: String(items.length + 1) } });
    if (next.status !== 200) break;
    page = resources(next).length;
    items.push(...resources(next));
  }
  return [first, items];
}

/** userNames of resources, for readable messages (the population's prefix left out). */
export function shortNames(pop: Population, items: Record<string, any>[]): string[] {
  return items.map((u) => String(ciGet(u, 'userName') ?? ciGet(u, 'id') ?? '?').replace(pop.prefix, '…')).sort();
}

/** The query that scopes a list to the population (none when no filter does). */
export function scopeQuery(pop: Population): Record<string, string> {
  return pop.scope.kind === 'filter' ? { filter: pop.scope.text } : {};
}

/** The population members among `items`, in the order listed. */
export function membersIn(pop: Population, items: Record<string, any>[]): Record<string, any>[] {
  const ids = new Set(pop.members.map((m) => m.id));
  return items.filter((u) => ids.has(u?.id));
}

// ---------------------------------------------------------------- listing

export interface Listing {
  /** The first page (the answer checks judge the envelope of). */
  first: HttpResult;
  /** Every resource of the pages read, each id once. */
  items: Record<string, any>[];
  total: number;
  /** Whether the pages read hold every result totalResults counts. */
  complete: boolean;
}

/** The rest of a list after its first page: at most MAX_PAGES pages in all, by startIndex. */
export async function readPages(ctx: BehaviourContext, first: HttpResult, query: Record<string, string>, what: string): Promise<Listing> {
  const { verify } = ctx;
  verify.status(first, 200, what);
  verify.schema(first, 'ScimListResponse', first.body, `${what} is a ListResponse`);
  const total = first.body.totalResults as number;
  const byId = new Map<string, Record<string, any>>();
  let page = resources(first);
  let read = page.length;
  for (const u of page) byId.set(String(u?.id), u);
  for (let n = 1; n < MAX_PAGES && page.length > 0 && read < total; n++) {
    const res = await ctx.scim.get('/Users', { query: { ...query, startIndex: String(read + 1) } });
    verify.status(res, 200, `${what}, startIndex=${read + 1}`);
    verify.schema(res, 'ScimListResponse', res.body, `${what}, startIndex=${read + 1} is a ListResponse`);
    page = resources(res);
    read += page.length;
    for (const u of page) byId.set(String(u?.id), u);
  }
  return { first, items: [...byId.values()], total, complete: read >= total };
}

// ---------------------------------------------------------------- asking for a filter

export interface Refusal {
  res: HttpResult;
  detail: string;
}

/** GET /Users?filter=…: its pages, or the refusal (400 invalidFilter, a SCIM error); any other answer fails. */
export async function askFilter(ctx: BehaviourContext, filter: string, extra: Record<string, string> = {}): Promise<{ listing: Listing } | { refused: Refusal }> {
  const query = { ...extra, filter };
  const res = await ctx.scim.get('/Users', { query });
  const refused = refusalOf(ctx, res, filter);
  if (refused) return { refused };
  return { listing: await readPages(ctx, res, query, `GET /Users?filter=${filter}`) };
}

/** A 400 refusal of a filter, judged: it must carry scimType invalidFilter in a SCIM error (RFC 7644 §3.4.2.2). */
function refusalOf(ctx: BehaviourContext, res: HttpResult, filter: string): Refusal | undefined {
  if (res.status !== 400) return undefined;
  ctx.verify.that(
    res,
    res.body?.scimType === 'invalidFilter',
    `a filter the server declines is answered 400 with scimType invalidFilter (RFC 7644 §3.4.2.2: "return an HTTP 400 error with a "scimType" error of "invalidFilter""): ${filter}`,
    'scimType invalidFilter',
    res.body?.scimType ?? (res.body === undefined ? '(no JSON body)' : '(none)'),
  );
  ctx.verify.rfcError(res, 400, 'invalidFilter');
  return { res, detail: String(res.body.detail ?? '').slice(0, 200) };
}

export interface SelectionOptions {
  /** The clause's operands are the run's own (e.g. a member's userName): sent unscoped, and no other user may match. */
  unique?: boolean;
  /** The clause must select some of the population, not all (default true). */
  discriminating?: boolean;
  /** A refusal fails instead of skipping: eq on userName, which filter.supported true promises at least. */
  required?: boolean;
}

/**
 * Asks the server for `clause` (inside the scope when there is one) and compares the population members it returns
 * with what the RFC evaluator selects; a refusal is read as the module comment says.
 */
export async function expectSelection(ctx: BehaviourContext, pop: Population, clause: string, options: SelectionOptions = {}): Promise<void> {
  const { verify } = ctx;
  const node = parseFilter(clause);
  const expected = select(node, pop.members, pop.lookup);
  if (options.discriminating !== false) {
    verify.that(undefined, expected.length > 0 && expected.length < pop.members.length, `the check's filter ${clause} selects some of the population, not all`, `1..${pop.members.length - 1} users`, expected.length);
  }
  if (!options.unique && pop.scope.kind === 'filter') {
    const scoped = formatFilter({ kind: 'and', left: pop.scope.node, right: node });
    const answer = await askFilter(ctx, scoped);
    if ('listing' in answer) return judgeSelection(ctx, pop, clause, expected, answer.listing, true);
    // The combination with the scope is refused: the clause alone says whether its operators are.
  }
  const answer = await askFilter(ctx, clause);
  if ('listing' in answer) return judgeSelection(ctx, pop, clause, expected, answer.listing, options.unique === true);
  await readRefusal(ctx, pop, node, answer.refused, options.required === true);
}

function judgeSelection(ctx: BehaviourContext, pop: Population, clause: string, expected: Record<string, any>[], listing: Listing, exact: boolean): void {
  const { verify } = ctx;
  const res = listing.first;
  if (!exact && !listing.complete) {
    ctx.skip(`the answer to ${clause} holds ${listing.total} users, more than the ${MAX_PAGES} pages this check reads (the server could not scope it to the run's users): the run's users among them cannot all be seen`, 'inconclusive');
  }
  const got = membersIn(pop, listing.items);
  if (exact) {
    const memberIds = new Set(pop.members.map((m) => m.id));
    verify.equal(res, shortNames(pop, listing.items.filter((u) => !memberIds.has(u?.id))), [], `no user outside the run's users is returned for ${clause}`);
  }
  verify.equal(res, shortNames(pop, got), shortNames(pop, expected), `the users selected by ${clause} (RFC 7644 §3.4.2.2, as the local evaluator reads it)`);
  if (exact) verify.equal(res, listing.total, expected.length, 'totalResults counts the selected users');
}

// ---------------------------------------------------------------- reading a refusal

/** One operator of a filter, sent on its own. */
interface Probe {
  label: string;
  filter: string;
}

const probeMemo = new WeakMap<Population, Map<string, Promise<Refusal | undefined>>>();

/** Sends a probe once per population (count=1: only acceptance matters); undefined when the server accepts it. */
function memoOf(pop: Population): Map<string, Promise<Refusal | undefined>> {
  let memo = probeMemo.get(pop);
  if (!memo) probeMemo.set(pop, (memo = new Map()));
  return memo;
}

function probe(ctx: BehaviourContext, pop: Population, filter: string): Promise<Refusal | undefined> {
  const memo = memoOf(pop);
  let p = memo.get(filter);
  if (!p) {
    p = (async () => {
      const res = await ctx.scim.get('/Users', { query: { filter, count: '1' } });
      const refused = refusalOf(ctx, res, filter);
      if (!refused) ctx.verify.status(res, 200, `GET /Users?filter=${filter}&count=1 (one operator of the check's filter, alone)`);
      return refused;
    })();
    memo.set(filter, p);
    p.catch(() => memo.delete(filter));
  }
  return p;
}

function firstLeaf(node: FilterNode): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return firstLeaf(node.left);
    case 'not':
      return firstLeaf(node.filter);
    default:
      return node;
  }
}

/**
 * Every operator of a filter as a probe of its own: each comparison and presence test as it stands (on its attribute:
 * Table 9 lets a server decline an attribute and comparison combination), each value path with its first comparison,
 * and/or/not over `userName eq "<a member>"` (inside a value path, over its first comparison), ( ) grouping likewise.
 */
export function probesOf(node: FilterNode, base: string): Probe[] {
  const out = new Map<string, string>();
  const walk = (n: FilterNode, parent?: AttrPath) => {
    const inPath = (f: string) => (parent ? `${attrPathText(parent)}[${f}]` : f);
    const at = (p: AttrPath) => attrPathText(parent ? { ...p, attr: `${attrPathText(parent)}.${p.attr}` } : p);
    const operand = () => (parent ? formatFilter(firstLeaf(n)) : base);
    switch (n.kind) {
      case 'compare':
        out.set(`${n.op} on ${at(n.path)}`, inPath(formatFilter(n)));
        return;
      case 'pr':
        out.set(`pr on ${at(n.path)}`, inPath(formatFilter(n)));
        return;
      case 'valuePath':
        out.set(`[ ] value path on ${attrPathText(n.path)}`, `${attrPathText(n.path)}[${formatFilter(firstLeaf(n.filter))}]`);
        walk(n.filter, n.path);
        return;
      case 'and':
      case 'or':
        out.set(n.kind, inPath(`${operand()} ${n.kind} ${operand()}`));
        walk(n.left, parent);
        walk(n.right, parent);
        return;
      case 'not':
        out.set('not', inPath(`not (${operand()})`));
        walk(n.filter, parent);
        return;
    }
  };
  walk(node);
  const text = formatFilter(node);
  if ((text.match(/\(/g) ?? []).length > (text.match(/\bnot \(/gi) ?? []).length) out.set('( ) grouping', `(${base})`);
  return [...out].map(([label, filter]) => ({ label, filter }));
}

/**
 * The operators of a refused filter that the server declines on their own (probed once per population): each as
 * `label (probe → 400 invalidFilter: "detail")`. Empty when it accepts every one of them alone.
 */
export async function declinedOperators(ctx: BehaviourContext, pop: Population, node: FilterNode, refusal: Refusal): Promise<string[]> {
  const memo = memoOf(pop);
  const clause = formatFilter(node);
  if (!memo.has(clause)) memo.set(clause, Promise.resolve(refusal));
  const declined: string[] = [];
  for (const p of probesOf(node, formatFilter(userNameEq(pop.members[0])))) {
    const r = await probe(ctx, pop, p.filter);
    if (r) declined.push(`${p.label} (${p.filter} → 400 invalidFilter${r.detail ? `: "${r.detail}"` : ''})`);
  }
  return declined;
}

/** Why a declined operator is a skip, not a failure (the reading of RFC 7644 §3.4.2.2 and Table 9). */
export const DECLINED_READING =
  'RFC 7644 §3.4.2.2 lets a provider decline a filter operation it does not support ("Providers MUST decline to filter results if the specified filter operation is not recognized and return an HTTP 400 error with a "scimType" error of "invalidFilter"") and §3.12 Table 9 an attribute and comparison combination it does not support: a capability the server does not have, not a failure';

async function readRefusal(ctx: BehaviourContext, pop: Population, node: FilterNode, refusal: Refusal, required: boolean): Promise<void> {
  const clause = formatFilter(node);
  const server = `400 invalidFilter${refusal.detail ? `: "${refusal.detail}"` : ''}`;
  if (required) {
    ctx.verify.fail(
      `filter.supported is true in the ServiceProviderConfig (RFC 7643 §5): the server filters at least with eq on userName (RFC 7644 §3.4.2.2)`,
      `200 with the users ${clause} selects`,
      server,
      refusal.res,
    );
  }
  const declined = await declinedOperators(ctx, pop, node, refusal);
  if (declined.length) ctx.skip(`the server declines ${declined.join('; ')}. ${DECLINED_READING}`, 'capability');
  ctx.verify.fail(
    `the server accepts each operator of ${clause} on its own (probes answered 200), so it filters with their combination too: the grammar combines them (RFC 7644 §3.4.2.2, Figure 1)`,
    `200 with the users ${clause} selects`,
    server,
    refusal.res,
  );
}
