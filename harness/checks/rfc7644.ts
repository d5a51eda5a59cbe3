/**
 * Shared by the rfc7644 checks: what the server declares (ServiceProviderConfig, ResourceTypes, Schemas, read once
 * per file and prefix) and bodies cut down to the attributes the server declares. The users the filter, sort and
 * paging checks select from are in rfc7644-population.ts.
 *
 * Paths are the RFC's (/Users, /Groups, /Schemas, /ResourceTypes, /ServiceProviderConfig) relative to the SCIM root.
 * Assertions still go through `verify`.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { ciGet } from '../oracles/attributes.ts';
import type { AttrPath, AttributeInfo, AttributeLookup } from '../oracles/filter.ts';
import { CORE_USER_URN } from '../oracles/urns.ts';
import { resources } from './lists.ts';

export interface SchemaAttribute {
  name: string;
  type?: string;
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: string;
  returned?: string;
  uniqueness?: string;
  subAttributes?: SchemaAttribute[];
}

export interface SchemaDefinition {
  id: string;
  name?: string;
  attributes: SchemaAttribute[];
}

export interface Discovery {
  spc: HttpResult;
  resourceTypes: HttpResult;
  schemas: HttpResult;
  /** Schema definitions by lower-cased id. */
  schemaById: Map<string, SchemaDefinition>;
  /** Resource types as listed. */
  types: Record<string, any>[];
}

const cache = new Map<string, Promise<Discovery>>();

/** GET /ServiceProviderConfig, /ResourceTypes and /Schemas once per file and prefix. */
export function discovery(ctx: BehaviourContext): Promise<Discovery> {
  let p = cache.get(ctx.prefix);
  if (!p) {
    p = (async () => {
      const [spc, resourceTypes, schemas] = [
        await ctx.scim.get('/ServiceProviderConfig'),
        await ctx.scim.get('/ResourceTypes'),
        await ctx.scim.get('/Schemas'),
      ];
      const schemaById = new Map<string, SchemaDefinition>();
      for (const s of resources(schemas)) {
        if (typeof s?.id === 'string' && Array.isArray(s.attributes)) schemaById.set(s.id.toLowerCase(), s as SchemaDefinition);
      }
      return { spc, resourceTypes, schemas, schemaById, types: resources(resourceTypes) };
    })();
    cache.set(ctx.prefix, p);
    p.catch(() => cache.delete(ctx.prefix));
  }
  return p;
}

/** The User schema as the server declares it; a clear failure when /Schemas cannot be read. */
export async function userSchema(ctx: BehaviourContext): Promise<{ d: Discovery; schema: SchemaDefinition }> {
  return resourceSchema(ctx, '/Users', CORE_USER_URN);
}

export async function resourceSchema(ctx: BehaviourContext, endpoint: string, fallbackUrn: string): Promise<{ d: Discovery; schema: SchemaDefinition }> {
  const d = await discovery(ctx);
  ctx.verify.status(d.schemas, 200, 'GET /Schemas answers 200 (the checks take attribute characteristics from it: RFC 7644 §4)');
  ctx.verify.schema(d.schemas, 'ScimListResponse', d.schemas.body, 'GET /Schemas is a ListResponse');
  const type = d.types.find((t) => String(ciGet(t, 'endpoint') ?? '').replace(/\/+$/, '').toLowerCase().endsWith(endpoint.toLowerCase()));
  const urn = String(ciGet(type, 'schema') ?? fallbackUrn);
  const schema = d.schemaById.get(urn.toLowerCase());
  if (!schema) {
    ctx.verify.fail(`/Schemas defines the schema ${urn} of ${endpoint}`, urn, [...d.schemaById.keys()], d.schemas);
  }
  return { d, schema: schema! };
}

/** Whether the server's ResourceTypes declare an endpoint (e.g. /Groups); skips with that reason when they do not. */
export async function requireEndpoint(ctx: BehaviourContext, endpoint: string): Promise<void> {
  const d = await discovery(ctx);
  ctx.verify.status(d.resourceTypes, 200, 'GET /ResourceTypes answers 200');
  const found = d.types.some((t) => String(ciGet(t, 'endpoint') ?? '').replace(/\/+$/, '').toLowerCase().endsWith(endpoint.toLowerCase()));
  if (!found) ctx.skip(`the server's ResourceTypes declare no ${endpoint} endpoint: nothing to check`, 'capability');
}

export function findAttribute(schema: SchemaDefinition, path: string): SchemaAttribute | undefined {
  const [top, sub] = path.split('.');
  const a = schema.attributes.find((x) => x.name?.toLowerCase() === top.toLowerCase());
  if (!a || !sub) return a;
  return a.subAttributes?.find((x) => x.name?.toLowerCase() === sub.toLowerCase());
}

