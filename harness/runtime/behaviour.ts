/**
 * behaviour(id, statement, fn): one vitest test per configured prefix, titled `[ID] statement`,
 * tied to its catalogue entry, skipped with a reason when it does not apply, wrapped with the
 * target's known-failure expectations, labelled for allure and for the conformance report.
 */
import { describe, inject, onTestFinished, test, type TestContext } from 'vitest';
import * as allure from 'allure-js-commons';
import { createBuilders, type Builders } from './builders.ts';
import { getBehaviour, inProfile, type Behaviour } from '../config/catalogue.ts';
import { workerId } from '../config/env.ts';
import { findExpectation, loadExpectations, type ExpectationsFile } from '../config/expectations.ts';
import { HttpClient, ScimClient, tokenSource, type HttpResult, type RecordedExchange, type TokenSource } from './http.ts';
import { RunLedger, type LedgerResource } from './ledger.ts';
import { RateLimiter } from './rate-limit.ts';
import { registerSecret } from './redact.ts';
import { collectionPath, type ResolvedTarget } from '../config/target.ts';
import { ConformanceFailure, createVerify, formatExchange, type Verify } from './verify.ts';

export type Verdict = 'passed' | 'failed' | 'skipped' | 'known-failure';
export type SkipKind = 'version' | 'capability' | 'configuration' | 'row';

