/**
 * The emulator's HTTP layer: a fastify adapter around plain ScimHandlers (see http-types.ts).
 *
 * For every RouteDef (routes.ts) and each prefix (/api/v2/scim, /api/v2/scim/v2) it registers a
 * route that: authenticates the bearer token (401), applies the per-token rate limit (429),
 * checks the operation's ANY-of permissions for the running API version (403), decodes the query,
 * parses JSON bodies (400/415), calls the handler and serializes the ScimResponse.
 * Operations absent from the API version answer 404; other methods on a known path answer 405.
 * With `contract.enabled`, contract/ records every request's violations of the documented request contract
 * (each SCIM route carries its operation in its route config) and serves GET /contract/report. With `live`, live.ts
 * adds a real org's latency, rate limit and faults, and the domain's lists lag writes (domain/index-lag.ts).
 * Errors the HTTP parser raises before any route runs get SCIM error bodies too (scimClientErrorHandler).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type onRequestHookHandler,
} from 'fastify';
import {
  clip,
  ScimHttpError,
  scimErrorBody,
  type ApiVersion,
  type ScimRequest,
  type ScimResponse,
} from './http-types.ts';
import {
  authenticate,
  checkPermissions,
  checkRateLimit,
  DEFAULT_TOKEN_TTL_SECONDS,
  loadDemoClients,
  oauthPlugin,
  TokenStore,
  type DemoClient,
  type TokenInfo,
} from './auth.ts';
import { CONTRACT_ROUTE_CONFIG, installContractMode, type ContractHandle, type ContractOptions } from './contract/index.ts';
import { installLiveProfile, resolveLive, type LiveOptions, type LiveProfile } from './live.ts';
import { isApiVersion, loadOperations, type OperationsTable } from './operations.ts';
import { parseQueryString, toScimQuery, type RawQuery } from './query.ts';
import { buildRoutes } from './routes.ts';
import { PreSerialized, type EmulatorBehaviourOptions, type RouteContext, type RouteDef, type RouteProvider } from './routing.ts';

export type { DemoClient } from './auth.ts';
export type { RouteContext, RouteDef, RouteProvider } from './routing.ts';
export type { ContractHandle, ContractOptions, ContractReport } from './contract/index.ts';
export type { LiveOptions, LiveProfile } from './live.ts';

export interface EmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default '2021'. */
  apiVersion?: ApiVersion;
  /** Requests per minute per token; default 300; 0 = off. */
  rateLimitPerMinute?: number;
  /** Page size cap for list endpoints; default 25 (passed to route providers). */
  listCountLimit?: number;
  /** fastify logging; default false. */
  logger?: boolean;
  /** Extra route providers appended after the built-in ones (routes.ts ROUTE_PROVIDERS). */
  routeProviders?: readonly RouteProvider[];
  /** Access-token lifetime; default 86400 s. */
  tokenTtlSeconds?: number;
  /** Clock override (tests). */
  now?: () => number;
  /** Operations table override (tests); default fixtures/operations.json. */
  operations?: OperationsTable;
  /** Switches for choices the docs leave open (see emulator/README.md). */
  behaviour?: EmulatorBehaviourOptions;
  /** false: serve discovery only (plus routeProviders); the adapter tests use this. Default true. */
  domainRoutes?: boolean;
  /** Connector contract mode: record every request's violations of the documented request contract (contract/). */
  contract?: ContractOptions;
  /**
   * The live-org profile (live.ts): latency ± jitter on every response, the per-token rate limit
   * (live.rateLimitPerMinute, else rateLimitPerMinute, else 300), occasional 503s, optional random 429s and
   * connection resets, and lists/filters that lag writes by live.indexLagMs by the `now` clock. Absent: none of it.
   */
  live?: LiveOptions;
}

export interface RunningEmulator {
  /** http://127.0.0.1:PORT (no prefix). */
  url: string;
  port: number;
  apiVersion: ApiVersion;
  clients: DemoClient[];
  /** Contract mode's report access, when EmulatorOptions.contract.enabled. */
  contract?: ContractHandle;
  /** The live-org profile in effect (defaults filled in, the seed drawn), when EmulatorOptions.live is set. */
  live?: LiveProfile;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    scimToken: TokenInfo | null;
  }
}

const SCIM_CT = 'application/scim+json; charset=utf-8';
const JSON_CT = 'application/json; charset=utf-8';
const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const BODY_LIMIT = 512_000; // Genesys request.bytes.max

