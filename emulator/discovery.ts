/**
 * Discovery resources (RFC 7644 §4): /serviceproviderconfig, /resourcetypes, /schemas.
 * Bodies are built from fixtures/emulator/*.json once per base URL (prefix + host) and cached
 * as serialized JSON.
 */
import { readFileSync } from 'node:fs';
import {
  LIST_RESPONSE_URN,
  ScimHttpError,
  type ApiVersion,
  type ScimRequest,
  type ScimResponse,
} from './http-types.ts';
import {
  PreSerialized,
  ifNoneMatchMatches,
  notModified,
  type RouteContext,
  type RouteDef,
} from './routing.ts';

export const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

type Json = Record<string, unknown>;

interface ResourceTypesFixture {
  versions: Record<ApiVersion, string[]>;
  resourceTypes: Array<Json & { id: string }>;
}
interface SchemasFixture {
  schemas: Array<Json & { id: string }>;
}

function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/emulator/${name}`, import.meta.url), 'utf8')) as T;
}

let fixtures: { spc: Json; resourceTypes: ResourceTypesFixture; schemas: SchemasFixture } | undefined;
export function loadDiscoveryFixtures() {
  fixtures ??= {
    spc: readFixture<Json>('service-provider-config.json'),
    resourceTypes: readFixture<ResourceTypesFixture>('resource-types.json'),
    schemas: readFixture<SchemasFixture>('schemas.json'),
  };
  return fixtures;
}

function stripComment(obj: Json): Json {
  const { $comment: _drop, ...rest } = obj;
  return rest;
}

interface Bodies {
  spc: string;
  spcEtag: string;
  resourceTypeList: string;
  resourceTypes: Map<string, string>; // lower-cased id → body
  schemaList: string;
  schemas: Map<string, string>; // lower-cased id → body
}

function listResponse(resources: unknown[]): Json {
  return {
    schemas: [LIST_RESPONSE_URN],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

function buildBodies(baseUrl: string, apiVersion: ApiVersion): Bodies {
  const fx = loadDiscoveryFixtures();

  const spcSrc = stripComment(fx.spc);
  const spcMeta = (spcSrc.meta ?? {}) as Json;
  const spcEtag = String(spcMeta.version ?? '"1"');
  const spc = {
    ...spcSrc,
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${baseUrl}/serviceproviderconfig`,
      version: spcEtag,
      lastModified: spcMeta.lastModified,
    },
  };

  const rtIds = new Set(fx.resourceTypes.versions[apiVersion]);
  const rts = fx.resourceTypes.resourceTypes
    .filter((rt) => rtIds.has(rt.id))
    .map((rt) => ({
      schemas: [RESOURCE_TYPE_URN],
      ...rt,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/resourcetypes/${rt.id}` },
    }));

  const schemas = fx.schemas.schemas.map((s) => ({
    schemas: [SCHEMA_URN],
    ...s,
    meta: { resourceType: 'Schema', location: `${baseUrl}/schemas/${s.id}` },
  }));

  return {
    spc: JSON.stringify(spc),
    spcEtag,
    resourceTypeList: JSON.stringify(listResponse(rts)),
    resourceTypes: new Map(rts.map((rt) => [rt.id.toLowerCase(), JSON.stringify(rt)])),
    schemaList: JSON.stringify(listResponse(schemas)),
    schemas: new Map(schemas.map((s) => [s.id.toLowerCase(), JSON.stringify(s)])),
  };
}

const MAX_CACHED_BASES = 32;

export function discoveryRoutes(ctx: RouteContext): RouteDef[] {
  const cache = new Map<string, Bodies>();
  const bodiesFor = (baseUrl: string): Bodies => {
    let b = cache.get(baseUrl);
    if (b === undefined) {
      b = buildBodies(baseUrl, ctx.apiVersion);
      if (cache.size >= MAX_CACHED_BASES) cache.clear(); // odd Host headers must not grow memory
      cache.set(baseUrl, b);
    }
    return b;
  };
  const ok = (json: string, headers?: Record<string, string>): ScimResponse => ({
    status: 200,
    ...(headers ? { headers } : {}),
    body: new PreSerialized(json),
  });

  return [
    {
      method: 'GET',
      path: '/serviceproviderconfig',
      operation: 'getScimServiceproviderconfig',
      handler: (req: ScimRequest) => {
        const b = bodiesFor(req.baseUrl);
        if (ifNoneMatchMatches(req.headers['if-none-match'], b.spcEtag)) return notModified(b.spcEtag);
        return ok(b.spc, { etag: b.spcEtag });
      },
    },
    {
      method: 'GET',
      path: '/resourcetypes',
      operation: 'getScimResourcetypes',
      handler: (req) => ok(bodiesFor(req.baseUrl).resourceTypeList),
    },
    {
      method: 'GET',
      path: '/resourcetypes/:id',
      operation: 'getScimResourcetype',
      handler: (req) => {
        const id = req.params.id ?? '';
        const body = bodiesFor(req.baseUrl).resourceTypes.get(id.toLowerCase());
        if (body === undefined) throw new ScimHttpError(404, `Resource type ${id} not found`);
        return ok(body);
      },
    },
    {
      method: 'GET',
      path: '/schemas',
      operation: 'getScimSchemas',
      handler: (req) => {
        // Seed 000: "Filtered results are invalid and return 403 Unauthorized." (RFC 7644 §4 too)
        if (req.query.filter !== undefined) {
          throw new ScimHttpError(403, 'Filtering is not supported on schemas; filtered results are invalid');
        }
        return ok(bodiesFor(req.baseUrl).schemaList);
      },
    },
    {
      method: 'GET',
      path: '/schemas/:id',
      operation: 'getScimSchema',
      handler: (req) => {
        const id = req.params.id ?? '';
        const body = bodiesFor(req.baseUrl).schemas.get(id.toLowerCase());
        if (body === undefined) throw new ScimHttpError(404, `Schema ${id} not found`);
        return ok(body);
      },
    },
  ];
}
