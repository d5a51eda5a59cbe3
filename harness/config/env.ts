/**
 * Configuration: read from the environment (the CLI loads `.env` with dotenv first),
 * validated as a whole so a user sees every problem in one message before any request is sent.
 *
 * This layer (harness/config/) owns every environment key the suite reads: CONFIG_KEYS (documented for users, checked
 * against README.md and .env.example) and INTERNAL_KEYS (set by the CLI or by vitest). No other module of harness/,
 * suites/ or runner/ reads process.env (harness/test/boundaries.test.ts enforces it).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pbtEnvProblems } from './pbt.ts';
import { type Env, isIdeal, value } from './values.ts';

export type ApiVersion = '2021' | '2019';
export const API_VERSIONS: readonly ApiVersion[] = ['2021', '2019'];
/** Which behaviours are expected: the Genesys Cloud docs (default) or RFC 7643/7644 alone, for any SCIM 2.0 server. */
export type Profile = 'genesys' | 'rfc7644';
export const PROFILES: readonly Profile[] = ['genesys', 'rfc7644'];
/** The SCIM root path of the embedded emulator when it runs the rfc7644 profile. */
export const EMULATOR_RFC_ROOT = '/api/v2/scim/v2';
/** The embedded live emulator's knobs (emulator/live.ts LIVE_ENV). */
const LIVE_KEYS = ['SCIM_LIVE_LATENCY_MS', 'SCIM_LIVE_JITTER_MS', 'SCIM_LIVE_RATE_LIMIT', 'SCIM_LIVE_503_RATE', 'SCIM_LIVE_429_RATE', 'SCIM_LIVE_RESET_RATE', 'SCIM_LIVE_INDEX_LAG_MS', 'SCIM_LIVE_RETRY_AFTER_S', 'SCIM_LIVE_SEED'] as const;

/** A live org's lists lag writes by a few seconds (reference §12; measured ~3 s): wait up to this long by default. */
export const DEFAULT_INDEX_WAIT_MS = 15_000;
export const DEFAULT_PREFIXES = ['/api/v2/scim/v2', '/api/v2/scim'] as const;

/** How an identity authenticates. Secrets live only in memory and are redacted from every artifact. */
export type AuthSpec =
  | { kind: 'token'; token: string }
  | { kind: 'client-credentials'; clientId: string; clientSecret: string; tokenUrl: string };

export interface IdentitySpec {
  auth: AuthSpec;
  /** Permissions the identity holds (for the limited identity: what the user declared). */
  permissions: string[];
}

export interface TargetConfig {
  /** true when no SCIM_BASE_URL is configured: the runner starts the embedded emulator. */
  embedded: boolean;
  /** scheme + host (+ port), no trailing slash; empty when embedded (filled in by the runner). */
  baseUrl: string;
  /** genesys (default) or rfc7644. */
  profile: Profile;
  /** SCIM_STRICT: SHOULD failures count like MUST failures in the verdict. */
  strict: boolean;
  /** Name used to pick expectations/<targetName>.json. */
  targetName: string;
  prefixes: string[];
  apiVersion: ApiVersion;
  primary?: IdentitySpec;
  limited?: IdentitySpec;
  allowWrites: boolean;
  /** Client-side request budget per minute for the whole run (0 = unlimited). */
  rateLimitPerMinute: number;
  /** Org fixtures for tests that need pre-existing entities (real orgs only). */
  org: OrgFixtures;
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /**
   * The longest wait for a write to show in lists and filters (a search index that lags writes), in ms: checks that
   * list what they just wrote poll until it shows, up to this long (SCIM_INDEX_WAIT_MS; 0 on the embedded emulator).
   */
  indexWaitMs: number;
  /**
   * Which case-table rows each prefix sends (SCIM_CASES): 'all' (every row under every prefix; the default on the
   * ideal embedded emulator) or 'spread' (each row under one prefix in turn: every row sent once per run, each prefix
   * sending at least one; the default against a real org and the live profile).
   */
  cases: 'all' | 'spread';
  /**
   * The embedded emulator's profile (SCIM_EMULATOR_PROFILE): 'default' (ideal conditions) or 'live' (a live org's:
   * latency, rate limit, occasional 503, index lag; knobs in `emulatorLive`, the SCIM_LIVE_* keys as given). A live
   * embedded run is judged like a real org: client rate limit, index wait and property-test budget of a remote target.
   */
  emulatorProfile: 'default' | 'live';
  emulatorLive: Record<string, string>;
  /** Password given to users the run creates (unset: none is sent and the server generates one). */
  userPassword?: string;
}