const acceptCache = new Map<string, string>();
/** application/scim+json unless the Accept header asks only for application/json. */
export function negotiateContentType(accept: string | undefined): string {
  if (accept === undefined || accept === '') return SCIM_CT;
  const cached = acceptCache.get(accept);
  if (cached !== undefined) return cached;
  let result = SCIM_CT;
  let json = false;
  let scim = false;
  for (const part of accept.split(',')) {
    const [rawType = '', ...params] = part.split(';');
    const type = rawType.trim().toLowerCase();
    if (params.some((p) => /^\s*q\s*=\s*0(?:\.0{0,3})?\s*$/i.test(p))) continue;
    if (type === 'application/scim+json' || type === '*/*' || type === 'application/*') scim = true;
    else if (type === 'application/json') json = true;
  }
  if (json && !scim) result = JSON_CT;
  if (acceptCache.size < 256) acceptCache.set(accept, result);
  return result;
}

function sendScimError(request: FastifyRequest, reply: FastifyReply, err: ScimHttpError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply
    .code(err.status)
    .header('content-type', negotiateContentType(request.headers.accept))
    .send(JSON.stringify(scimErrorBody(err.status, err.detail, err.scimType)));
}

/** Map any error to a SCIM error response; never leaks messages of unexpected errors. */
function scimErrorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof ScimHttpError) return sendScimError(request, reply, err);
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendScimError(request, reply, new ScimHttpError(415,
        `Unsupported Content-Type ${clip(request.headers['content-type'] ?? '(none)')}; use application/scim+json or application/json`));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendScimError(request, reply, new ScimHttpError(413, `Request body exceeds ${BODY_LIMIT} bytes`));
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendScimError(request, reply, new ScimHttpError(400, fe.message, 'invalidSyntax'));
    default:
      break;
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 && fe.code?.startsWith('FST_')) {
    return sendScimError(request, reply, new ScimHttpError(fe.statusCode, fe.message));
  }
  request.log.error({ err }, 'unhandled error in SCIM handler');
  return sendScimError(request, reply, new ScimHttpError(500, 'An internal server error occurred'));
}

/** Node HTTP parser errors (llhttp codes) → status and detail; anything else is a 400 naming the code. */
const PARSER_ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'The request line and headers exceed the 16 KB this server accepts'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request was not received in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'The request headers were not received in time'],
  HPE_INVALID_METHOD: [400, 'The request method is not valid'],
  HPE_INVALID_URL: [400, 'The request target is not a valid URL path'],
  HPE_INVALID_VERSION: [400, 'The HTTP version is not valid (HTTP/1.1 expected)'],
  HPE_INVALID_CONSTANT: [400, 'The request line is not valid HTTP/1.1'],
  HPE_INVALID_HEADER_TOKEN: [400, 'A header name or value holds characters HTTP does not allow'],
  HPE_INVALID_CONTENT_LENGTH: [400, 'Content-Length is not valid'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'Content-Length and Transfer-Encoding were both sent'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'Transfer-Encoding is not valid (only chunked is supported)'],
  HPE_INVALID_CHUNK_SIZE: [400, 'The chunked body has a chunk size that is not valid'],
  HPE_CR_EXPECTED: [400, 'A line does not end with CRLF'],
  HPE_LF_EXPECTED: [400, 'A line does not end with CRLF'],
  HPE_STRICT: [400, 'The request is not valid HTTP/1.1'],
};

/**
 * Errors Node's HTTP parser raises before any route runs (malformed request line, headers too large, bad chunked
 * encoding, …) are answered with a SCIM error body too, then the connection is closed (fastify's
 * clientErrorHandler). Nothing is written when the socket is gone or a response on it has started.
 */
export function scimClientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, detail] = PARSER_ERRORS[err.code ?? ''] ?? [400, `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`];
  const body = JSON.stringify(scimErrorBody(status, detail, status === 400 ? 'invalidSyntax' : undefined));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${SCIM_CT}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

const kHiddenContentType = Symbol('hiddenContentType');
type WithHiddenType = FastifyRequest & { [kHiddenContentType]?: string };

/**
 * A request without a body that still names a Content-Type (a DELETE or GET from some clients) has nothing to
 * parse, so its type is no reason for a 415: the header is set aside before fastify picks a body parser (the same
 * "empty" test as fastify's) and put back for the handler. Only a body of an unsupported type is a 415.
 */
function setAsideEmptyBodyType(request: FastifyRequest): void {
  const h = request.headers;
  const type = h['content-type'];
  if (type === undefined || h['transfer-encoding'] !== undefined) return;
  const length = h['content-length'];
  if (length !== undefined && length !== '0') return;
  (request as WithHiddenType)[kHiddenContentType] = type;
  delete h['content-type'];
}

function restoreContentType(request: FastifyRequest): void {
  const type = (request as WithHiddenType)[kHiddenContentType];
  if (type !== undefined) request.headers['content-type'] = type;
}

const HOST_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
function hostOf(request: FastifyRequest): string {
  const host = request.headers.host;
  if (host !== undefined && HOST_RE.test(host)) return host;
  const addr = request.socket.localAddress ?? '127.0.0.1';
  return `${addr.includes(':') ? `[${addr}]` : addr}:${request.socket.localPort}`;
}

