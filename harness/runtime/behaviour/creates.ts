/**
 * Sending a create so that nothing it makes can be lost: the ledger records the INTENT (the run-scoped name the
 * resource will carry) before the POST leaves, and what came of it after (created with its id, or failed). Every
 * client a check gets is an IntentClient, so this holds for any POST to the users or groups collection, not only
 * ctx.create and ctx.post (a permission check's POST, a raw body). A POST whose answer is lost for good
 * (TransportError), or a created resource nobody registered, leaves its intent open: the sweep looks the name up
 * (sweep.ts).
 *
 * A POST answered only after an attempt that got no answer (http.ts `ambiguous`) may have been applied twice, or
 * refused (409) because the lost attempt already took the name. It is settled here, by name: every copy the run does
 * not know (not the one this answer created, not one an earlier create of the run registered: a uniqueness check
 * posts a name twice on purpose) is the lost attempt's and is removed, and a POST refused because of its own lost
 * attempt is sent again once that copy is gone, so the check judges the answer to a clean POST. What cannot be settled (the lookup fails, or a list lags
 * behind the create) stays ambiguous: a check that fails after it is blocked and runs again (outcome.ts).
 */
import { ScimClient, type HttpClient, type HttpResult, type RequestOptions, type TokenSource } from '../http.ts';
import type { LedgerResource, RunLedger } from '../ledger.ts';

export interface CreateDeps {
  /** The check's client (an IntentClient): the POST is the check's request (judged). */
  scim: ScimClient;
  /** A client whose requests are housekeeping (counted, never judged): the lookups and removals that settle a POST. */
  house: ScimClient;
  ledger: RunLedger;
  prefix: string;
  collection: (resource: LedgerResource) => string;
}

export const isCreated = (res: HttpResult): boolean =>
  res.status >= 200 && res.status < 300 && typeof (res.body as { id?: unknown } | undefined)?.id === 'string';

const NAME_ATTR: Record<LedgerResource, 'userName' | 'displayName'> = { users: 'userName', groups: 'displayName' };

/** The run-scoped name a create body carries (undefined when it carries none: nothing to look it up by). */
function runScopedName(resource: LedgerResource, body: unknown, runPrefix: string): string | undefined {
  const name = (body as Record<string, unknown> | undefined)?.[NAME_ATTR[resource]];
  return typeof name === 'string' && name.startsWith(runPrefix) ? name : undefined;
}

function bodyOf(opts: RequestOptions): unknown {
  if (opts.body !== undefined) return opts.body;
  try {
    return opts.rawBody === undefined ? undefined : JSON.parse(opts.rawBody);
  } catch {
    return undefined;
  }
}

/** The collection a path names: `/users`, `/Users/`, `/groups` (relative to the prefix), or undefined. */
export function collectionOf(path: string): LedgerResource | undefined {
  const p = path.split('?')[0]!.replace(/\/+$/, '').toLowerCase();
  return p === '/users' ? 'users' : p === '/groups' ? 'groups' : undefined;
}

/** A client whose POSTs to the users or groups collection write their intent to the ledger before they leave. */
export class IntentClient extends ScimClient {
  constructor(
    http: HttpClient,
    prefix: string,
    tokens: TokenSource | undefined,
    private readonly ledger: () => RunLedger,
  ) {
    super(http, prefix, tokens);
  }

  override async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    const resource = method.toUpperCase() === 'POST' ? collectionOf(path) : undefined;
    if (!resource) return super.request(method, path, opts);
    // A worker whose runner is gone (the run was killed) creates nothing more: no sweep would know of it in time.
    if (process.send && process.connected === false) throw new Error('the runner process is gone (the run was stopped): no new resource is created');
    const ledger = this.ledger();
    const name = runScopedName(resource, bodyOf(opts), ledger.run.runPrefix);
    if (name) ledger.intent(resource, name, this.prefix);
    const res = await super.request(method, path, opts);
    // Refused: nothing to look for. Created: the check registers it (ctx.track), or the sweep finds it by name.
    if (name && !isCreated(res) && !res.ambiguous) ledger.failed(resource, name, this.prefix, res.status);
    return res;
  }
}

/** The name the server gave the resource it created, or the one the body carried. */
export function createdName(resource: LedgerResource, res: HttpResult, fallback = ''): string {
  const name = (res.body as Record<string, unknown> | undefined)?.[NAME_ATTR[resource]];
  return typeof name === 'string' ? name : fallback;
}