export function skipKindOf(reason: string): SkipKind {
  if (reason.startsWith('not documented for API version')) return 'version';
  if (/^the server's (ServiceProviderConfig|Schemas|ResourceTypes)/.test(reason)) return 'capability';
  if (/^(creates or changes data|needs )/.test(reason)) return 'configuration';
  return 'row';
}

declare module 'vitest' {
  interface TaskMeta {
    behaviour?: string;
    prefix?: string;
    level?: string;
    resource?: string;
    /** Set when a listed known failure failed as expected. */
    knownFailure?: { reason: string; error: string };
    skipReason?: string;
    /** version: not documented for the API version; capability: the server says it does not support it;
     *  configuration: the run lacks something (writes, limited identity, org fixture); row: a case-table row does not apply. */
    skipKind?: SkipKind;
    /** The exchange that proved a failure (redacted). */
    failureExchange?: RecordedExchange;
    /** HTTP requests this test sent, and how many of them were retries after a 429. */
    requests?: number;
    retries?: number;
  }
}

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

let expectations: ExpectationsFile | undefined | null = null;
function targetExpectations(target: ResolvedTarget): ExpectationsFile | undefined {
  // The embedded emulator must pass its own (genesys) profile 100%; its rfc7644 run has documented differences.
  if (expectations === null) expectations = target.embedded && target.profile !== 'rfc7644' ? undefined : loadExpectations(target.targetName);
  return expectations;
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
  if (!ledger) ledger = new RunLedger(target.run, target.targetName, target.baseUrl).open();
  return ledger;
}

const ORG_REQUIREMENTS: Record<string, { key: keyof ResolvedTarget['org']; env: string }> = {
  'org:group-not-created-by-scim': { key: 'nonScimGroupId', env: 'SCIM_ORG_NON_SCIM_GROUP_ID' },
  'org:division': { key: 'division', env: 'SCIM_ORG_DIVISION' },
  'org:role': { key: 'role', env: 'SCIM_ORG_ROLE' },
  'org:routing-skill': { key: 'routingSkill', env: 'SCIM_ORG_ROUTING_SKILL' },
  'org:routing-language': { key: 'routingLanguage', env: 'SCIM_ORG_ROUTING_LANGUAGE' },
};

/** Why a behaviour does not apply to this target, or undefined when it does. */
export function skipReason(b: Behaviour, target: ResolvedTarget): string | undefined {
  if (!b.versions.includes(target.apiVersion)) {
    return `not documented for API version ${target.apiVersion} (documented for ${b.versions.join(', ')})`;
  }
  for (const req of b.requires ?? []) {
    if (req === 'writes' && !target.allowWrites) {
      return 'creates or changes data: set SCIM_ALLOW_WRITES=true to run write checks against this target';
    }
    if (req === 'limited-identity' && !target.identities.limited) {
      return 'needs a second, limited identity: set SCIM_LIMITED_TOKEN or SCIM_LIMITED_CLIENT_ID/SCIM_LIMITED_CLIENT_SECRET';
    }
    if (req.startsWith('spc:')) {
      const feature = req.slice(4) as keyof ResolvedTarget['capabilities'];
      if (target.capabilities[feature] === false) {
        return `the server's ServiceProviderConfig says ${feature}.supported is false`;
      }
    }
    if (req === 'org:group') {
      // Where the API creates groups the run makes its own; elsewhere it needs a configured scratch group.
      const canCreate = target.apiVersion === '2021' && target.allowWrites;
      if (!canCreate && !target.org.groupId) return 'needs a group the run may use: set SCIM_ORG_GROUP_ID (this API version cannot create groups)';
      continue;
    }
    const org = ORG_REQUIREMENTS[req];
    if (org && !target.org[org.key]) return `needs an org fixture: set ${org.env}`;
  }
  return undefined;
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
  /** POST a resource, register it in the ledger and delete it when the test ends. */
  create(resource: LedgerResource, body: unknown): Promise<HttpResult>;
  /** Register a resource created some other way, for removal when the test ends. */
  track(resource: LedgerResource, id: string, name: string): void;
  /**
   * A read-only fixture shared by the tests of this worker on this prefix: `factory` runs once per key
   * and its `create` registers resources in the ledger without deleting them at the end of the test;
   * the runner removes them at the end of the run. Tests must not modify what they get from here.
   */
  shared<T>(key: string, factory: (create: (resource: LedgerResource, body: unknown) => Promise<HttpResult>) => Promise<T>): Promise<T>;
  /** A client for the main identity on another prefix (same connection pool and token). */
  scimAt(prefix: string): ScimClient;
  /** Skip this test with a reason (recorded in the report). */
  skip(reason: string): never;
  test: TestContext;
}

let nameCounter = 0;
const MODULE_NONCE = Math.random().toString(36).slice(2, 6);
const sharedFixtures = new Map<string, Promise<unknown>>();

function makeContext(b: Behaviour, prefix: string, tctx: TestContext): BehaviourContext {
  const target = getTarget();
  registerSecret(target.userPassword);
  const exchanges: RecordedExchange[] = [];
  const http = new HttpClient({
    origin: target.baseUrl,
    timeoutMs: target.timeoutMs,
    limiter: workerLimiter(target),
    onExchange: (ex) => exchanges.push(ex),
  });
  const scim = new ScimClient(http, prefix, identityTokens(target, 'primary'));
  const worker = workerId();
  // The counter restarts with every test file (each file gets a fresh module), so a per-module nonce keeps names unique.
  const unique = (label: string) => `${target.run.runPrefix}${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-w${worker}${MODULE_NONCE}n${++nameCounter}`;

  const skip = (reason: string): never => {
    tctx.task.meta.skipReason = reason;
    tctx.task.meta.skipKind = skipKindOf(reason);
    tctx.skip(reason);
    throw new Error('unreachable');
  };

  const track = (resource: LedgerResource, id: string, name: string) => {
    const l = runLedger(target);
    l.created(resource, id, name, prefix);
    onTestFinished(async () => {
      const res = await scim.delete(`${collectionPath(target, resource)}/${encodeURIComponent(id)}`);
      if ((res.status >= 200 && res.status < 300) || res.status === 404) l.deleted(resource, id, prefix);
    });
  };

  const names = {
    userName: (label: string) => `${unique(label)}@example.com`,
    displayName: (label: string) => unique(label),
    externalId: (label: string) => unique(label),
  };

  return {
    behaviour: b,
    prefix,
    target,
    scim,
    limited() {
      const ts = identityTokens(target, 'limited');
      if (!ts) return skip(skipReason({ ...b, requires: ['limited-identity'] }, target) ?? 'no limited identity');
      return new ScimClient(http, prefix, ts);
    },
    anonymous: () => new ScimClient(http, prefix, undefined),
    verify: createVerify(`[${b.id}] ${b.title} (${b.level}; ${b.sources.join('; ')})`),
    exchanges,
    names,
    build: createBuilders(names, target.org, target.userPassword),
    async create(resource, body) {
      const res = await scim.post(collectionPath(target, resource), body);
      const created = res.body as { id?: unknown; userName?: string; displayName?: string } | undefined;
      if (res.status >= 200 && res.status < 300 && created && typeof created.id === 'string') {
        const name = (resource === 'users' ? created.userName : created.displayName) ?? '';
        track(resource, created.id, name);
      }
      return res;
    },
    track,
    shared<T>(key: string, factory: (create: (resource: LedgerResource, body: unknown) => Promise<HttpResult>) => Promise<T>): Promise<T> {
      const cacheKey = `${prefix}\u0000${key}`;
      let p = sharedFixtures.get(cacheKey) as Promise<T> | undefined;
      if (!p) {
        const createKept = async (resource: LedgerResource, body: unknown) => {
          const res = await scim.post(collectionPath(target, resource), body);
          const created = res.body as { id?: unknown; userName?: string; displayName?: string } | undefined;
          if (res.status >= 200 && res.status < 300 && created && typeof created.id === 'string') {
            runLedger(target).created(resource, created.id, (resource === 'users' ? created.userName : created.displayName) ?? '', prefix);
          }
          return res;
        };
        p = factory(createKept);
        sharedFixtures.set(cacheKey, p);
        p.catch(() => sharedFixtures.delete(cacheKey));
      }
      return p;
    },
    scimAt: (other) => new ScimClient(http, other, identityTokens(target, 'primary')),
    skip,
    test: tctx,
  };
}

async function labelForAllure(b: Behaviour, prefix: string, target: ResolvedTarget): Promise<void> {
  try {
    await allure.label('behaviour', b.id);
    await allure.epic(b.resource);
    await allure.feature(b.area);
    await allure.story(b.id);
    await allure.severity(b.level === 'MUST' ? 'critical' : b.level === 'SHOULD' ? 'normal' : 'minor');
    await allure.parameter('prefix', prefix);
    await allure.tags(b.level, `prefix:${prefix}`, `profile:${target.profile ?? 'genesys'}`, `api:${target.apiVersion}`, `target:${target.targetName}`);
  } catch {
    /* allure runtime not installed in this project: labels are optional */
  }
}

/** Every exchange of the test as an allure step with the redacted request and response attached. */
async function exchangesToAllure(exchanges: RecordedExchange[]): Promise<void> {
  for (const ex of exchanges) {
    const path = ex.request.url.replace(/^https?:\/\/[^/]+/, '');
    const outcome = ex.response ? String(ex.response.status) : 'no response';
    try {
      await allure.step(`${ex.request.method} ${path} → ${outcome}${ex.attempt ? ` (retry ${ex.attempt})` : ''}`, async () => {
        await allure.attachment('request', requestText(ex), 'text/plain');
        await allure.attachment('response', responseText(ex), 'text/plain');
      });
    } catch {
      return;
    }
  }
}

function requestText(ex: RecordedExchange): string {
  const head = Object.entries(ex.request.headers).map(([k, v]) => `${k}: ${v}`);
  return [`${ex.request.method} ${ex.request.url}`, ...head, '', ex.request.body ?? ''].join('\n');
}

function responseText(ex: RecordedExchange): string {
  if (!ex.response) return `no response: ${ex.error ?? 'unknown error'}`;
  const head = Object.entries(ex.response.headers).map(([k, v]) => `${k}: ${v}`);
  return [`${ex.response.status} (${ex.durationMs} ms)`, ...head, '', ex.response.body].join('\n');
}

async function runBehaviour(b: Behaviour, prefix: string, tctx: TestContext, body: (ctx: BehaviourContext) => Promise<void>): Promise<void> {
  const target = getTarget();
  const meta = tctx.task.meta;
  meta.behaviour = b.id;
  meta.prefix = prefix;
  meta.level = b.level;
  meta.resource = b.resource;
  await labelForAllure(b, prefix, target);
  const reason = skipReason(b, target);
  if (reason) {
    meta.skipReason = reason;
    meta.skipKind = skipKindOf(reason);
    tctx.skip(reason);
    return;
  }
  const ctx = makeContext(b, prefix, tctx);
  const expected = findExpectation(targetExpectations(target), b.id, prefix);
  const account = async () => {
    meta.requests = ctx.exchanges.length;
    meta.retries = ctx.exchanges.filter((x) => (x.attempt ?? 0) > 0).length;
    await exchangesToAllure(ctx.exchanges);
  };
  try {
    await body(ctx);
    await account();
  } catch (e) {
    await account();
    if (meta.skipReason) throw e;
    const exchange = e instanceof ConformanceFailure ? e.exchange : ctx.exchanges.at(-1);
    if (expected) {
      meta.knownFailure = { reason: expected.reason, error: (e as Error).message.split('\n').slice(0, 4).join('\n') };
      tctx.annotate(`known failure (expectations/${target.targetName}.json): ${expected.reason}`);
      return;
    }
    if (exchange) {
      meta.failureExchange = exchange;
      try {
        await allure.attachment('failing exchange', formatExchange(exchange), 'text/plain');
      } catch {
        /* optional */
      }
    }
    if (!(e instanceof ConformanceFailure) && exchange) {
      // An unexpected error (e.g. reading a field of a missing body): keep the evidence with it.
      (e as Error).message = `${(e as Error).message}\nLast exchange:\n${formatExchange(exchange)}`;
    }
    throw e;
  }
  if (expected) {
    throw new ConformanceFailure(
      `[${b.id}] unexpected pass: expectations/${target.targetName}.json lists it as a known failure ("${expected.reason}") but it passes now. Remove the entry.`,
    );
  }
}

export interface BehaviourOptions {
  timeout?: number;
}

/** Registers one test per configured prefix for behaviour `id`. */
export function behaviour(id: string, statement: string, fn: (ctx: BehaviourContext) => Promise<void>, options: BehaviourOptions = {}): void {
  const b = getBehaviour(id);
  const target = getTarget();
  // A behaviour of another profile is not registered at all (genesys runs never see RFC-* behaviours and vice versa).
  if (!inProfile(b, target.profile)) return;
  for (const prefix of target.prefixes) {
    describe(prefix, () => {
      test(`[${id}] ${statement}`, { timeout: options.timeout }, (tctx) => runBehaviour(b, prefix, tctx, fn));
    });
  }
}

/** Case-table form: one test per row and prefix; every row has a `name` shown in the title. */
behaviour.for = function behaviourFor<Row extends { name: string }>(
  id: string,
  statement: string,
  rows: readonly Row[],
  fn: (row: Row, ctx: BehaviourContext) => Promise<void>,
  options: BehaviourOptions = {},
): void {
  const b = getBehaviour(id);
  const target = getTarget();
  if (!inProfile(b, target.profile)) return;
  for (const prefix of target.prefixes) {
    describe(prefix, () => {
      test.for(rows as Row[])(`[${id}] ${statement} › $name`, { timeout: options.timeout }, (row, tctx) =>
        runBehaviour(b, prefix, tctx, (ctx) => fn(row, ctx)),
      );
    });
  }
};