export interface OrgFixtures {
  /** id of a scratch group the run may read and modify, for API versions that cannot create groups (2019). */
  groupId?: string;
  /** id of a group that was not created through SCIM (its DELETE must be refused). */
  nonScimGroupId?: string;
  division?: string;
  role?: string;
  routingSkill?: string;
  routingLanguage?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Every key the suite reads, with its documentation (README and .env.example are checked against this list). */
export const CONFIG_KEYS: Record<string, string> = {
  SCIM_BASE_URL: 'scheme + host of the SCIM server, e.g. https://api.mypurecloud.com (profile rfc7644: the SCIM root with its path, e.g. https://host/scim/v2); unset = embedded emulator',
  SCIM_PROFILE: 'which behaviours to expect: genesys (Genesys Cloud docs, default) or rfc7644 (RFC 7643/7644 only, for any SCIM 2.0 server)',
  SCIM_STRICT: 'true: SHOULD failures count like MUST failures in the verdict (default false: they are reported as warnings)',
  SCIM_TOKEN: 'a bearer token for the main identity (alternative to client credentials)',
  SCIM_CLIENT_ID: 'OAuth client-credentials client id of the main identity',
  SCIM_CLIENT_SECRET: 'OAuth client-credentials secret of the main identity',
  SCIM_REGION: 'Genesys Cloud region host, e.g. mypurecloud.com or usw2.pure.cloud (token URL https://login.<region>/oauth/token)',
  SCIM_TOKEN_URL: 'explicit OAuth token URL (overrides SCIM_REGION); on the SCIM_BASE_URL host, or login.<region> for api.<region>',
  SCIM_TRUST_TOKEN_URL: 'true: the token URL is on another server than SCIM_BASE_URL on purpose (an identity provider of the target), so the client secret may be sent there',
  SCIM_PREFIXES: 'comma-separated path prefixes to check (default /api/v2/scim/v2,/api/v2/scim)',
  SCIM_API_VERSION: 'which documented behaviour to expect: 2021 (JS SDK doc, default) or 2019 (Ruby SDK doc)',
  SCIM_LIMITED_TOKEN: 'bearer token of a second identity with fewer permissions (permission checks)',
  SCIM_LIMITED_CLIENT_ID: 'client id of the limited identity',
  SCIM_LIMITED_CLIENT_SECRET: 'client secret of the limited identity',
  SCIM_LIMITED_PERMISSIONS: 'comma-separated permissions the limited identity holds (default: none)',
  SCIM_ALLOW_WRITES: 'true to let checks create, modify and delete their own resources on a non-emulator target',
  SCIM_RATE_LIMIT: 'client-side request budget per minute (default 300; 0 = unlimited)',
  SCIM_TARGET_NAME: 'name of the target, selects expectations/<name>.json (default: host name)',
  SCIM_TIMEOUT_MS: 'per-request timeout in milliseconds (default 30000)',
  SCIM_EMULATOR_PROFILE: "embedded emulator only: default (ideal conditions) or live (a live org's latency, rate limit, occasional 503 and index lag; tuned with the SCIM_LIVE_* keys, see emulator/README.md); a live run uses a real org's rate limit, index wait and property-test budget",
  SCIM_LIVE_LATENCY_MS: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_LIVE_JITTER_MS: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_LIVE_RATE_LIMIT: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_LIVE_503_RATE: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_LIVE_429_RATE: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_LIVE_RESET_RATE: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_LIVE_INDEX_LAG_MS: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_LIVE_RETRY_AFTER_S: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_LIVE_SEED: 'embedded live emulator: see emulator/README.md "The live-org profile"',
  SCIM_INDEX_WAIT_MS: 'longest wait, in ms, for a write to show in lists and filters (search-index lag): checks poll with backoff up to this long (default 15000; 0 on the embedded emulator)',
  SCIM_CASES:
    'which case-table rows each prefix sends: all (every row under every prefix) or spread (each row under one prefix in turn, so every row is sent once per run and each prefix sends at least one). Default: all on the embedded emulator, spread against a real org and the live profile',
  SCIM_USER_PASSWORD: "password given to the users the run creates (default: none sent, the server generates one); must meet the org's password policy",
  SCIM_REPORT_DIR: 'where reports are written (default reports/; allure results go to allure-results/ unless this is set)',
  SCIM_ORG_GROUP_ID: 'id of a scratch group the run may modify, needed where groups cannot be created (API version 2019)',
  SCIM_ORG_NON_SCIM_GROUP_ID: 'id of a group not created through SCIM (its DELETE must be refused)',
  SCIM_ORG_DIVISION: 'name of an existing division',
  SCIM_ORG_ROLE: 'name of an existing role',
  SCIM_ORG_ROUTING_SKILL: 'name of an existing routing skill',
  SCIM_ORG_ROUTING_LANGUAGE: 'name of an existing routing language',
  SCIM_PBT_RUNS: 'property-based PATCH checks: sequences per check (default 100 on the embedded emulator, 1 on a real org)',
  SCIM_PBT_SEED: 'property-based PATCH checks: fast-check seed to replay (from a failure message; with SCIM_PBT_PATH)',
  SCIM_PBT_PATH: 'property-based PATCH checks: fast-check path of the one case to replay (from a failure message)',
};

/** Keys read from the environment that users do not set: the CLI hands the validated configuration to vitest, and vitest names its workers. */
export const INTERNAL_KEYS: Record<string, string> = {
  SCIM_CONFORMANCE_CONFIG: 'set by bin/conformance.ts: the validated TargetConfig as JSON (runner/global-setup.ts reads it)',
  SCIM_CONFORMANCE_PROFILE: 'set by bin/conformance.ts: the profile whose suite files vitest.config.ts selects',
  SCIM_CONFORMANCE_SELECTION: 'set by bin/conformance.ts: how --id/--filter/--file narrowed the run (the report marks it partial)',
  SCIM_CONFORMANCE_PREFLIGHT: "set by bin/conformance.ts: what its reachability pre-check read (capabilities, requests), so the runner does not ask again",
  VITEST_POOL_ID: 'set by vitest: the worker number, part of the run-scoped names a worker creates',
};

function parseBool(env: Env, key: string, problems: string[], fallback: boolean): boolean {
  const v = value(env, key);
  if (v === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  problems.push(`${key} must be true or false (got "${v}")`);
  return fallback;
}

function parseIntKey(env: Env, key: string, problems: string[], fallback: number, min: number): number {
  const v = value(env, key);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) {
    problems.push(`${key} must be an integer ≥ ${min} (got "${v}")`);
    return fallback;
  }
  return Number(v);
}

/**
 * Whether a token URL may receive the client secret configured for a base URL: the secret goes only to the server the
 * suite tests, or to the one Genesys Cloud pairs with it. Allowed:
 * - the same host name, on any port and scheme (one machine: e.g. an emulator serving /oauth/token);
 * - two loopback hosts (localhost, 127.0.0.0/8, ::1): this machine either way;
 * - `login.<region>` for a base URL on `api.<region>` (Genesys Cloud: tokenUrlFor).
 * Anything else is refused (a typo, or a copied SCIM_REGION of another region, would send the secret to an unrelated
 * server), unless SCIM_TRUST_TOKEN_URL=true says the identity provider is elsewhere on purpose.
 */
export function tokenHostAllowed(baseUrl: string, tokenUrl: string): boolean {
  const host = (u: string) => new URL(u).hostname.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
  const base = host(baseUrl);
  const token = host(tokenUrl);
  const loopback = (h: string) => h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
  if (base === token || (loopback(base) && loopback(token))) return true;
  return base.startsWith('api.') && token === `login.${base.slice('api.'.length)}`;
}

export function tokenUrlFor(region: string): string {
  const host = region.replace(/^https?:\/\//, '').replace(/^(api|login)\./, '').replace(/\/+$/, '');
  return `https://login.${host}/oauth/token`;
}

function parseUrl(raw: string, key: string, problems: string[]): URL | undefined {
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      problems.push(`${key} must be an http(s) URL (got "${raw}")`);
      return undefined;
    }
    return u;
  } catch {
    problems.push(`${key} must be an absolute URL such as https://api.mypurecloud.com (got "${raw}")`);
    return undefined;
  }
}