/**
 * POSTs a create with its intent in the ledger. `register(res, ambiguous)` records a created resource (the caller
 * decides whether the test removes it or the run does); `ambiguous` (not settled) keeps its intent open for the
 * end-of-run sweep, which then looks for a copy a lagging list hid.
 */
export async function sendCreate(
  deps: CreateDeps,
  resource: LedgerResource,
  body: unknown,
  register: (res: HttpResult, ambiguous: boolean) => void,
  opts: Pick<RequestOptions, 'contentType' | 'rawBody'> = {},
): Promise<HttpResult> {
  const name = runScopedName(resource, body, deps.ledger.run.runPrefix);
  // deps.scim is an IntentClient: the intent is in the ledger before the POST leaves.
  let res = await deps.scim.post(deps.collection(resource), body, opts);
  // A refusal answered at once is already resolved in the ledger (IntentClient); one settled here is resolved here.
  const lost = res.ambiguous === true;
  if (lost && name) res = await settle(deps, resource, body, name, res, opts);
  if (isCreated(res)) register(res, res.ambiguous === true);
  else if (name && lost && !res.ambiguous) deps.ledger.failed(resource, name, deps.prefix, res.status);
  return res;
}

/** Ids of the resources named exactly `name` (listed by filter, each re-read by id), or undefined when unknown. */
async function findByName(deps: CreateDeps, resource: LedgerResource, name: string): Promise<string[] | undefined> {
  try {
    const list = await deps.house.get(deps.collection(resource), { query: { filter: `${NAME_ATTR[resource]} eq "${name}"` } });
    if (list.status !== 200 || !Array.isArray(list.body?.Resources)) return undefined;
    const ids: string[] = [];
    for (const r of list.body.Resources as { id?: unknown }[]) {
      if (typeof r.id !== 'string') continue;
      const one = await deps.house.get(`${deps.collection(resource)}/${encodeURIComponent(r.id)}`);
      if (one.status === 200 && one.body?.[NAME_ATTR[resource]] === name) ids.push(r.id);
    }
    return ids;
  } catch {
    return undefined;
  }
}

async function settle(
  deps: CreateDeps,
  resource: LedgerResource,
  body: unknown,
  name: string,
  first: HttpResult,
  opts: Pick<RequestOptions, 'contentType' | 'rawBody'>,
): Promise<HttpResult> {
  let res = first;
  // Copies the lost attempts made, removed here.
  const removed = new Set<string>();
  for (let round = 0; round < 2 && res.ambiguous; round++) {
    const found = await findByName(deps, resource, name);
    if (found === undefined) return res;
    const mine = isCreated(res) ? (res.body as { id: string }).id : undefined;
    // A lagging list that does not show this answer's own resource proves nothing: leave it ambiguous.
    if (mine && !found.includes(mine)) return res;
    // The name was the run's before this POST (its earlier create): the lost attempt was refused like this one.
    if (!mine && found.some((id) => deps.ledger.knows(resource, id))) {
      res.ambiguous = false;
      res.exchange.settled = true;
      return res;
    }
    const lost = found.filter((x) => x !== mine && !deps.ledger.knows(resource, x));
    for (const id of lost) {
      deps.ledger.created(resource, id, name, deps.prefix, { lost: true });
      const del = await deps.house.delete(`${deps.collection(resource)}/${encodeURIComponent(id)}`);
      if (!((del.status >= 200 && del.status < 300) || del.status === 404)) return res;
      deps.ledger.deleted(resource, id, deps.prefix);
      removed.add(id);
    }
    const extra = lost.length;
    // Created, and no other copy: the answer is this POST's. Refused, and no copy: the lost attempt created nothing,
    // unless the refusal is a uniqueness conflict the list does not show yet.
    if (mine || (extra === 0 && res.status !== 409)) {
      res.ambiguous = false;
      res.exchange.settled = true;
      return res;
    }
    if (extra === 0) return res;
    // Refused because the lost attempt had taken the name, which is free again: send the POST once more.
    res.exchange.settled = true;
    res = await deps.scim.post(deps.collection(resource), body, opts);
    // The server brought the removed copy back under its old id (Genesys revives a deleted user on a POST of its
    // userName): not a fresh create, so not the answer a check may judge as one. Left ambiguous: the check is blocked
    // and runs again with new names (outcome.ts); the revived copy is registered and removed like any other.
    if (isCreated(res) && removed.has((res.body as { id: string }).id)) {
      res.ambiguous = res.exchange.ambiguous = true;
      return res;
    }
  }
  return res;
}
