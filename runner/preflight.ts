/**
 * Before any check: does the target answer, and does it speak SCIM? One GET of ServiceProviderConfig per prefix
 * (the SCIM root in the rfc7644 profile) with the main identity, through the harness's HTTP client (paced, retried,
 * redacted, counted). The first usable answer also gives the run its capabilities.
 *
 * The target speaks SCIM when at least one prefix answers with JSON: 200 with a JSON object (ServiceProviderConfig),
 * or a 4xx other than 401 with a JSON body that is a SCIM error (or any JSON body, for 403): a server that lacks
 * ServiceProviderConfig or refuses it still speaks SCIM, and its checks judge the rest. Otherwise the run does not
 * start, with one message naming every URL and what came back:
 * - exit 2 (the run could not start: configuration): no answer anywhere (connection refused, DNS, TLS, timeout),
 *   the credentials refused (401), or answers that are not SCIM (404 or HTML everywhere: a wrong base URL or prefix);
 * - exit 1 (the target is broken): a server error (5xx, after the retries) on every prefix.
 */
import type { AuthSpec, Profile } from '../harness/config/env.ts';
import type { Capabilities } from '../harness/config/target.ts';
import { HttpClient, ScimClient, tokenSource, type HttpResult } from '../harness/runtime/http.ts';
import { RateLimiter } from '../harness/runtime/rate-limit.ts';
import { redactText } from '../harness/runtime/redact.ts';

export interface PreflightTarget {
  baseUrl: string;
  prefixes: string[];
  profile?: Profile;
  timeoutMs: number;
  rateLimitPerMinute: number;
  auth: AuthSpec;
}

/** What the runner needs from the pre-check: the capabilities, why they are unknown if they are, and its requests. */
export interface PreflightPassed {
  ok: true;
  capabilities: Capabilities;
  note?: string;
  requests: number;
}
export interface PreflightRefused {
  ok: false;
  exitCode: 1 | 2;
  message: string;
  requests: number;
}
export type PreflightResult = PreflightPassed | PreflightRefused;

type ProbeKind = 'spc' | 'scim-error' | 'unauthorized' | 'not-scim' | 'server-error' | 'unreachable';
interface Probe {
  url: string;
  kind: ProbeKind;
  what: string;
  res?: HttpResult;
}

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

function excerpt(res: HttpResult): string {
  const type = res.headers['content-type'] ?? 'no content-type';
  const text = redactText(res.text.replace(/\s+/g, ' ').trim()).slice(0, 120);
  return `${res.status} (${type})${text ? `: ${text}` : ''}`;
}

function classify(res: HttpResult): ProbeKind {
  const json = res.body !== undefined && res.body !== null && typeof res.body === 'object' && !Array.isArray(res.body);
  if (res.status === 401) return 'unauthorized';
  if (res.status >= 500) return 'server-error';
  if (res.status === 200) return json ? 'spc' : 'not-scim';
  const scimError = json && Array.isArray(res.body.schemas) && res.body.schemas.includes(SCIM_ERROR);
  if (res.status >= 400 && (scimError || (json && res.status === 403))) return 'scim-error';
  return 'not-scim';
}

function capabilitiesOf(body: Record<string, any>): Capabilities {
  const flag = (k: string): boolean | undefined => {
    const v = body[k]?.supported;
    return typeof v === 'boolean' ? v : undefined;
  };
  return { etag: flag('etag'), patch: flag('patch'), filter: flag('filter'), sort: flag('sort'), bulk: flag('bulk'), changePassword: flag('changePassword') };
}

export function spcPath(profile: Profile | undefined): string {
  return profile === 'rfc7644' ? '/ServiceProviderConfig' : '/serviceproviderconfig';
}

export async function preflight(t: PreflightTarget): Promise<PreflightResult> {
  let requests = 0;
  const http = new HttpClient({ origin: t.baseUrl, timeoutMs: t.timeoutMs, limiter: new RateLimiter(t.rateLimitPerMinute), onExchange: () => void requests++ });
  const tokens = tokenSource(t.auth, t.timeoutMs);
  const path = spcPath(t.profile);
  const probes: Probe[] = [];
  for (const prefix of t.prefixes) {
    const client = new ScimClient(http, prefix, tokens);
    const url = client.url(path);
    try {
      const res = await client.get(path);
      probes.push({ url, kind: classify(res), what: excerpt(res), res });
    } catch (e) {
      probes.push({ url, kind: 'unreachable', what: `no answer: ${redactText((e as Error).message.replace(/^GET \S+ failed: /, ''))}` });
    }
  }
  const spc = probes.find((p) => p.kind === 'spc');
  if (spc || probes.some((p) => p.kind === 'scim-error')) {
    const first = probes[0]!;
    const note = spc
      ? first === spc
        ? undefined
        : `GET ${first.url} answered ${first.what}; capabilities read from ${spc.url}`
      : `GET ${path.slice(1)} answered ${first.what}; capabilities unknown, nothing skipped for them`;
    return { ok: true, capabilities: spc ? capabilitiesOf(spc.res!.body) : {}, ...(note ? { note } : {}), requests };
  }
  const lines = probes.map((p) => `  GET ${p.url} → ${p.what}`).join('\n');
  if (probes.every((p) => p.kind === 'server-error')) {
    return { ok: false, exitCode: 1, requests, message: `the target answers ServiceProviderConfig with a server error on every prefix (after the retries), so no check was run:\n${lines}` };
  }
  const hint =
    t.profile === 'rfc7644'
      ? 'Check SCIM_BASE_URL: with SCIM_PROFILE=rfc7644 it is the SCIM root, path included (e.g. https://host/scim/v2).'
      : 'Check SCIM_BASE_URL (scheme + host, e.g. https://api.mypurecloud.com) and SCIM_PREFIXES.';
  if (probes.every((p) => p.kind === 'unreachable')) {
    return { ok: false, exitCode: 2, requests, message: `the target cannot be reached, so no check was run:\n${lines}\n${hint}` };
  }
  if (probes.some((p) => p.kind === 'unauthorized')) {
    return {
      ok: false,
      exitCode: 2,
      requests,
      message: `the target refused the main identity's credentials (401), so no check was run:\n${lines}\nCheck SCIM_TOKEN, or SCIM_CLIENT_ID/SCIM_CLIENT_SECRET and the token URL.`,
    };
  }
  return { ok: false, exitCode: 2, requests, message: `the target does not answer as a SCIM server (no ServiceProviderConfig, no SCIM error), so no check was run:\n${lines}\n${hint}` };
}