async function sendScimResponse(request: FastifyRequest, reply: FastifyReply, res: ScimResponse) {
  reply.code(res.status);
  if (res.headers) reply.headers(res.headers);
  if (res.body === undefined) return reply.send();
  const payload = res.body instanceof PreSerialized ? res.body.json : JSON.stringify(res.body);
  return reply.header('content-type', negotiateContentType(request.headers.accept)).send(payload);
}

/** Path template with parameter names erased and lower-cased: '/users/:userId' → '/users/:'. */
function pathShape(path: string): string {
  return path.toLowerCase().replace(/:[^/]+/g, ':').replace(/\/+$/, '');
}

interface AdapterConfig {
  table: OperationsTable;
  apiVersion: ApiVersion;
  store: TokenStore;
  rateLimitPerMinute: number;
  now: () => number;
}

/** Registers the SCIM routes (both prefixes) in the given (encapsulated) fastify scope. */
function registerScimRoutes(scope: FastifyInstance, routes: RouteDef[], cfg: AdapterConfig): void {
  const versionOps = cfg.table.versions[cfg.apiVersion];
  const known = new Set(Object.values(cfg.table.versions).flatMap((v) => Object.keys(v.operations)));

  // JSON bodies for application/json and application/scim+json (charset allowed); anything else → 415.
  scope.removeAllContentTypeParsers();
  const defaultJson = scope.getDefaultJsonParser('error', 'ignore');
  scope.addContentTypeParser(
    ['application/json', 'application/scim+json'],
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (req, body, done) => {
      if (body === '') return done(null, undefined);
      defaultJson(req, body as string, (err, value) =>
        err ? done(new ScimHttpError(400, 'The request body is not valid JSON', 'invalidSyntax'), undefined) : done(null, value));
    },
  );
  scope.setErrorHandler(scimErrorHandler);

  const notInVersion = (what: string) => async (request: FastifyRequest) => {
    restoreContentType(request);
    throw new ScimHttpError(404, `${what} is not available in API version ${cfg.apiVersion}`);
  };
  const setAsideHook: onRequestHookHandler = (request, _reply, done) => {
    setAsideEmptyBodyType(request);
    done();
  };

  // path (per prefix) → methods declared / methods available in this version
  const declared = new Map<string, { url: string; declared: Set<string>; available: Set<string> }>();

  for (const def of routes) {
    if (!known.has(def.operation)) {
      throw new Error(`Route ${def.method} ${def.path}: unknown operation ${def.operation} (fixtures/operations.json)`);
    }
    const op = versionOps.operations[def.operation];
    if (op && (op.method !== def.method || pathShape(op.path) !== pathShape(def.path))) {
      throw new Error(`Route ${def.method} ${def.path} does not match operation ${def.operation} (${op.method} ${op.path})`);
    }
    for (const prefix of cfg.table.prefixes) {
      const url = prefix + def.path;
      const key = pathShape(url);
      let slot = declared.get(key);
      if (slot === undefined) declared.set(key, (slot = { url, declared: new Set(), available: new Set() }));
      slot.declared.add(def.method);

      const entry = op?.prefixes[prefix];
      const config = { [CONTRACT_ROUTE_CONFIG]: { operation: def.operation, prefix, available: entry !== undefined } };
      if (entry === undefined) {
        scope.route({ method: def.method, url, config, onRequest: setAsideHook, handler: notInVersion(`${def.method} ${url}`) });
        continue;
      }
      slot.available.add(def.method);

      const permissions = entry.permissions;
      const operationId = entry.operationId;
      const required = entry.requiredQuery ?? [];
      const { store, rateLimitPerMinute, now } = cfg;
      const handler = def.handler;

      const onRequest: onRequestHookHandler = (request, _reply, done) => {
        try {
          const info = authenticate(store, request.headers.authorization);
          checkRateLimit(info, rateLimitPerMinute, now());
          checkPermissions(info, permissions, operationId);
          request.scimToken = info;
        } catch (err) {
          done(err as Error);
          return;
        }
        setAsideEmptyBodyType(request);
        done();
      };

      scope.route({
        method: def.method,
        url,
        config,
        onRequest,
        handler: async (request, reply) => {
          restoreContentType(request);
          const query = toScimQuery(request.query as RawQuery);
          for (const name of required) {
            const v = name === 'filter' ? query.filter : query.raw[name];
            if (v === undefined || v === '') {
              throw new ScimHttpError(400, `The ${name} query parameter is required`, name === 'filter' ? 'invalidFilter' : 'invalidValue');
            }
          }
          const sreq: ScimRequest = {
            method: (request.method === 'HEAD' ? 'GET' : request.method) as ScimRequest['method'],
            prefix,
            baseUrl: `http://${hostOf(request)}${prefix}`,
            params: request.params as Record<string, string>,
            query,
            headers: request.headers as Record<string, string | undefined>,
            body: request.body,
            clientId: request.scimToken!.client.clientId,
          };
          const res = await handler(sreq);
          return sendScimResponse(request, reply, res);
        },
      });
    }
  }

  // Other methods on a known path: 405 with Allow (404 when the path has nothing in this version).
  for (const slot of declared.values()) {
    const rest: string[] = ALL_METHODS.filter((m) => !slot.declared.has(m));
    if (!slot.declared.has('GET')) rest.push('HEAD');
    if (rest.length === 0) continue;
    const allow = [...slot.available].join(', ');
    const url = slot.url;
    scope.route({
      method: rest,
      url,
      onRequest: setAsideHook,
      handler: async (request) => {
        restoreContentType(request);
        if (slot.available.size === 0) {
          throw new ScimHttpError(404, `${request.method} ${url} is not available in API version ${cfg.apiVersion}`);
        }
        throw new ScimHttpError(405, `Method ${request.method} is not allowed on ${url}; allowed: ${allow}`, undefined, { allow });
      },
    });
  }
}