function parseIdentity(
  env: Env,
  keys: { token: string; id: string; secret: string },
  tokenUrl: string | undefined,
  label: string,
  problems: string[],
): AuthSpec | undefined {
  const token = value(env, keys.token);
  const id = value(env, keys.id);
  const secret = value(env, keys.secret);
  if (token && (id || secret)) {
    problems.push(`${label}: set either ${keys.token} or ${keys.id}/${keys.secret}, not both`);
    return undefined;
  }
  if (token) return { kind: 'token', token };
  if (id || secret) {
    if (!id || !secret) {
      problems.push(`${label}: ${keys.id} and ${keys.secret} must be set together`);
      return undefined;
    }
    if (!tokenUrl) {
      problems.push(`${label}: client credentials need SCIM_REGION (e.g. mypurecloud.com) or SCIM_TOKEN_URL`);
      return undefined;
    }
    return { kind: 'client-credentials', clientId: id, clientSecret: secret, tokenUrl };
  }
  return undefined;
}

export function loadConfig(env: Env = process.env): TargetConfig {
  const problems: string[] = [];
  const profileRaw = value(env, 'SCIM_PROFILE') ?? 'genesys';
  if (!PROFILES.includes(profileRaw as Profile)) {
    problems.push(`SCIM_PROFILE must be one of ${PROFILES.join(', ')} (got "${profileRaw}")`);
  }
  const profile = (PROFILES.includes(profileRaw as Profile) ? profileRaw : 'genesys') as Profile;
  const rawBase = value(env, 'SCIM_BASE_URL');
  const embedded = rawBase === undefined;
  let baseUrl = '';
  let host = 'emulator';
  /** rfc7644: the SCIM root path of SCIM_BASE_URL ('' for the host root). */
  let rootPath = EMULATOR_RFC_ROOT;
  if (rawBase !== undefined) {
    const u = parseUrl(rawBase, 'SCIM_BASE_URL', problems);
    if (u) {
      if (profile === 'rfc7644') {
        if (u.search || u.hash) problems.push(`SCIM_BASE_URL is the SCIM root without query or fragment (got "${rawBase}")`);
        rootPath = u.pathname.replace(/\/+$/, '');
      } else if (u.pathname !== '/' && u.pathname !== '') {
        problems.push(
          `SCIM_BASE_URL is scheme + host only (got path "${u.pathname}"); put path prefixes in SCIM_PREFIXES (or set SCIM_PROFILE=rfc7644 for a SCIM root URL)`,
        );
      }
      baseUrl = `${u.protocol}//${u.host}`;
      host = u.hostname;
    }
  }

  const apiVersionRaw = value(env, 'SCIM_API_VERSION') ?? '2021';
  if (!API_VERSIONS.includes(apiVersionRaw as ApiVersion)) {
    problems.push(`SCIM_API_VERSION must be one of ${API_VERSIONS.join(', ')} (got "${apiVersionRaw}")`);
  }
  const apiVersion = (API_VERSIONS.includes(apiVersionRaw as ApiVersion) ? apiVersionRaw : '2021') as ApiVersion;

  let prefixes: string[] = [...DEFAULT_PREFIXES];
  const rawPrefixes = value(env, 'SCIM_PREFIXES');
  if (profile === 'rfc7644') {
    // One SCIM root: its path is the run's only "prefix", so the per-prefix machinery (clients, report columns,
    // expectations) works unchanged and resource paths are the RFC's (/Users, /Groups, ...).
    prefixes = [rootPath];
    if (rawPrefixes !== undefined) problems.push('SCIM_PREFIXES does not apply to SCIM_PROFILE=rfc7644: SCIM_BASE_URL is the SCIM root, path included');
  } else if (rawPrefixes !== undefined) {
    prefixes = rawPrefixes.split(',').map((p) => p.trim()).filter(Boolean).map((p) => p.replace(/\/+$/, ''));
    if (prefixes.length === 0) problems.push('SCIM_PREFIXES is empty');
    for (const p of prefixes) {
      if (!p.startsWith('/')) problems.push(`SCIM_PREFIXES entries start with "/" (got "${p}")`);
    }
    if (new Set(prefixes).size !== prefixes.length) problems.push('SCIM_PREFIXES lists a prefix twice');
  }

  let tokenUrl: string | undefined;
  const rawTokenUrl = value(env, 'SCIM_TOKEN_URL');
  const region = value(env, 'SCIM_REGION');
  if (rawTokenUrl) {
    const u = parseUrl(rawTokenUrl, 'SCIM_TOKEN_URL', problems);
    if (u) tokenUrl = u.toString();
  } else if (region) {
    if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(region.replace(/^https?:\/\//, ''))) {
      problems.push(`SCIM_REGION must be a host such as mypurecloud.com or usw2.pure.cloud (got "${region}")`);
    } else {
      tokenUrl = tokenUrlFor(region);
    }
  }

  const primaryAuth = parseIdentity(
    env,
    { token: 'SCIM_TOKEN', id: 'SCIM_CLIENT_ID', secret: 'SCIM_CLIENT_SECRET' },
    tokenUrl,
    'main identity',
    problems,
  );
  const limitedAuth = parseIdentity(
    env,
    { token: 'SCIM_LIMITED_TOKEN', id: 'SCIM_LIMITED_CLIENT_ID', secret: 'SCIM_LIMITED_CLIENT_SECRET' },
    tokenUrl,
    'limited identity',
    problems,
  );
  const limitedPermissions = (value(env, 'SCIM_LIMITED_PERMISSIONS') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of limitedPermissions) {
    if (!/^[a-zA-Z]+:[a-zA-Z]+:[a-zA-Z]+$/.test(p)) {
      problems.push(`SCIM_LIMITED_PERMISSIONS entries look like directory:user:edit (got "${p}")`);
    }
  }

  const usesTokenUrl = [primaryAuth, limitedAuth].some((a) => a?.kind === 'client-credentials');
  const trustTokenUrl = parseBool(env, 'SCIM_TRUST_TOKEN_URL', problems, false);
  if (!embedded && baseUrl && tokenUrl && usesTokenUrl && !trustTokenUrl && !tokenHostAllowed(baseUrl, tokenUrl)) {
    const from = rawTokenUrl ? `SCIM_TOKEN_URL ${tokenUrl}` : `SCIM_REGION ${region} (token URL ${tokenUrl})`;
    problems.push(
      `${from} is on another server than SCIM_BASE_URL ${baseUrl}: the client secret would be sent to ${new URL(tokenUrl).host}. ` +
        `The token URL must be on the same host, or login.<region> for api.<region>; set SCIM_TRUST_TOKEN_URL=true if that identity provider is the target's on purpose`,
    );
  }
  if (!embedded && !primaryAuth) {
    problems.push(
      'SCIM_BASE_URL is set but no credentials: set SCIM_TOKEN, or SCIM_CLIENT_ID + SCIM_CLIENT_SECRET with SCIM_REGION or SCIM_TOKEN_URL',
    );
  }
  if (embedded && (primaryAuth || limitedAuth)) {
    problems.push('credentials are set but SCIM_BASE_URL is not: set SCIM_BASE_URL, or unset the credentials to use the embedded emulator');
  }

  const allowWrites = parseBool(env, 'SCIM_ALLOW_WRITES', problems, false);
  const strict = parseBool(env, 'SCIM_STRICT', problems, false);
  const rateLimitPerMinute = parseIntKey(env, 'SCIM_RATE_LIMIT', problems, 300, 0);
  const timeoutMs = parseIntKey(env, 'SCIM_TIMEOUT_MS', problems, 30_000, 100);
  const emulatorProfile = value(env, 'SCIM_EMULATOR_PROFILE') ?? 'default';
  if (emulatorProfile !== 'default' && emulatorProfile !== 'live') problems.push(`SCIM_EMULATOR_PROFILE must be default or live (got "${emulatorProfile}")`);
  const live = emulatorProfile === 'live';
  if (live && !embedded) problems.push('SCIM_EMULATOR_PROFILE=live applies to the embedded emulator: unset SCIM_BASE_URL, or unset SCIM_EMULATOR_PROFILE');
  const emulatorLive: Record<string, string> = {};
  for (const key of LIVE_KEYS) {
    const v = value(env, key);
    if (v === undefined) continue;
    if (!live) problems.push(`${key} applies to SCIM_EMULATOR_PROFILE=live only`);
    else if (!Number.isFinite(Number(v))) problems.push(`${key} must be a number (got "${v}")`);
    emulatorLive[key] = v;
  }
  // Ideal conditions (the default embedded emulator) need no pacing and no waiting; anything else is judged like a real org.
  const ideal = isIdeal({ embedded, live });
  const indexWaitMs = parseIntKey(env, 'SCIM_INDEX_WAIT_MS', problems, ideal ? 0 : DEFAULT_INDEX_WAIT_MS, 0);
  const cases = value(env, 'SCIM_CASES') ?? (ideal ? 'all' : 'spread');
  if (cases !== 'all' && cases !== 'spread') problems.push(`SCIM_CASES must be all or spread (got "${cases}")`);
  const targetName = value(env, 'SCIM_TARGET_NAME') ?? host;
  if (!/^[A-Za-z0-9._-]+$/.test(targetName)) {
    problems.push(`SCIM_TARGET_NAME may hold letters, digits, ".", "_" and "-" only (got "${targetName}")`);
  }

  problems.push(...pbtEnvProblems(env));

  if (problems.length) throw new ConfigError(problems);

  return {
    embedded,
    baseUrl,
    profile,
    strict,
    targetName,
    prefixes,
    apiVersion,
    primary: primaryAuth ? { auth: primaryAuth, permissions: [] } : undefined,
    limited: limitedAuth ? { auth: limitedAuth, permissions: limitedPermissions } : undefined,
    // The embedded emulator is the run's own sandbox: writes are always allowed there.
    allowWrites: embedded ? true : allowWrites,
    // The ideal embedded emulator runs without a rate limit for the suite, so the client needs none either.
    rateLimitPerMinute: ideal ? 0 : rateLimitPerMinute,
    timeoutMs,
    indexWaitMs,
    cases: cases === 'all' ? 'all' : 'spread',
    emulatorProfile: live ? 'live' : 'default',
    emulatorLive,
    userPassword: value(env, 'SCIM_USER_PASSWORD'),
    org: {
      groupId: value(env, 'SCIM_ORG_GROUP_ID'),
      nonScimGroupId: value(env, 'SCIM_ORG_NON_SCIM_GROUP_ID'),
      division: value(env, 'SCIM_ORG_DIVISION'),
      role: value(env, 'SCIM_ORG_ROLE'),
      routingSkill: value(env, 'SCIM_ORG_ROUTING_SKILL'),
      routingLanguage: value(env, 'SCIM_ORG_ROUTING_LANGUAGE'),
    },
  };
}

/** The configuration the CLI validated and handed over (SCIM_CONFORMANCE_CONFIG), or undefined for `npm test`. */
export function cliConfig(env: Env = process.env): TargetConfig | undefined {
  const raw = value(env, 'SCIM_CONFORMANCE_CONFIG');
  return raw === undefined ? undefined : (JSON.parse(raw) as TargetConfig);
}

/** The profile whose suite files a CLI run selects (SCIM_CONFORMANCE_PROFILE; genesys unless it says rfc7644). */
export function cliProfile(env: Env = process.env): Profile {
  return value(env, 'SCIM_CONFORMANCE_PROFILE') === 'rfc7644' ? 'rfc7644' : 'genesys';
}

/** The repository's reports/ directory: where reports go unless SCIM_REPORT_DIR says otherwise. */
export const DEFAULT_REPORTS_DIR = fileURLToPath(new URL('../../reports', import.meta.url));

/** Where a run writes its reports: SCIM_REPORT_DIR (relative to the working directory) or the repository's reports/. */
export function reportDir(env: Env = process.env): string {
  const dir = value(env, 'SCIM_REPORT_DIR');
  return dir === undefined ? DEFAULT_REPORTS_DIR : resolve(dir);
}

/**
 * The allure results of a run, always `<report dir>/allure-results`: vitest.config.ts writes there (npm test and
 * npm run conformance alike), the CLI and `pretest` empty it before a run, and `npm run report` reads it.
 */
export function allureResultsDir(env: Env = process.env): string {
  return join(reportDir(env), 'allure-results');
}

/** How bin/conformance.ts narrowed the run (--id, --filter, --file; SCIM_CONFORMANCE_SELECTION): the report marks it partial. */
export function cliSelection(env: Env = process.env): { ids?: string[]; filter?: string; files?: string[] } | undefined {
  const raw = value(env, 'SCIM_CONFORMANCE_SELECTION');
  return raw === undefined ? undefined : (JSON.parse(raw) as { ids?: string[]; filter?: string; files?: string[] });
}

/** What the CLI's reachability pre-check read (SCIM_CONFORMANCE_PREFLIGHT), so the runner does not send it again. */
export function cliPreflight(env: Env = process.env): { capabilities: Record<string, boolean | undefined>; note?: string; requests: number } | undefined {
  const raw = value(env, 'SCIM_CONFORMANCE_PREFLIGHT');
  return raw === undefined ? undefined : (JSON.parse(raw) as { capabilities: Record<string, boolean | undefined>; note?: string; requests: number });
}

/** The vitest worker this process is (VITEST_POOL_ID; '0' outside a pool). */
export function workerId(env: Env = process.env): string {
  return value(env, 'VITEST_POOL_ID') ?? '0';
}
