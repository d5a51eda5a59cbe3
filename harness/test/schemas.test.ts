import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  SCHEMAS_DIR,
  createAjv,
  isModelName,
  loadSchemaFiles,
  modelNames,
  validateModel,
  type ModelName,
} from '../config/models.ts';
import { caseTableFiles, loadCaseTable } from '../config/cases.ts';

interface SchemaCase {
  model: ModelName;
  name: string;
  valid: boolean;
  /** For invalid cases: a substring of one of the error lines (so a case cannot fail for the wrong reason). */
  error?: string;
  data: unknown;
}

/** The rows of fixtures/schema-cases/*.json (each table validated against schemas/cases/schema-cases.schema.json). */
function loadCases(): SchemaCase[] {
  const out: SchemaCase[] = [];
  for (const file of caseTableFiles().filter((f) => f.startsWith('fixtures/schema-cases/'))) {
    for (const [i, c] of loadCaseTable<SchemaCase>(file).rows.entries()) {
      if (!isModelName(c.model)) throw new Error(`${file} rows[${i}] (${JSON.stringify(c.name)}): unknown model ${JSON.stringify(c.model)}`);
      out.push(c);
    }
  }
  return out;
}

const cases = loadCases();

describe('schema files', () => {
  const docs = loadSchemaFiles();

  test('every schemas/*.json is a draft-07 schema whose $id is its file name and a ModelName', () => {
    const files = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files.map((f) => f.replace(/\.json$/, ''))).toEqual([...docs.keys()].sort());
    for (const [id, doc] of docs) {
      expect(doc.$schema, id).toBe('http://json-schema.org/draft-07/schema#');
      expect(typeof doc.description, `${id} description`).toBe('string');
      expect(isModelName(id), `${id} is a ModelName`).toBe(true);
    }
  });

  test('every ModelName has a schema file', () => {
    expect([...docs.keys()].sort()).toEqual(modelNames().sort());
  });

  test.for(modelNames())('%s compiles in strict mode', (name) => {
    const ajv = createAjv(docs);
    expect(() => ajv.compile({ $ref: name })).not.toThrow();
    expect(ajv.getSchema(name)).toBeTypeOf('function');
  });
});

describe('case tables', () => {
  test.for(modelNames())('%s has at least one valid and one invalid case', (name) => {
    const mine = cases.filter((c) => c.model === name);
    expect(mine.some((c) => c.valid), `${name}: a valid case`).toBe(true);
    expect(mine.some((c) => !c.valid), `${name}: an invalid case`).toBe(true);
  });

  // [model, name, case] rows: %s keeps the titles readable (object $fields are quoted and truncated).
  const rows = (valid: boolean) => cases.filter((c) => c.valid === valid).map((c) => [c.model, c.name, c] as const);

  test.for(rows(true))('%s accepts: %s', ([, , { model, data }]) => {
    expect(validateModel(model, data).errors).toEqual([]);
    expect(validateModel(model, data).valid).toBe(true);
  });

  test.for(rows(false))('%s rejects: %s', ([, , { model, data, error }]) => {
    const result = validateModel(model, data);
    expect(result.valid).toBe(false);
    expect(result.errors.some((line) => line.includes(error!)), `expected "${error}" in:\n${result.errors.join('\n')}`).toBe(true);
  });
});

describe('validateModel', () => {
  test('error lines are "<JSON pointer>: <message>"', () => {
    const res = validateModel('ScimUserListResponse', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      Resources: [
        {
          id: 'u1',
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: 'a@b.c',
          active: true,
          meta: { resourceType: 'User', location: '/u1', version: 1 },
        },
      ],
    });
    expect(res).toEqual({ valid: false, errors: ['/Resources/0/meta/version: must be string or null (got 1)'] });
  });

  test('collects all errors, without the echo lines of contains/if', () => {
    const res = validateModel('ScimError', { schemas: ['a', 'b'], status: 500, scimType: 'oops' });
    expect(res.errors).toEqual([
      '/schemas: must contain "urn:ietf:params:scim:api:messages:2.0:Error"',
      '/status: must be string (got 500)',
      expect.stringMatching(/^\/scimType: must be one of \[.*"invalidVers".*\] \(got "oops"\)$/),
    ]);
  });

  test('a non-object body is reported at the root', () => {
    expect(validateModel('ScimV2Group', 'nope')).toEqual({ valid: false, errors: ['/: must be object (got "nope")'] });
  });

  test('repeated calls give the same answer (validators are cached, no shared error state)', () => {
    const bad = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: 400 };
    const good = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400' };
    const first = validateModel('ScimError', bad);
    expect(validateModel('ScimError', good)).toEqual({ valid: true, errors: [] });
    expect(validateModel('ScimError', bad)).toEqual(first);
  });

  test('an unknown model name throws', () => {
    expect(() => validateModel('NoSuchModel' as ModelName, {})).toThrow(/unknown model/);
  });
});