/** Skips, naming what is missing, unless the schema declares every path. */
export function requireAttributes(ctx: BehaviourContext, schema: SchemaDefinition, paths: string[]): void {
  const missing = paths.filter((p) => !findAttribute(schema, p));
  if (missing.length) ctx.skip(`the server's Schemas do not declare ${missing.join(', ')} in ${schema.id}: nothing to check`, 'capability');
}

/** (type, caseExact) of attributes as the server declares them, for the local filter evaluator and sorting. */
export function attributeLookup(d: Discovery, schema: SchemaDefinition): AttributeLookup {
  return (p: AttrPath): AttributeInfo | undefined => {
    const s = p.urn ? (d.schemaById.get(p.urn.toLowerCase()) ?? schema) : schema;
    const a = findAttribute(s, p.sub ? `${p.attr}.${p.sub}` : p.attr);
    if (!a) return undefined;
    // RFC 7643 §2.2: caseExact defaults to false; a sub-attribute without type is a string.
    return { type: a.type ?? 'string', caseExact: a.caseExact === true };
  };
}

/** The body with only the attributes (and sub-attributes) the schema declares and the client may write. */
export function declaredBody(schema: SchemaDefinition, body: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'schemas') {
      out[k] = v;
      continue;
    }
    const a = findAttribute(schema, k);
    if (!a || a.mutability === 'readOnly') continue;
    if (a.type === 'complex' && v && typeof v === 'object') {
      const keep = (item: Record<string, any>) =>
        Object.fromEntries(Object.entries(item).filter(([sk]) => a.subAttributes === undefined || a.subAttributes.some((s) => s.name?.toLowerCase() === sk.toLowerCase())));
      out[k] = Array.isArray(v) ? v.map(keep) : keep(v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** A user body for the server: the `rfc` template cut down to what its User schema declares. */
export async function userBody(ctx: BehaviourContext, label: string, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const { schema } = await userSchema(ctx);
  return declaredBody(schema, ctx.build.user(label, 'rfc', overrides));
}

/** Creates a user (201) and returns its representation; failures name the step. */
export async function createUser(ctx: BehaviourContext, label: string, overrides: Record<string, unknown> = {}): Promise<HttpResult> {
  const res = await ctx.create('users', await userBody(ctx, label, overrides));
  ctx.verify.status(res, [200, 201], `the user the check needs is created (POST /Users)`);
  ctx.verify.schema(res, 'Rfc7643User');
  return res;
}

// ---------------------------------------------------------------- bulk

/** The last path segment of a location: the id of what a bulk operation created. */
export function idOfLocation(location: unknown): string {
  return typeof location === 'string' ? decodeURIComponent(location.replace(/\/+$/, '').split('/').pop() ?? '') : '';
}

/**
 * Registers (ledger + removal at the end of the test) whatever a POST /Bulk request may have created, whatever it
 * was answered: each POST operation's resource by the `location` its result gives (matched by bulkId, else by
 * position), and, for a POST operation the answer says nothing about (a lost or failed response, a 5xx, a body that
 * is not a BulkResponse), by looking its run-prefixed name up (`userName eq` / `displayName eq`). An operation the
 * answer reports as failed (not 2xx) created nothing. A name that cannot be looked up is noted on the test.
 */
export async function trackBulkCreations(ctx: BehaviourContext, sent: Record<string, any>[], res: HttpResult): Promise<void> {
  const answered: Record<string, any>[] = Array.isArray(res.body?.Operations) ? res.body.Operations : [];
  const kindOf = (op: Record<string, any>) => (String(op.path).toLowerCase().includes('group') ? 'groups' : 'users') as 'users' | 'groups';
  const nameOf = (op: Record<string, any>) => String(kindOf(op) === 'users' ? op.data?.userName : op.data?.displayName);
  const reported = new Set<number>();
  answered.forEach((result, i) => {
    const at = result?.bulkId !== undefined ? sent.findIndex((op) => op.bulkId === result.bulkId) : i;
    const op = sent[at];
    if (!op || op.method !== 'POST') return;
    reported.add(at);
    const id = idOfLocation(result.location);
    if (id) ctx.track(kindOf(op), id, nameOf(op));
  });
  for (const [i, op] of sent.entries()) {
    if (op.method !== 'POST' || reported.has(i)) continue;
    const resource = kindOf(op);
    const attr = resource === 'users' ? 'userName' : 'displayName';
    const name = nameOf(op);
    const found = await ctx.scim.get(`/${resource === 'users' ? 'Users' : 'Groups'}`, { query: { filter: `${attr} eq ${JSON.stringify(name)}` } });
    const matches = resources(found).filter((r) => String(ciGet(r, attr)).toLowerCase() === name.toLowerCase() && typeof r?.id === 'string');
    for (const r of matches) ctx.track(resource, r.id, name);
    if (found.status !== 200) ctx.test.annotate(`bulk operation ${i} (${name}): its result is unknown and the lookup by name answered ${found.status}; if it was created, remove it by hand`);
  }
}
