/**
 * JSON Schema validation of the doc models (schemas/*.json, draft-07, `$id` = model name).
 *
 * Every schema file is read once at module load, added to one Ajv instance and compiled once;
 * `validateModel` only looks the cached validator up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export const MODEL_NAMES = [
  'ScimV2User',
  'ScimV2CreateUser',
  'ScimV2Group',
  'ScimV2PatchRequest',
  'ScimV2PatchOperation',
  'ScimListResponse',
  'ScimUserListResponse',
  'ScimGroupListResponse',
  'ScimConfigResourceType',
  'ScimConfigResourceTypeSchemaExtension',
  'ScimConfigResourceTypesListResponse',
  'ScimV2SchemaDefinition',
  'ScimV2SchemaAttribute',
  'ScimV2SchemaListResponse',
  'ScimServiceProviderConfig',
  'ScimServiceProviderConfigSimpleFeature',
  'ScimServiceProviderConfigFilterFeature',
  'ScimServiceProviderConfigBulkFeature',
  'ScimServiceProviderConfigAuthenticationScheme',
  'ScimError',
  'ScimMetadata',
  'ScimPhoneNumber',
  'ScimEmail',
  'ScimV2GroupReference',
  'ScimUserRole',
  'ScimV2EnterpriseUser',
  'Manager',
  'ScimUserExtensions',
  'ScimUserRoutingSkill',
  'ScimUserRoutingLanguage',
  'ScimGenesysUserExternalId',
  'ScimV2MemberReference',
  'Rfc7643User',
  'Rfc7643Group',
  'Rfc7644BulkResponse',
] as const;

export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelValidation {
  valid: boolean;
  /** One line per problem: `<JSON pointer>: <message>`, e.g. `/Resources/0/meta/version: must be string`. */
  errors: string[];
}

/** Absolute path of the schemas/ directory. */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** The raw schema documents, keyed by `$id` (read once). */
export function loadSchemaFiles(dir: string = SCHEMAS_DIR): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const doc = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Record<string, unknown>;
    const id = doc.$id;
    if (typeof id !== 'string' || `${id}.json` !== file) {
      throw new Error(`schemas/${file}: $id must equal the file name without .json (got ${JSON.stringify(id)})`);
    }
    out.set(id, doc);
  }
  return out;
}

// ajv-formats is CommonJS; depending on the loader its default import is the plugin or the module object.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin));

/** A fresh Ajv instance with every schema of `dir` added (not compiled). */
export function createAjv(schemas: Map<string, Record<string, unknown>>): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictRequired: false, // `required` inside if/then names properties declared by the enclosing schema
    allowUnionTypes: true, // nullable optional attributes: type ["string", "null"]
    allowMatchingProperties: true, // extension URN keys are both named properties and ^urn: patternProperties
    verbose: true, // error.data and parentSchema for the one-line messages
  });
  addFormats(ajv);
  for (const doc of schemas.values()) ajv.addSchema(doc);
  return ajv;
}

const schemaDocs = loadSchemaFiles();
const ajv = createAjv(schemaDocs);
const validators = new Map<ModelName, ValidateFunction>();
for (const name of MODEL_NAMES) {
  if (!schemaDocs.has(name)) throw new Error(`schemas/${name}.json is missing`);
  const fn = ajv.getSchema(name);
  if (!fn) throw new Error(`schema ${name} did not compile`);
  validators.set(name, fn);
}
for (const id of schemaDocs.keys()) {
  if (!(MODEL_NAMES as readonly string[]).includes(id)) throw new Error(`schemas/${id}.json is not a ModelName`);
}

export function modelNames(): ModelName[] {
  return [...MODEL_NAMES];
}

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

export function validateModel(name: ModelName, value: unknown): ModelValidation {
  const validate = validators.get(name);
  if (!validate) throw new Error(`unknown model ${JSON.stringify(name)}; known: ${MODEL_NAMES.join(', ')}`);
  if (validate(value)) return { valid: true, errors: [] };
  return { valid: false, errors: formatErrors(validate.errors ?? []) };
}

/** Ajv errors → readable one-liners, without the echo errors of `if`/`contains`. */
export function formatErrors(errors: readonly ErrorObject[]): string[] {
  const containsPaths = new Set(errors.filter((e) => e.keyword === 'contains').map((e) => `${e.schemaPath}/`));
  const lines: string[] = [];
  for (const e of errors) {
    // "must match then schema" only repeats the error found inside `then`.
    if (e.keyword === 'if') continue;
    // Items that did not match a failed `contains` each produce an error: the `contains` line says it all.
    if ([...containsPaths].some((p) => e.schemaPath.startsWith(p))) continue;
    const where = e.instancePath === '' ? '/' : e.instancePath;
    lines.push(`${where}: ${describe(e)}`);
  }
  return [...new Set(lines)];
}

function describe(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `must NOT have additional property ${JSON.stringify(params.additionalProperty)}`;
    case 'enum':
      return `must be one of ${JSON.stringify(params.allowedValues)} (got ${JSON.stringify(e.data)})`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)} (got ${JSON.stringify(e.data)})`;
    case 'contains': {
      const contains = (e.parentSchema as { contains?: { const?: unknown } } | undefined)?.contains;
      if (contains && 'const' in contains) return `must contain ${JSON.stringify(contains.const)}`;
      return e.message ?? 'must contain a valid item';
    }
    case 'type': {
      const t = params.type;
      return `must be ${Array.isArray(t) ? t.join(' or ') : String(t).split(',').join(' or ')} (got ${JSON.stringify(e.data)})`;
    }
    case 'pattern':
    case 'format':
      return `${e.message ?? e.keyword} (got ${JSON.stringify(e.data)})`;
    default:
      return e.message ?? e.keyword;
  }
}
