import { behaviour, type BehaviourContext, type HttpResult } from '../../harness/index.ts';
import documented from '../../fixtures/discovery/documented.json' with { type: 'json' };

const rows = documented.schemaUrns['2021'].map((urn) => ({ name: urn }));

// Discovery answers do not change during a run: each request is sent once per prefix and judged by every check reading it (ctx.read).
behaviour.for('SCH-GET', 'returns the schema by its URN', rows, async (row, { read, verify }) => {
  const res = await read(`/schemas/${row.name}`);
  verify.status(res, 200);
  verify.schema(res, 'ScimV2SchemaDefinition');
  verify.equal(res, res.body.id, row.name, 'id');
});

behaviour('SCH-GET-UNKNOWN-404', 'answers an unknown schema URN with 404 and a SCIM error', async ({ read, verify }) => {
  const res = await read(`/schemas/${documented.unknown.schemaUrn}`);
  verify.scimError(res, 404);
});

interface Attribute {
  name: string;
  type: string;
  multiValued: boolean;
  subAttributes?: Attribute[];
  referenceTypes?: string[];
}

/** RFC 7643 §7 and §8.7.2: name, type and multiValued are required; complex attributes have sub-attributes. */
function characteristicProblems(schemaId: string, attrs: Attribute[], path = ''): string[] {
  const problems: string[] = [];
  for (const a of attrs) {
    const where = `${schemaId}:${path}${a.name}`;
    if (typeof a.name !== 'string' || !a.name) problems.push(`${where}: no name`);
    if (!['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'].includes(a.type)) {
      problems.push(`${where}: type "${a.type}" is not an RFC 7643 §2.3 type`);
    }
    if (typeof a.multiValued !== 'boolean') problems.push(`${where}: multiValued is not a boolean`);
    if (a.type === 'complex') {
      if (!Array.isArray(a.subAttributes) || a.subAttributes.length === 0) problems.push(`${where}: complex attribute without subAttributes`);
      else problems.push(...characteristicProblems(schemaId, a.subAttributes, `${path}${a.name}.`));
    } else if (a.subAttributes?.length) {
      problems.push(`${where}: a ${a.type} attribute has subAttributes`);
    }
  }
  return problems;
}

async function listSchemas({ read, verify }: BehaviourContext): Promise<HttpResult> {
  const res = await read('/schemas');
  verify.status(res, 200);
  verify.schema(res, 'ScimV2SchemaListResponse');
  return res;
}

behaviour('SCH-ATTRIBUTE-CHARACTERISTICS', 'gives every attribute its RFC 7643 characteristics', async (ctx) => {
  const { verify } = ctx;
  const res = await listSchemas(ctx);
  const schemas: { id: string; attributes?: Attribute[] }[] = res.body.Resources ?? [];
  const attributes = schemas.reduce((n, s) => n + (s.attributes?.length ?? 0), 0);
  verify.that(res, attributes > 0, 'the listed schemas define attributes to judge', 'one or more attributes', `${schemas.length} schema(s), ${attributes} attribute(s)`);
  const problems = schemas.flatMap((s) => characteristicProblems(s.id, s.attributes ?? []));
  verify.that(res, problems.length === 0, 'attribute characteristics (RFC 7643 §7)', 'none missing', problems);
});

function modelProblems(res: HttpResult, urns: string[]): string[] {
  const problems: string[] = [];
  const model = documented.modelAttributes as Record<string, { attributes: Record<string, string[]> }>;
  for (const urn of urns) {
    const schema = res.body.Resources.find((s: { id: string }) => s.id === urn);
    if (!schema) {
      problems.push(`${urn}: not listed`);
      continue;
    }
    const byName = new Map<string, Attribute>((schema.attributes ?? []).map((a: Attribute) => [a.name.toLowerCase(), a]));
    for (const [name, subs] of Object.entries(model[urn].attributes)) {
      const attr = byName.get(name.toLowerCase());
      if (!attr) {
        problems.push(`${urn}: no attribute ${name}`);
        continue;
      }
      const subNames = new Set((attr.subAttributes ?? []).map((s) => s.name.toLowerCase()));
      for (const sub of subs) if (!subNames.has(sub.toLowerCase())) problems.push(`${urn}: no sub-attribute ${name}.${sub}`);
    }
  }
  return problems;
}

behaviour('SCH-USER-DEFINES-MODEL', 'defines every attribute of the documented user model', async (ctx) => {
  const { verify } = ctx;
  const res = await listSchemas(ctx);
  const urns = Object.keys(documented.modelAttributes).filter((u) => !u.endsWith(':Group'));
  const problems = modelProblems(res, urns);
  verify.that(res, problems.length === 0, 'the User schemas define the ScimV2User model attributes', 'every model attribute defined', problems);
});

behaviour('SCH-GROUP-DEFINES-MODEL', 'defines every attribute of the documented group model', async (ctx) => {
  const { verify } = ctx;
  const res = await listSchemas(ctx);
  const problems = modelProblems(res, ['urn:ietf:params:scim:schemas:core:2.0:Group']);
  verify.that(res, problems.length === 0, 'the Group schema defines the ScimV2Group model attributes', 'every model attribute defined', problems);
});
