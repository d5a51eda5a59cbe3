/**
 * Request body validation for contract mode: the JSON Schemas of schemas/ (the doc models), loaded and compiled once
 * with ajv. Request variants: ScimV2User for PUT without requiring id/meta (but with displayName, which a replace
 * must carry like a create), ScimV2Group for POST/PUT without requiring id/meta (displayName required, as the SDK
 * model has it). Ajv errors are mapped onto contract rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { BodyModel } from './documented.ts';
import { violation, type Violation } from './rules.ts';

const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS; depending on the loader its default import is the plugin or the module object.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

/** The request variant of a response model: another $id, `required` without id/meta, plus `extra`. */
function requestVariant(doc: Record<string, unknown>, id: string, extra: string[]): Record<string, unknown> {
  const required = ((doc.required as string[] | undefined) ?? []).filter((r) => r !== 'id' && r !== 'meta');
  for (const r of extra) if (!required.includes(r)) required.push(r);
  return { ...doc, $id: id, title: id, required };
}

const VARIANT_IDS: Record<BodyModel, string> = {
  ScimV2CreateUser: 'ScimV2CreateUser',
  ScimV2User: 'ScimV2UserReplaceRequest',
  ScimV2Group: 'ScimV2GroupRequest',
  ScimV2PatchRequest: 'ScimV2PatchRequest',
};

let validators: Map<BodyModel, ValidateFunction> | undefined;

function compile(): Map<BodyModel, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, allowMatchingProperties: true });
  addFormats(ajv);
  const all = new Map<string, Record<string, unknown>>();
  for (const file of readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const doc = JSON.parse(readFileSync(`${SCHEMAS_DIR}/${file}`, 'utf8')) as Record<string, unknown>;
    if (typeof doc.$id === 'string') all.set(doc.$id, doc);
  }
  // Only the request models and the schemas they reference ($ref by model name), not every file of schemas/.
  const docs = new Map<string, Record<string, unknown>>();
  const pending = ['ScimV2CreateUser', 'ScimV2User', 'ScimV2Group', 'ScimV2PatchRequest'];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (docs.has(id)) continue;
    const doc = all.get(id);
    if (!doc) throw new Error(`contract mode: schemas/${id}.json is missing`);
    docs.set(id, doc);
    for (const m of JSON.stringify(doc).matchAll(/"\$ref":"([^"#]+)/g)) pending.push(m[1]!);
  }
  for (const doc of docs.values()) ajv.addSchema(doc);
  ajv.addSchema(requestVariant(docs.get('ScimV2User')!, VARIANT_IDS.ScimV2User, ['displayName']));
  ajv.addSchema(requestVariant(docs.get('ScimV2Group')!, VARIANT_IDS.ScimV2Group, ['displayName']));
  const out = new Map<BodyModel, ValidateFunction>();
  for (const [model, id] of Object.entries(VARIANT_IDS) as [BodyModel, string][]) {
    const fn = ajv.getSchema(id);
    if (!fn) throw new Error(`contract mode: schema ${id} did not compile`);
    out.set(model, fn);
  }
  return out;
}

/** Compiles the validators (once); called at start so a broken schema fails the emulator start, not a request. */
export function prepareBodyValidators(): void {
  validators ??= compile();
}

const SCHEMA_URN: Record<BodyModel, string> = {
  ScimV2CreateUser: 'urn:ietf:params:scim:schemas:core:2.0:User',
  ScimV2User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  ScimV2Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  ScimV2PatchRequest: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
};

function where(e: ErrorObject): string {
  return e.instancePath === '' ? '/' : e.instancePath;
}

/** Validates a parsed body against the model; one violation per distinct problem (no values echoed). */
export function checkBody(model: BodyModel, body: unknown): Violation[] {
  prepareBodyValidators();
  const validate = validators!.get(model)!;
  if (validate(body)) return [];
  const out = new Map<string, Violation>();
  const add = (v: Violation) => out.set(`${v.rule} ${v.message}`, v);
  const errors = validate.errors ?? [];
  const containsPaths = errors.filter((e) => e.keyword === 'contains').map((e) => `${e.schemaPath}/`);
  for (const e of errors) {
    if (e.keyword === 'if') continue; // repeats the error found in `then`
    if (containsPaths.some((p) => e.schemaPath.startsWith(p))) continue; // items that did not match a `contains`
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      const prop = String(params.missingProperty);
      if (prop === 'schemas' && e.instancePath === '') {
        add(violation('body.schemas', `${model}: "schemas" is missing; it must hold ${SCHEMA_URN[model]}`));
      } else {
        add(violation('body.required', `${model}: ${where(e)} misses the required attribute "${prop}"`));
      }
    } else if (e.keyword === 'contains' && e.instancePath === '/schemas') {
      add(violation('body.schemas', `${model}: "schemas" must hold ${SCHEMA_URN[model]}`));
    } else if (e.keyword === 'additionalProperties') {
      add(violation('body.unknown-attribute', `${model}: ${where(e)} has the attribute "${String(params.additionalProperty)}", which the model does not define`));
    } else if (e.keyword === 'enum') {
      add(violation('body.invalid-value', `${model}: ${where(e)} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`));
    } else if (e.instancePath === '/schemas' || e.instancePath.startsWith('/schemas/')) {
      add(violation('body.schemas', `${model}: ${where(e)} ${e.message ?? 'is invalid'}`));
    } else {
      add(violation('body.invalid-value', `${model}: ${where(e)} ${e.message ?? 'is invalid'}`));
    }
  }
  return [...out.values()];
}
