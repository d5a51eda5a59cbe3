/**
 * The request checks of contract mode: one incoming request (with the route it reached, the token behind it and the
 * status it got) → the contract violations it carries. Pure: no fastify types, no I/O.
 */
import type { ApiVersion } from '../http-types.ts';
import type { OperationsTable } from '../operations.ts';
import { splitAttributeList } from '../query.ts';
import { parseFilter, type FilterSpec } from '../domain/filter.ts';
import { projectionFor } from '../domain/projection.ts';
import { GROUP_SCHEMA, USER_SCHEMA } from '../domain/schema.ts';
import { checkBody } from './body-schemas.ts';
import { loadRequestContract, type RequestContract } from './documented.ts';
import { violation, type Violation } from './rules.ts';

/** The route a request reached (set by the adapter on every SCIM route). */
export interface ContractRoute {
  /** Operation key of fixtures/operations.json (e.g. getScimUsers). */
  operation: string;
  prefix: string;
  /** False when the operation does not exist in the running API version (the route answers 404). */
  available: boolean;
}

export interface ContractRequest {
  method: string;
  /** The path as sent, without the query string. */
  path: string;
  /** Decoded query (repeated keys as arrays). */
  query: Record<string, string | string[]>;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; only meaningful when bodyParsed. */
  body: unknown;
  /** Whether the body parser ran (false when auth, rate limit or the content type stopped the request first). */
  bodyParsed: boolean;
  status: number;
  route?: ContractRoute;
  /** The token behind the Authorization header, when it is a live bearer token. */
  token?: { clientId: string; permissions: ReadonlySet<string> };
}

export interface CheckContext {
  apiVersion: ApiVersion;
  operations: OperationsTable;
  contract?: RequestContract;
}

/** The doc's page size above which secondary lookups risk a 429 ("A page size over 25 …"). */
export const DOC_COUNT_LIMIT = 25;
const JSON_TYPES = new Set(['application/json', 'application/scim+json']);
const RESOURCE_SEGMENTS = new Set(['users', 'groups', 'resourcetypes', 'schemas', 'serviceproviderconfig']);
const ETAG_RE = /^(?:W\/)?"[^"]*"$/;

