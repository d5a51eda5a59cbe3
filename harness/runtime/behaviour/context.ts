/**
 * The context a check runs with: clients per identity on its prefix, verify bound to its requirement, run-scoped
 * names, builders, create/track (ledger + cleanup), shared fixtures, skip. Worker-wide state (the target, the rate
 * limiter, token sources, the ledger) lives here too.
 */
import { inject, type TestContext } from 'vitest';
import type { Behaviour } from '../../config/catalogue.ts';
import { workerId } from '../../config/env.ts';
import { collectionPath, type ResolvedTarget } from '../../config/target.ts';
import { createBuilders, type Builders } from '../builders.ts';
import { buildQuery, HttpClient, ScimClient, tokenSource, type HttpResult, type RecordedExchange, type RequestOptions, type TokenSource } from '../http.ts';
import { RunLedger, type LedgerResource } from '../ledger.ts';
import { LagEstimate, pollUntil } from '../poll.ts';
import { RateLimiter } from '../rate-limit.ts';
import { registerSecret } from '../redact.ts';
import { SharedAnswers } from '../shared-answers.ts';
import { ConformanceFailure, createVerify, SetupFailure, type Verify } from '../verify.ts';
import type { SkipKind } from '../results.ts';
import { requirementSkip } from './skips.ts';
import { createdName, IntentClient, isCreated, sendCreate, type CreateDeps } from './creates.ts';

let cachedTarget: ResolvedTarget | undefined;
export function getTarget(): ResolvedTarget {
  if (!cachedTarget) {
    cachedTarget = inject('scimTarget');
    if (!cachedTarget) {
      throw new Error('no target: suites run through the runner (npm test / npm run conformance), which provides it');
    }
  }
  return cachedTarget;
}

let limiter: RateLimiter | undefined;
const tokenSources = new Map<string, TokenSource>();
let ledger: RunLedger | undefined;

function workerLimiter(target: ResolvedTarget): RateLimiter {
  if (!limiter) {
    const share = target.rateLimitPerMinute > 0 ? Math.max(1, Math.floor(target.rateLimitPerMinute / Math.max(1, target.workers))) : 0;
    limiter = new RateLimiter(share);
  }
  return limiter;
}

function identityTokens(target: ResolvedTarget, name: 'primary' | 'limited'): TokenSource | undefined {
  const spec = target.identities[name];
  if (!spec) return undefined;
  let ts = tokenSources.get(name);
  if (!ts) {
    ts = tokenSource(spec.auth, target.timeoutMs);
    tokenSources.set(name, ts);
  }
  return ts;
}

export function runLedger(target: ResolvedTarget = getTarget()): RunLedger {
  if (!ledger) ledger = new RunLedger(target.run, target.targetName).open();
  return ledger;
}

export interface SharedOptions {
  /**
   * 'prefix' (default): one fixture per prefix. 'run': one fixture for every prefix, created through the first
   * prefix that asks for it: every prefix reads the same org, so checks on the other prefix read it too.
   */
  scope?: 'prefix' | 'run';
}

export interface ReadOptions extends Pick<RequestOptions, 'query' | 'headers'> {
  /**
   * A list or filter of what the run wrote (they lag writes): the first reader sends it through `eventually` until
   * `settled(answer)`; a cached answer that is not settled for a later reader is read again (and replaces it).
   */
  settled?: (res: HttpResult) => boolean;
  /** Read under another configured prefix (default: the check's own). */
  prefix?: string;
}

export interface PostOptions extends Pick<RequestOptions, 'contentType' | 'rawBody'> {
  /** Kept for the run instead of removed when the test ends. */
  keep?: boolean;
  /** With `keep`: POST under this configured prefix instead of the check's own. */
  prefix?: string;
}