/** Build (but do not start) the fastify app. Exposed for tests that want `app.inject`. */
export async function buildEmulatorApp(options: EmulatorOptions = {}): Promise<{
  app: FastifyInstance;
  apiVersion: ApiVersion;
  clients: DemoClient[];
  contract?: ContractHandle;
  live?: LiveProfile;
}> {
  const apiVersion = options.apiVersion ?? '2021';
  if (!isApiVersion(apiVersion)) throw new Error(`Unknown apiVersion ${String(apiVersion)} (expected 2021 or 2019)`);
  const now = options.now ?? Date.now;
  const table = options.operations ?? loadOperations();
  const clients = loadDemoClients();
  const store = new TokenStore(options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, now);
  const live = options.live
    ? resolveLive({ ...options.live, rateLimitPerMinute: options.live.rateLimitPerMinute ?? options.rateLimitPerMinute })
    : undefined;

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    clientErrorHandler: scimClientErrorHandler,
    // malformed URL encoding / over-long path parameter: SCIM error bodies too
    frameworkErrors: (err, request, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      const detail = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The request URL is not valid';
      sendScimError(request, reply, new ScimHttpError(status, detail));
    },
    routerOptions: {
      caseSensitive: false,
      ignoreTrailingSlash: true,
      maxParamLength: 1000,
      querystringParser: parseQueryString,
    },
  });
  app.decorateRequest('scimToken', null);

  const closers: Array<() => void | Promise<void>> = [];
  const ctx: RouteContext = {
    apiVersion,
    listCountLimit: options.listCountLimit ?? 25,
    operationsTable: table,
    operations: table.versions[apiVersion],
    now,
    onClose: (fn) => { closers.push(fn); },
    behaviour: options.behaviour ?? {},
    indexLagMs: live?.indexLagMs ?? 0,
  };
  app.addHook('onClose', async () => {
    for (const fn of closers) await fn();
  });
  const routes = buildRoutes(ctx, options.routeProviders ?? [], options.domainRoutes ?? true);

  app.setErrorHandler(scimErrorHandler);
  // Live-profile latency and faults first, on the root, so they come before authentication on every route.
  if (live) installLiveProfile(app, live, (config) => typeof config === 'object' && config !== null && CONTRACT_ROUTE_CONFIG in config);
  // Contract mode hooks go on the root before the SCIM scope registers, so they see every request.
  const contract = options.contract?.enabled
    ? installContractMode(app, {
      apiVersion,
      operations: table,
      contract: options.contract,
      now,
      lookupToken: (authorization) => {
        try {
          const info = authenticate(store, authorization);
          return { clientId: info.client.clientId, permissions: info.permissions };
        } catch {
          return undefined;
        }
      },
    })
    : undefined;
  app.setNotFoundHandler((request, reply) =>
    sendScimError(request, reply, new ScimHttpError(404, `No resource at ${request.method} ${clip(request.url.split('?')[0]!)}`)));

  await app.register(oauthPlugin, { store, clients });
  await app.register(async (scope) => {
    registerScimRoutes(scope, routes, {
      table,
      apiVersion,
      store,
      rateLimitPerMinute: live ? live.rateLimitPerMinute : (options.rateLimitPerMinute ?? 300),
      now,
    });
  });
  return { app, apiVersion, clients, ...(contract ? { contract } : {}), ...(live ? { live } : {}) };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const { app, apiVersion, clients, contract, live } = await buildEmulatorApp(options);
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    apiVersion,
    clients,
    ...(contract ? { contract } : {}),
    ...(live ? { live } : {}),
    close: () => (closing ??= app.close().then(() => undefined)),
  };
}
