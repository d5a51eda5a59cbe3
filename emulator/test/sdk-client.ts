/**
 * The official Genesys Cloud JavaScript SDK (npm purecloud-platform-client-v2, pinned devDependency) pointed at an
 * emulator, for the SDK-fidelity and contract-mode tests (not a test file).
 *
 * Version: 97.0.0. Seed 000 documents SDK 103.0.0, which is not on the registry; the nearest published versions are
 * 97.0.0 and 107.0.0, and only 97.0.0 still has the 2021 SCIM surface (group POST/DELETE were removed in 105): its
 * SCIMApi has exactly the 34 methods of seed 000, with the same parameters.
 *
 * How the SDK is pointed at the emulator, with its own settings only (ApiClient.js of 97.0.0):
 * - `setEnvironment(env)` is its gateway setting: API calls go to `https://api.<env>`, the client-credentials login
 *   to `https://login.<env>/oauth/token` (both https and host prefixes are hard-coded, so a plain http emulator on
 *   127.0.0.1 can't be named there);
 * - `client.proxy` + the `proxy` plugin on `client.superagent` is its documented network hook ("Using a Proxy
 *   (Node.js only)": "Apply the superagent-proxy package to the client.superagent object"): every request, the
 *   login included, is handed to `request.proxy(client.proxy)` right after it is created. The plugin installed here
 *   acts as the forward proxy would: it sends `https://{api,login}.<env>/…` to the emulator, keeping path and query.
 */
import platformClient from 'purecloud-platform-client-v2';
import type { RunningEmulator } from '../server.ts';

export { platformClient };
export type SdkApiClient = typeof platformClient.ApiClient;
export type ScimApi = InstanceType<typeof platformClient.SCIMApi>;

/** The SDK version this project pins (package.json devDependencies). */
export const SDK_VERSION = '97.0.0';
/** The environment given to setEnvironment: a reserved name that can never resolve (RFC 2606). */
export const SDK_ENVIRONMENT = 'emulator.invalid';

interface ProxyTarget {
  protocol: string;
  host: string;
  port: number;
}

interface SuperagentRequest {
  url: string;
  method: string;
}

/** Every URL the SDK built, before the proxy hook re-targeted it (e.g. https://login.emulator.invalid/oauth/token). */
export const sdkRequestLog: { method: string; url: string }[] = [];

let installed = false;
function installProxyPlugin(client: SdkApiClient): void {
  if (installed) return;
  installed = true;
  const agent = client.superagent as { Request: { prototype: Record<string, unknown> } };
  agent.Request.prototype.proxy = function proxy(this: SuperagentRequest, target: ProxyTarget) {
    const original = new URL(this.url);
    sdkRequestLog.push({ method: this.method, url: this.url });
    if (original.hostname.endsWith(`.${SDK_ENVIRONMENT}`)) {
      this.url = `${target.protocol}://${target.host}:${target.port}${original.pathname}${original.search}`;
    }
    return this;
  };
}

export interface SdkSession {
  client: SdkApiClient;
  api: ScimApi;
  /** The SCIMApi method names called through `api` (a recording proxy), for the coverage check. */
  called: Set<string>;
}

/**
 * A fresh ApiClient (not the SDK's singleton) pointed at the emulator and logged in with the demo client `name`
 * through loginClientCredentialsGrant, and a SCIMApi bound to it.
 */
export async function sdkSession(emu: RunningEmulator, name = 'admin', called: Set<string> = new Set()): Promise<SdkSession> {
  const demo = emu.clients.find((c) => c.name === name);
  if (!demo) throw new Error(`no demo client ${name}`);
  // platformClient.ApiClient is the SDK's singleton; its constructor makes independent clients.
  const ApiClientCtor = platformClient.ApiClient.constructor as unknown as new () => SdkApiClient;
  const client = new ApiClientCtor();
  client.setEnvironment(SDK_ENVIRONMENT);
  installProxyPlugin(client);
  client.proxy = { protocol: 'http', host: '127.0.0.1', port: emu.port };
  await client.loginClientCredentialsGrant(demo.clientId, demo.clientSecret);
  // SCIMApi(apiClient) binds the API to this client (its index.d.ts declares no constructor argument).
  const raw = new (platformClient.SCIMApi as unknown as new (c: SdkApiClient) => ScimApi)(client);
  const api = new Proxy(raw, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v === 'function' && typeof prop === 'string') {
        return (...args: unknown[]) => {
          called.add(prop);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return v;
    },
  });
  return { client, api, called };
}

/** The 34 SCIMApi methods of the pinned SDK (its prototype), sorted. */
export function scimApiMethods(): string[] {
  return Object.getOwnPropertyNames(platformClient.SCIMApi.prototype).filter((n) => n !== 'constructor').sort();
}

/** What the SDK rejects with on a non-2xx answer (ApiClient.callApi): the response, with the parsed body. */
export interface SdkError {
  status: number;
  statusText?: string;
  headers: Record<string, string>;
  body: unknown;
  text?: string;
  error: unknown;
}

/** Awaits a call that must fail and returns the SDK's rejection value. */
export async function sdkFailure(p: Promise<unknown>): Promise<SdkError> {
  try {
    const v = await p;
    throw new Error(`expected the SDK call to fail, it resolved with ${JSON.stringify(v).slice(0, 300)}`);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('expected the SDK call to fail')) throw e;
    return e as SdkError;
  }
}