export interface BehaviourContext {
  behaviour: Behaviour;
  prefix: string;
  target: ResolvedTarget;
  /** Client for the main identity on this prefix. */
  scim: ScimClient;
  /** Client for the limited identity (skip first if the behaviour does not require it). */
  limited(): ScimClient;
  /** Client that sends no Authorization header. */
  anonymous(): ScimClient;
  verify: Verify;
  /** Every exchange of this test so far (redacted). */
  exchanges: RecordedExchange[];
  /** Run-scoped unique names: everything the run creates is named with these. */
  names: { userName(label: string): string; displayName(label: string): string; externalId(label: string): string };
  /** Request bodies from fixtures/templates, named with run-scoped names and filled with org fixtures. */
  build: Builders;
  /**
   * Set-up: POST a resource the check needs, register it in the ledger and delete it when the test ends. Anything
   * but a 2xx answer carrying the new resource's id blocks the check (SetupFailure), since the behaviour it judges is
   * another one; a 5xx fails it (a server error fails the check that got it). The answer is not judged otherwise:
   * a check about creation itself sends its POST with `post`.
   */
  create(resource: LedgerResource, body: unknown): Promise<HttpResult>;
  /**
   * The POST a check judges (creation behaviours): its answer is returned whatever it is, and whatever it creates is
   * registered and removed when the test ends, like `create` — or, with `keep`, kept for the run (recorded in the run
   * ledger; the runner removes it at the end) for other checks to judge too. An answer lost in transit is settled
   * either way (a copy the lost attempt created is found by name and removed).
   */
  post(resource: LedgerResource, body: unknown, opts?: PostOptions): Promise<HttpResult>;
  /** Register a resource created some other way, for removal when the test ends. */
  track(resource: LedgerResource, id: string, name: string): void;
  /**
   * A clean-up step run when the test ends (after the check, before its requests are counted), in reverse order of
   * registration, after the removal of what the test created... registered later runs first.
   */
  defer(step: () => Promise<void> | void): void;
  /**
   * A read-only fixture shared by the tests of this worker on this prefix: `factory` runs once per key
   * and its `create` registers resources in the ledger without deleting them at the end of the test;
   * the runner removes them at the end of the run. Tests must not modify what they get from here.
   * A failure inside the factory is a set-up failure: it blocks the checks that need the fixture.
   */
  shared<T>(
    key: string,
    factory: (create: (resource: LedgerResource, body: unknown) => Promise<HttpResult>) => Promise<T>,
    options?: SharedOptions,
  ): Promise<T>;
  /**
   * A GET whose answer several checks judge: sent once per worker, prefix, identity and request, then handed to every
   * check that reads the same thing (its exchange is the evidence of each; only the first check counts the request).
   * Only for what no check changes: discovery resources, and shared read-only fixtures.
   */
  read(path: string, opts?: ReadOptions): Promise<HttpResult>;
  /**
   * Lists and filters may lag writes (a search index, on a live org): sends `fetch` until `settled(answer)` holds or the
   * target's index wait runs out (SCIM_INDEX_WAIT_MS; 0 on the embedded emulator: one request), backing off between
   * tries, and returns the last answer for the check to judge. Only for lists and filters: reads by id are immediate.
   */
  eventually(fetch: () => Promise<HttpResult>, settled: (res: HttpResult) => boolean): Promise<HttpResult>;
  /** A client for the main identity on another prefix (same connection pool and token). */
  scimAt(prefix: string): ScimClient;
  /**
   * Skip this test: the reason and its kind are recorded in the report (runtime/results.ts SKIP_KINDS: version,
   * capability, configuration, row, inconclusive; only configuration makes the verdict incomplete).
   */
  skip(reason: string, kind: SkipKind): never;
  test: TestContext;
}

let nameCounter = 0;
const MODULE_NONCE = Math.random().toString(36).slice(2, 6);
const sharedFixtures = new Map<string, Promise<unknown>>();
/** Answers of ctx.read, per prefix, identity and request (a worker's: each vitest worker is its own process). */
const sharedReads = new SharedAnswers<HttpResult>();
/** The index lag this worker has seen (ctx.eventually): a lagging list's second read waits about that long. */
const workerLag = new LagEstimate();

/** A running check: its context, and the clean-up the runner calls when the check ends. */
export interface RunningCheck {
  ctx: BehaviourContext;
  /** Removes what the test created and runs its deferred steps; returns what could not be cleaned up. */
  finish(): Promise<string[]>;
}