function header(req: ContractRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function hasBody(req: ContractRequest): boolean {
  const len = header(req, 'content-length');
  if (len !== undefined && len.trim() !== '' && Number(len) > 0) return true;
  return header(req, 'transfer-encoding') !== undefined;
}

function mediaType(v: string | undefined): string | undefined {
  return v?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function acceptsJson(accept: string): boolean {
  return accept.split(',').some((part) => {
    const [type = '', ...params] = part.split(';');
    const t = type.trim().toLowerCase();
    if (params.some((p) => /^\s*q\s*=\s*0(?:\.0{0,3})?\s*$/i.test(p))) return false;
    return t === '*/*' || t === 'application/*' || JSON_TYPES.has(t);
  });
}

/** Any attribute name is accepted here: the attribute is checked against the documented list afterwards. */
const ANY_NAME = { get: (k: string) => k } as unknown as ReadonlyMap<string, string>;
const SYNTAX_ONLY: FilterSpec = { attributes: ANY_NAME, aliases: ANY_NAME, supported: 'one "attribute eq value" clause' };

function values(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

function checkQuery(ctx: CheckContext, req: ContractRequest, route: ContractRoute, out: Violation[]): void {
  const contract = ctx.contract ?? loadRequestContract();
  const version = contract.versions[ctx.apiVersion];
  const doc = version.operations[route.operation];
  if (!doc) return;
  const entry = ctx.operations.versions[ctx.apiVersion].operations[route.operation]?.prefixes[route.prefix];
  const opName = entry?.operationId ?? route.operation;
  const documented = new Map(doc.query.map((q) => [q.toLowerCase(), q]));

  // parameter names, empty values
  const byName = new Map<string, string | string[]>();
  for (const key of Object.keys(req.query)) {
    const canonical = documented.get(key.toLowerCase());
    if (canonical === undefined) {
      out.push(violation('query.unknown-parameter',
        `${opName} documents ${doc.query.length ? `only ${doc.query.join(', ')}` : 'no query parameters'} in API version ${ctx.apiVersion}; got "${key}"`));
      continue;
    }
    if (canonical !== key) out.push(violation('query.parameter-case', `"${key}" is documented as "${canonical}"`));
    byName.set(canonical, req.query[key]!);
    if (values(req.query[key]).some((v) => v === '')) {
      out.push(violation('query.empty-value', `${canonical} is sent with an empty value; the server applies its default`));
    }
  }

  // required filter
  const filters = values(byName.get('filter')).filter((f) => f.trim() !== '');
  if (filters.length === 0) {
    if (entry?.requiredQuery?.includes('filter')) {
      out.push(violation('query.filter-required', `${opName} requires a filter in API version ${ctx.apiVersion}`));
    } else if (entry?.sdkRequiredQuery?.includes('filter')) {
      out.push(violation('query.filter-sdk-required', `${opName}(filter, opts): the SDK requires a filter`));
    }
  }

  // filter grammar and attributes
  if (filters.length > 0 && doc.filterAttributes !== undefined) {
    const filter = filters[0]!;
    if (doc.filterAttributes === 'none') {
      out.push(violation('query.filter-not-allowed', `${opName}: "Filtered results are invalid and return 403"`));
    } else {
      const allowed = version.filterAttributes[doc.filterAttributes];
      try {
        const clauses = parseFilter(filter, SYNTAX_ONLY, 'strict');
        for (const c of clauses) {
          if (!allowed.some((a) => a.toLowerCase() === c.attr.toLowerCase())) {
            out.push(violation('query.filter-attribute', `filter attribute "${c.attr}" is not documented for ${opName}; filterable: ${allowed.join(', ')}`));
          }
        }
      } catch (e) {
        out.push(violation('query.filter-syntax', `filter ${JSON.stringify(filter)}: ${(e as Error).message.replace(/ Supported filters:.*$/, '')}`));
      }
    }
  }

  // attributes / excludedAttributes values
  const attributes = splitAttributeList(byName.get('attributes'));
  const excluded = splitAttributeList(byName.get('excludedAttributes'));
  if (doc.attributeValues !== undefined) {
    const list = version.attributeValues[doc.attributeValues] ?? [];
    const known = new Set(list.map((v) => v.toLowerCase()));
    for (const [param, names] of [['attributes', attributes], ['excludedAttributes', excluded]] as const) {
      for (const n of names) {
        if (!known.has(n.toLowerCase())) out.push(violation('query.attribute-unknown', `${param} value "${n}" is not one of the documented values of ${opName}`));
      }
    }
  }

  // paging
  let count: number | undefined;
  for (const name of ['startIndex', 'count'] as const) {
    const raw = values(byName.get(name))[0];
    if (raw === undefined || raw.trim() === '') continue;
    const n = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isSafeInteger(n) || (name === 'startIndex' && n < 1) || (name === 'count' && n < 0)) {
      out.push(violation('query.paging-invalid', `${name}=${JSON.stringify(raw)}: ${name === 'startIndex' ? 'a 1-based integer' : 'an integer ≥ 0'} is expected`));
    } else if (name === 'count') count = n;
  }

  // count > 25 with secondary lookups (documented on the 2021 list operations)
  if (count !== undefined && count > DOC_COUNT_LIMIT && ctx.apiVersion === '2021' && doc.attributeValues !== undefined &&
      (route.operation === 'getScimUsers' || route.operation === 'getScimGroups')) {
    const schema = route.operation === 'getScimUsers' ? USER_SCHEMA : GROUP_SCHEMA;
    const projection = projectionFor(schema, attributes, excluded);
    const heavy = schema.secondary.filter((p) => projection.includes(p)).map((p) => p.join(':'));
    if (heavy.length > 0) {
      out.push(violation('query.count-secondary',
        `count=${count} (> ${DOC_COUNT_LIMIT}) while returning ${heavy.join(', ')}; exclude them with excludedAttributes or select attributes`));
    }
  }
}

/** All violations of one request. */
export function checkRequest(ctx: CheckContext, req: ContractRequest): Violation[] {
  const out: Violation[] = [];
  const method = req.method.toUpperCase();
  const route = req.route;

  // authentication (every SCIM operation needs a bearer token)
  const authz = header(req, 'authorization');
  if (route !== undefined || req.status === 401) {
    if (authz === undefined || !/^Bearer\s+\S/i.test(authz)) {
      out.push(violation('auth.bearer-missing', authz === undefined ? 'no Authorization header' : `Authorization uses the ${authz.split(/\s/)[0]} scheme, not Bearer`));
    } else if (req.token === undefined) {
      out.push(violation('auth.token-invalid', 'the bearer token is unknown or expired'));
    }
  }

  // the operation
  if (route === undefined) {
    if (req.status === 404 || req.status === 405) {
      out.push(violation('operation.unknown', `${method} ${req.path} is no operation of the API (answered ${req.status})`));
    }
  } else if (!route.available) {
    out.push(violation('operation.not-in-version', `${method} ${req.path} (${route.operation}) does not exist in API version ${ctx.apiVersion}`));
  }

  if (route !== undefined && route.available) {
    const entry = ctx.operations.versions[ctx.apiVersion].operations[route.operation]?.prefixes[route.prefix];
    const opName = entry?.operationId ?? route.operation;

    // path casing (the docs use lower-case resource paths)
    const lower = req.path.toLowerCase();
    if (lower.startsWith(route.prefix + '/')) {
      const segment = req.path.slice(route.prefix.length + 1).split('/')[0] ?? '';
      if (req.path.slice(0, route.prefix.length) !== route.prefix ||
          (RESOURCE_SEGMENTS.has(segment.toLowerCase()) && segment !== segment.toLowerCase())) {
        out.push(violation('path.casing', `${req.path}: the documented path is ${route.prefix}/${segment.toLowerCase()}…`));
      }
    }

    // permissions
    const perms = entry?.permissions ?? [];
    if (req.token !== undefined && perms.length > 0 && !perms.some((p) => req.token!.permissions.has(p))) {
      out.push(violation('auth.permission', `${opName} requires any of ${perms.join(', ')}; client ${req.token.clientId} holds none`));
    }

    // headers
    const accept = header(req, 'accept');
    if (accept !== undefined && accept.trim() !== '' && !acceptsJson(accept)) {
      out.push(violation('header.accept', `Accept ${JSON.stringify(accept)} excludes application/scim+json and application/json`));
    }
    const contract = ctx.contract ?? loadRequestContract();
    const doc = contract.versions[ctx.apiVersion].operations[route.operation];
    const withBody = hasBody(req);
    if (withBody) {
      const ct = mediaType(header(req, 'content-type'));
      if (ct === undefined || !JSON_TYPES.has(ct)) {
        out.push(violation('header.content-type', `${opName}: a body with ${ct === undefined ? 'no Content-Type' : `Content-Type ${ct}`}; use application/scim+json or application/json`));
      }
    }

    // preconditions on writes
    if (doc?.headers.includes('If-Match')) {
      const ifMatch = header(req, 'if-match');
      if (ifMatch === undefined || ifMatch.trim() === '') {
        out.push(violation('precondition.if-match-missing', `${opName} without If-Match: the write is unconditional and may overwrite a concurrent change`));
      } else if (!ifMatch.split(',').every((t) => t.trim() === '*' || ETAG_RE.test(t.trim()))) {
        out.push(violation('precondition.if-match-format', `If-Match ${JSON.stringify(ifMatch)}: the ETag goes in double quotes, as returned (e.g. "42")`));
      }
    }

    // body
    if (doc?.body !== undefined && (method === 'POST' || method === 'PUT' || method === 'PATCH') && req.bodyParsed) {
      if (req.body === undefined) {
        out.push(withBody
          ? violation('body.invalid-json', `${opName}: the body is not valid JSON`)
          : violation('body.missing', `${opName} needs a ${doc.body} body`));
      } else {
        out.push(...checkBody(doc.body, req.body));
      }
    } else if (doc?.body !== undefined && !req.bodyParsed && withBody && req.status === 400) {
      out.push(violation('body.invalid-json', `${opName}: the body is not valid JSON`));
    }

    checkQuery(ctx, req, route, out);
  }

  // outcomes that are violations by themselves
  if (req.status === 403 && !out.some((v) => v.rule === 'auth.permission' || v.rule === 'query.filter-not-allowed')) {
    out.push(violation('response.forbidden', `${method} ${req.path} was answered 403`));
  }
  if (req.status === 429 && !out.some((v) => v.rule === 'query.count-secondary')) {
    out.push(violation('rate.limited', `${method} ${req.path} was rate limited (429)`));
  }
  return out;
}