export function makeContext(b: Behaviour, prefix: string, tctx: TestContext): RunningCheck {
  const target = getTarget();
  registerSecret(target.userPassword);
  const exchanges: RecordedExchange[] = [];
  // Requests sent while the test cleans up, and by the harness to settle a lost create, are housekeeping: counted
  // with the test's requests, never judged (judge.ts): a clean-up that fails never fails or blocks a check.
  let cleaningUp = false;
  // URLs a DELETE of the test removed (answered 2xx): their clean-up sends no second DELETE. A 404 proves nothing (an
  // identity the resource is hidden from, a server answering wrongly): the clean-up sends its own DELETE then.
  const gone = new Set<string>();
  const httpClient = (housekeeping: boolean) =>
    new HttpClient({
      origin: target.baseUrl,
      timeoutMs: target.timeoutMs,
      limiter: workerLimiter(target),
      onExchange: (ex) => {
        exchanges.push(housekeeping || cleaningUp ? Object.assign(ex, { housekeeping: true }) : ex);
        const status = ex.response?.status ?? 0;
        if (ex.request.method === 'DELETE' && status >= 200 && status < 300) gone.add(ex.request.url);
      },
    });
  const http = httpClient(false);
  // Every client of the check writes the intent of a create before it leaves (creates.ts).
  const clientOn = (at: string, tokens: TokenSource | undefined) => new IntentClient(http, at, tokens, () => runLedger(target));
  const scim = clientOn(prefix, identityTokens(target, 'primary'));
  const house = new ScimClient(httpClient(true), prefix, identityTokens(target, 'primary'));
  const worker = workerId();
  // The counter restarts with every test file (each file gets a fresh module), so a per-module nonce keeps names unique.
  const unique = (label: string) => `${target.run.runPrefix}${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-w${worker}${MODULE_NONCE}n${++nameCounter}`;

  const skip = (reason: string, kind: SkipKind): never => {
    tctx.task.meta.skip = { kind, reason };
    tctx.skip(reason);
    throw new Error('unreachable');
  };

  // Clean-up steps, run in reverse order when the test ends: removals of what it created, and deferred steps.
  const steps: { label: string; run: () => Promise<string | undefined> }[] = [];
  const track = (resource: LedgerResource, id: string, name: string, ambiguous = false) => {
    const l = runLedger(target);
    l.created(resource, id, name, prefix, { ambiguous });
    const path = `${collectionPath(target, resource)}/${encodeURIComponent(id)}`;
    // Created (again) now: a DELETE of the same URL before this (a server that revives a deleted resource under its old
    // id, after a lost create was settled) says nothing about it.
    gone.delete(house.url(path));
    steps.push({
      label: `${resource}/${id}`,
      run: async () => {
        if (gone.has(house.url(path))) {
          l.deleted(resource, id, prefix);
          return undefined;
        }
        const res = await house.delete(path);
        if ((res.status >= 200 && res.status < 300) || res.status === 404) {
          l.deleted(resource, id, prefix);
          return undefined;
        }
        return `DELETE answered ${res.status} (left for the end-of-run sweep)`;
      },
    });
  };
  const defer = (step: () => Promise<void> | void) => {
    steps.push({ label: 'deferred clean-up step', run: async () => void (await step()) });
  };
  const finish = async (): Promise<string[]> => {
    cleaningUp = true;
    const problems: string[] = [];
    for (const step of steps.splice(0).reverse()) {
      try {
        const problem = await step.run();
        if (problem) problems.push(`${step.label}: ${problem}`);
      } catch (e) {
        problems.push(`${step.label}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return problems;
  };
  const createDeps = (at: string): CreateDeps => {
    const tokens = identityTokens(target, 'primary');
    const own = at === prefix;
    return { scim: own ? scim : clientOn(at, tokens), house: own ? house : new ScimClient(httpClient(true), at, tokens), ledger: runLedger(target), prefix: at, collection: (r) => collectionPath(target, r) };
  };
  const postTracked = (resource: LedgerResource, body: unknown, opts: PostOptions = {}): Promise<HttpResult> => {
    const { keep, prefix: at = prefix, ...request } = opts;
    // The test's clean-up removes what it created under its own prefix; elsewhere only the run's (keep) may.
    if (at !== prefix && !keep) throw new Error('ctx.post under another prefix needs keep: true');
    return sendCreate(
      createDeps(at),
      resource,
      body,
      (res, ambiguous) => {
        const id = (res.body as { id: string }).id;
        if (keep) runLedger(target).created(resource, id, createdName(resource, res), at, { ambiguous });
        else track(resource, id, createdName(resource, res), ambiguous);
      },
      request,
    );
  };
  const verify = createVerify(`[${b.id}] ${b.title} (${b.level}; ${b.sources.join('; ')})`);
  /** A set-up POST must create the resource: anything else blocks the check (a 5xx fails it: runtime/behaviour/outcome.ts). */
  const requireCreated = (resource: LedgerResource, res: HttpResult): HttpResult => {
    if (!isCreated(res)) {
      throw new SetupFailure({
        requirement: verify.requirement,
        check: `set-up: POST ${collectionPath(target, resource)} creates the ${resource === 'users' ? 'user' : 'group'} the check needs`,
        expected: 'a 2xx answer carrying the new resource (with its id)',
        actual: res.status >= 200 && res.status < 300 ? `${res.status} without an id in the body` : res.status,
        exchange: res.exchange,
      });
    }
    return res;
  };

  const names = {
    userName: (label: string) => `${unique(label)}@example.com`,
    displayName: (label: string) => unique(label),
    externalId: (label: string) => unique(label),
  };

  const ctx: BehaviourContext = {
    behaviour: b,
    prefix,
    target,
    scim,
    limited() {
      const ts = identityTokens(target, 'limited');
      if (!ts) {
        const why = requirementSkip({ ...b, requires: ['limited-identity'] }, target) ?? { kind: 'configuration', reason: 'no limited identity' };
        return skip(why.reason, why.kind);
      }
      return clientOn(prefix, ts);
    },
    anonymous: () => clientOn(prefix, undefined),
    verify,
    exchanges,
    names,
    build: createBuilders(names, target.org, target.userPassword),
    create: async (resource, body) => requireCreated(resource, await postTracked(resource, body)),
    post: postTracked,
    track,
    defer,
    shared<T>(
      key: string,
      factory: (create: (resource: LedgerResource, body: unknown) => Promise<HttpResult>) => Promise<T>,
      options: SharedOptions = {},
    ): Promise<T> {
      const cacheKey = options.scope === 'run' ? `\u0000run\u0000${key}` : `${prefix}\u0000${key}`;
      let p = sharedFixtures.get(cacheKey) as Promise<T> | undefined;
      if (!p) {
        const createKept = async (resource: LedgerResource, body: unknown) => {
          return requireCreated(resource, await postTracked(resource, body, { keep: true }));
        };
        // Whatever fails while the fixture is built is a set-up failure of every check that needs it.
        p = factory(createKept).catch((e: unknown) => {
          throw e instanceof ConformanceFailure && !(e instanceof SetupFailure) ? new SetupFailure({ ...e.parts, check: `set-up (shared fixture "${key}"): ${e.parts.check}` }) : e;
        });
        sharedFixtures.set(cacheKey, p);
        p.catch(() => sharedFixtures.delete(cacheKey));
      }
      return p;
    },
    async read(path, opts = {}) {
      const client = opts.prefix === undefined || opts.prefix === prefix ? scim : ctx.scimAt(opts.prefix);
      const key = [client.prefix, path, buildQuery(opts.query), JSON.stringify(opts.headers ?? {})].join('\u0000');
      const send = () => client.get(path, { query: opts.query, headers: opts.headers });
      const { settled } = opts;
      const { answer, reused } = await sharedReads.get(key, settled ? () => ctx.eventually(send, settled) : send, settled);
      if (!reused) return answer;
      const exchange: RecordedExchange = { ...answer.exchange, reused: true };
      exchanges.push(exchange);
      return { ...answer, exchange };
    },
    async eventually(fetch, settled) {
      const polled = await pollUntil(fetch, settled, target.indexWaitMs, undefined, workerLag);
      if (polled.tries > 1) {
        const previous = tctx.task.meta.indexWait;
        tctx.task.meta.indexWait = {
          waitedMs: (previous?.waitedMs ?? 0) + polled.waitedMs,
          polls: (previous?.polls ?? 0) + polled.tries - 1,
          settled: (previous?.settled ?? true) && polled.settled,
        };
      }
      return polled.answer;
    },
    scimAt: (other) => clientOn(other, identityTokens(target, 'primary')),
    skip,
    test: tctx,
  };
  return { ctx, finish };
}
