/**
 * fast-check arbitraries for SCIM PATCH requests on users and groups (RFC 7644 §3.5.2), for the model-based suites
 * (suites/users/patch-model.test.ts, suites/groups/patch-model.test.ts) and the bench.
 *
 * Valid requests use only what the target accepts: run-scoped names (so the ledger and the sweep recognise the
 * resource), roles/divisions/skills/languages from the target's org fixtures, managers and members the test created.
 * Invalid requests hold exactly one invalid operation (among valid ones) or are malformed as a whole.
 * The arbitraries do not decide the outcome: harness/patch-model.ts predicts it for the resource's current state.
 */
import fc from 'fast-check';
import { CORE_GROUP_URN, CORE_USER_URN, ENTERPRISE_URN, GENESYS_URN, PATCH_OP_URN } from '../oracles/urns.ts';

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

export interface GeneratedRequest {
  /** The PATCH body, sent as is. */
  body: unknown;
  /** true when the request was built to be refused. */
  invalid: boolean;
  /** What the invalid part is (for reports). */
  note?: string;
}

export interface UserPatchArbContext {
  apiVersion: '2021' | '2019';
  org: { role?: string; division?: string; routingSkill?: string; routingLanguage?: string };
  /** Users the test created, usable as managers. */
  managerIds: readonly string[];
  /** Run-scoped base for generated userNames and displayNames (starts with the run prefix). */
  namePrefix: string;
}

export interface GroupPatchArbContext {
  /** Users the test created, usable as members. */
  memberIds: readonly string[];
  /** Run-scoped base for generated displayNames (starts with the run prefix). */
  namePrefix: string;
}

/**
 * Put in namePrefix: replaced by a per-sequence value when the sequence runs (instantiate), so names generated in
 * different sequences of one test never collide (userName is unique) while generation stays reproducible.
 */
export const SEQUENCE_TAG = '{{seq}}';

/** A generated body with SEQUENCE_TAG replaced. */
export function instantiate<T>(body: T, tag: string): T {
  const text = JSON.stringify(body);
  return text === undefined || !text.includes(SEQUENCE_TAG) ? body : (JSON.parse(text.split(SEQUENCE_TAG).join(tag)) as T);
}

// ------------------------------------------------------------------------------------------------ building blocks

/** An op name in mixed case ("add", "Add", "aDD", ...): the SDK and Entra use several casings (reference §7). */
export const opName = (op: 'add' | 'replace' | 'remove') => fc.mixedCase(fc.constant(op));
const addOrReplace = fc.oneof(opName('add'), opName('replace'));

const token = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 3, maxLength: 8 });
const phoneValue = fc.integer({ min: 0, max: 9999 }).map((n) => `+1317555${String(n).padStart(4, '0')}`);
const emailValue = token.map((t) => `pbt.${t}@example.com`);
const phoneType = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('work', 'mobile', 'home') }, { weight: 1, arbitrary: fc.constantFrom('work2', 'work3', 'work4', 'other') });
const authority = fc.constantFrom('microsoftteams', 'ringcentral', 'zoomphone');
const proficiency = fc.constantFrom(0, 1, 2, 2.5, 3, 3.5, 4, 5);
const titleValue = fc.oneof(fc.constantFrom('Agent', 'Supervisor', 'Team Lead'), token.map((t) => `Title ${t}`));
const departmentValue = fc.oneof(fc.constantFrom('Sales', 'Support', 'Conformance'), token.map((t) => `Dept ${t}`));
const employeeNumberValue = fc.integer({ min: 1, max: 999_999 }).map(String);
const externalIdValue = token.map((t) => `ext-${t}`);
/** A path to a core attribute, in one of its spellings (attribute names are case-insensitive, RFC 7643 §2.1; URN form §3.10). */
const corePath = (name: string, urn: string) => fc.constantFrom(name, name.toLowerCase(), name[0].toUpperCase() + name.slice(1), `${urn}:${name}`);

const request = (ops: fc.Arbitrary<PatchOperation[]>) => ops.map((Operations): GeneratedRequest => ({ body: { schemas: [PATCH_OP_URN], Operations }, invalid: false }));
const op = (o: fc.Arbitrary<string>, path: fc.Arbitrary<string> | string | undefined, value?: fc.Arbitrary<unknown>): fc.Arbitrary<PatchOperation> =>
  fc.record({
    op: o,
    ...(path === undefined ? {} : { path: typeof path === 'string' ? fc.constant(path) : path }),
    ...(value === undefined ? {} : { value }),
  }) as fc.Arbitrary<PatchOperation>;
const nonEmpty = <T extends object>(a: fc.Arbitrary<T>) => a.filter((o) => Object.keys(o).length > 0);

// ------------------------------------------------------------------------------------------------ users

/** Valid operations on a user (each valid on its own; whether it applies to the current state is the model's call). */
export function userOperation(c: UserPatchArbContext): fc.Arbitrary<PatchOperation> {
  const displayName = token.map((t) => `${c.namePrefix} ${t}`);
  const userName = token.map((t) => `${c.namePrefix}-${t}@example.com`);
  const simple = [
    op(addOrReplace, corePath('displayName', CORE_USER_URN), displayName),
    op(addOrReplace, corePath('title', CORE_USER_URN), titleValue),
    op(addOrReplace, corePath('externalId', CORE_USER_URN), externalIdValue),
    op(opName('replace'), corePath('userName', CORE_USER_URN), userName),
    op(opName('replace'), corePath('active', CORE_USER_URN), fc.boolean()),
    op(opName('remove'), fc.constantFrom('title', 'externalId')),
    op(
      addOrReplace,
      undefined,
      nonEmpty(fc.record({ displayName, title: titleValue, externalId: externalIdValue, active: fc.boolean() }, { requiredKeys: [] })),
    ),
  ];
  const phoneRecord = fc.record({ type: phoneType, value: phoneValue });
  const phoneList = (min: number) => fc.uniqueArray(phoneRecord, { minLength: min, maxLength: 2, selector: (p) => p.type });
  const multi = [
    op(addOrReplace, fc.constantFrom('emails[type eq "work"].value', 'emails[type eq "WORK"].value', 'emails[Type eq "work"].value'), emailValue),
    op(opName('remove'), 'emails[type eq "work"]'),
    op(opName('add'), 'emails', emailValue.map((value) => [{ type: 'work', value }])),
    op(opName('replace'), 'emails[type eq "work"]', emailValue.map((value) => ({ type: 'work', value }))),
    fc.tuple(addOrReplace, phoneType, phoneValue).map(([o, t, value]) => ({ op: o, path: `phoneNumbers[type eq "${t}"].value`, value })),
    fc.tuple(opName('remove'), phoneType).map(([o, t]) => ({ op: o, path: `phoneNumbers[type eq "${t}"]` })),
    fc.tuple(opName('replace'), phoneRecord).map(([o, p]) => ({ op: o, path: `phoneNumbers[type eq "${p.type}"]`, value: p })),
    op(opName('add'), 'phoneNumbers', phoneList(1)),
    op(opName('replace'), 'phoneNumbers', phoneList(0)),
    op(opName('remove'), 'phoneNumbers'),
    op(opName('add'), undefined, phoneList(1).map((phoneNumbers) => ({ phoneNumbers }))),
  ];
  const ops: fc.Arbitrary<PatchOperation>[] = [...simple, ...multi];
  if (c.apiVersion === '2021') {
    const ent = (a: string) => `${ENTERPRISE_URN}:${a}`;
    const gen = (a: string) => `${GENESYS_URN}:${a}`;
    ops.push(
      op(addOrReplace, ent('department'), departmentValue),
      op(addOrReplace, ent('employeeNumber'), employeeNumberValue),
      op(opName('remove'), fc.constantFrom(ent('department'), ent('employeeNumber'))),
      op(addOrReplace, ENTERPRISE_URN, nonEmpty(fc.record({ department: departmentValue, employeeNumber: employeeNumberValue }, { requiredKeys: [] }))),
      op(addOrReplace, undefined, departmentValue.map((department) => ({ [ENTERPRISE_URN]: { department } }))),
      fc.tuple(addOrReplace, authority, token).map(([o, a, v]) => ({ op: o, path: `${gen('externalIds')}[authority eq '${a}'].value`, value: `${a}-${v}` })),
      fc.tuple(opName('remove'), authority).map(([o, a]) => ({ op: o, path: `${gen('externalIds')}[authority eq "${a}"]` })),
      fc.tuple(opName('add'), authority, token).map(([o, a, v]) => ({ op: o, path: gen('externalIds'), value: [{ authority: a, value: `${a}-${v}` }] })),
    );
    if (c.org.division) ops.push(op(opName('replace'), ent('division'), fc.constant(c.org.division)));
    if (c.managerIds.length) {
      const manager = fc.constantFrom(...c.managerIds);
      ops.push(
        op(addOrReplace, ent('manager'), manager.map((value) => ({ value }))),
        op(opName('replace'), ent('manager.value'), manager),
        op(opName('replace'), ent('manager'), manager),
        op(opName('remove'), ent('manager')),
      );
    }
    if (c.org.role) {
      const role = c.org.role;
      ops.push(
        op(opName('add'), 'roles', fc.constant([{ value: role }])),
        op(opName('remove'), `roles[value eq ${JSON.stringify(role)}]`),
        op(opName('replace'), 'roles', fc.constant([{ value: role }])),
      );
    }
    for (const [attr, name] of [['routingSkills', c.org.routingSkill], ['routingLanguages', c.org.routingLanguage]] as const) {
      if (!name) continue;
      ops.push(
        op(opName('add'), gen(attr), proficiency.map((p) => [{ name, proficiency: p }])),
        op(opName('replace'), gen(attr), fc.option(proficiency, { nil: undefined }).map((p) => [p === undefined ? { name } : { name, proficiency: p }])),
        op(opName('remove'), `${gen(attr)}[name eq ${JSON.stringify(name)}]`),
        op(opName('replace'), `${gen(attr)}[name eq ${JSON.stringify(name)}].proficiency`, proficiency),
      );
    }
  }
  return fc.oneof(...ops);
}

/** A valid PATCH request on a user: one to three operations. */
export function validUserPatch(c: UserPatchArbContext): fc.Arbitrary<GeneratedRequest> {
  return request(fc.array(userOperation(c), { minLength: 1, maxLength: 3 }));
}

const MALFORMED_PATHS = [
  'emails[type eq "work"',
  'emails[type eq "work"]]',
  'emails]',
  '.title',
  'title.',
  'title..value',
  'emails[type eq "work"].',
  'emails[type eq "work"]value',
  'phoneNumbers[type eq "mobile"].value.value',
  '[type eq "work"]',
  'display Name',
  '9title',
];
const MALFORMED_FILTERS = ['emails[]', 'emails[type eq]', 'emails[type "work"]', 'phoneNumbers[type eq "mobile" and]', 'emails[type eq "work]'];

const invalidCommon = (paths: { simple: string; multi: string }) => [
  fc
    .tuple(fc.constantFrom('merge', 'update', 'delete', 'set', 'move', 'copy', 'test', 'adds', ''), fc.constant(paths.simple))
    .map(([o, path]) => ({ op: { op: o, path, value: 'x' }, note: `unknown op "${o}"` })),
  fc
    .tuple(fc.oneof(opName('add'), opName('replace')), fc.constantFrom(...MALFORMED_PATHS, ...MALFORMED_FILTERS))
    .map(([o, path]) => ({ op: { op: o, path, value: 'x' }, note: `malformed path ${path}` })),
  fc.tuple(opName('remove'), fc.constantFrom(...MALFORMED_PATHS, ...MALFORMED_FILTERS)).map(([o, path]) => ({ op: { op: o, path }, note: `malformed path ${path}` })),
  opName('remove').map((o) => ({ op: { op: o }, note: 'remove without a path' })),
];

interface InvalidOp {
  op: PatchOperation | unknown;
  note: string;
}

/** One invalid operation on a user. */
export function invalidUserOperation(c: UserPatchArbContext): fc.Arbitrary<InvalidOp> {
  const miss = token.map((t) => `scimct-nomatch-${t}`);
  const ops: fc.Arbitrary<InvalidOp>[] = [
    ...invalidCommon({ simple: 'title', multi: 'emails' }),
    // a value filter that matches nothing (RFC 7644 §3.5.2.3/§3.12 noTarget)
    fc.tuple(opName('replace'), miss, emailValue).map(([o, m, value]) => ({ op: { op: o, path: `emails[value eq "${m}@example.invalid"].value`, value }, note: 'replace through a filter matching nothing' })),
    fc.tuple(opName('remove'), fc.integer({ min: 0, max: 9999 })).map(([o, n]) => ({ op: { op: o, path: `phoneNumbers[value eq "+1999000${String(n).padStart(4, '0')}"]` }, note: 'remove through a filter matching nothing' })),
    fc.tuple(opName('replace'), phoneType, phoneValue).map(([o, type, value]) => ({ op: { op: o, path: `phoneNumbers[value eq "+19990000000"]`, value: { type, value } }, note: 'replace through a filter matching nothing' })),
    // removing a required attribute (§3.5.2.2 mutability)
    fc.tuple(opName('remove'), fc.constantFrom('userName', 'displayName', 'username')).map(([o, path]) => ({ op: { op: o, path }, note: `remove of required ${path}` })),
    // read-only attributes (RFC 7643 §3.1, §4.1.2)
    fc.tuple(addOrReplace, fc.uuid()).map(([o, id]) => ({ op: { op: o, path: 'id', value: id }, note: 'write id' })),
    fc.tuple(addOrReplace, fc.constantFrom('meta.version', 'meta.lastModified', 'meta.location')).map(([o, path]) => ({ op: { op: o, path, value: '"999"' }, note: `write ${path}` })),
    fc.tuple(addOrReplace).map(([o]) => ({ op: { op: o, path: 'meta', value: { version: '"999"' } }, note: 'write meta' })),
    fc.tuple(opName('remove'), fc.constantFrom('id', 'meta', 'meta.version', 'groups')).map(([o, path]) => ({ op: { op: o, path }, note: `remove ${path}` })),
    fc.tuple(opName('add'), fc.uuid()).map(([o, value]) => ({ op: { op: o, path: 'groups', value: [{ value }] }, note: 'write groups' })),
    // wrong value types (RFC 7644 §3.12 invalidValue)
    fc.tuple(opName('replace'), fc.constantFrom<unknown>('maybe', 42, {}, [true], 'yes')).map(([o, value]) => ({ op: { op: o, path: 'active', value }, note: `active: ${JSON.stringify(value)}` })),
    fc.tuple(addOrReplace, fc.constantFrom('displayName', 'title', 'userName', 'externalId'), fc.constantFrom<unknown>({ a: 1 }, ['x'], true)).map(([o, path, value]) => ({ op: { op: o, path, value }, note: `${path}: ${JSON.stringify(value)}` })),
    fc.tuple(opName('add'), fc.constantFrom<unknown>(true, [true], [['+13175550100']])).map(([o, value]) => ({ op: { op: o, path: 'phoneNumbers', value }, note: `phoneNumbers: ${JSON.stringify(value)}` })),
    fc.tuple(opName('add'), fc.constantFrom<unknown>({ a: 1 }, [1], false)).map(([o, value]) => ({ op: { op: o, path: 'emails[type eq "work"].value', value }, note: `emails value ${JSON.stringify(value)}` })),
    fc.tuple(opName('add'), phoneType).map(([o, type]) => ({ op: { op: o, path: 'phoneNumbers', value: [{ type }] }, note: 'a phone number without value' })),
  ];
  if (c.apiVersion === '2021') {
    ops.push(
      fc.tuple(opName('replace'), emailValue).map(([o, value]) => ({ op: { op: o, path: 'emails[type eq "other"].value', value }, note: 'write the read-only "other" email' })),
      fc.tuple(opName('remove'), miss).map(([o, m]) => ({ op: { op: o, path: `${GENESYS_URN}:externalIds[authority eq "${m}"]` }, note: 'remove through a filter matching nothing' })),
      fc.tuple(addOrReplace, fc.constantFrom<unknown>({ a: 1 }, [1], true)).map(([o, value]) => ({ op: { op: o, path: `${ENTERPRISE_URN}:department`, value }, note: `department ${JSON.stringify(value)}` })),
      fc.tuple(addOrReplace, fc.constantFrom<unknown>(true, [])).map(([o, value]) => ({ op: { op: o, path: `${ENTERPRISE_URN}:manager`, value }, note: `manager ${JSON.stringify(value)}` })),
    );
    if (c.org.routingSkill) {
      const name = c.org.routingSkill;
      ops.push(
        fc.tuple(opName('add'), fc.constantFrom<unknown>('high', true, [])).map(([o, p]) => ({ op: { op: o, path: `${GENESYS_URN}:routingSkills`, value: [{ name, proficiency: p }] }, note: `proficiency ${JSON.stringify(p)}` })),
      );
    }
  }
  return fc.oneof(...ops);
}

/** A request body that is malformed as a whole (RFC 7644 §3.5.2: schemas and a non-empty Operations are required). */
function malformedBody(validOps: fc.Arbitrary<PatchOperation[]>): fc.Arbitrary<GeneratedRequest> {
  return fc.oneof(
    validOps.map((Operations) => ({ body: { Operations }, invalid: true, note: 'no schemas' })),
    validOps.map((Operations) => ({ body: { schemas: [CORE_USER_URN], Operations }, invalid: true, note: 'schemas without the PatchOp URN' })),
    fc.constant({ body: { schemas: [PATCH_OP_URN], Operations: [] }, invalid: true, note: 'empty Operations' }),
    fc.constant({ body: { schemas: [PATCH_OP_URN] }, invalid: true, note: 'no Operations' }),
    validOps.map((Operations) => ({ body: { schemas: [PATCH_OP_URN], Operations: Operations[0] }, invalid: true, note: 'Operations is an object' })),
  );
}

/** One invalid operation inserted among zero to two valid ones (so nothing may be half-applied), or a malformed body. */
function withInvalid(valid: fc.Arbitrary<PatchOperation>, invalid: fc.Arbitrary<InvalidOp>): fc.Arbitrary<GeneratedRequest> {
  const mixed = fc
    .tuple(fc.array(valid, { maxLength: 2 }), invalid, fc.nat())
    .map(([ops, bad, at]): GeneratedRequest => {
      const i = at % (ops.length + 1);
      const Operations = [...ops.slice(0, i), bad.op, ...ops.slice(i)];
      return { body: { schemas: [PATCH_OP_URN], Operations }, invalid: true, note: bad.note };
    });
  return fc.oneof({ weight: 5, arbitrary: mixed }, { weight: 1, arbitrary: malformedBody(fc.array(valid, { minLength: 1, maxLength: 2 })) });
}

/** An invalid PATCH request on a user. */
export function invalidUserPatch(c: UserPatchArbContext): fc.Arbitrary<GeneratedRequest> {
  return withInvalid(userOperation(c), invalidUserOperation(c));
}

// ------------------------------------------------------------------------------------------------ groups

/** Valid operations on a group. */
export function groupOperation(c: GroupPatchArbContext): fc.Arbitrary<PatchOperation> {
  const displayName = token.map((t) => `${c.namePrefix}-${t}`);
  const ops: fc.Arbitrary<PatchOperation>[] = [
    op(opName('replace'), corePath('displayName', CORE_GROUP_URN), displayName),
    op(opName('replace'), undefined, displayName.map((d) => ({ displayName: d }))),
  ];
  if (c.memberIds.length) {
    const ids = [...c.memberIds];
    const member = (id: string) => fc.constantFrom<Record<string, string>>({ value: id }, { value: id, type: 'User' });
    const members = (min: number) => fc.shuffledSubarray(ids, { minLength: min, maxLength: Math.min(2, ids.length) }).chain((sel) => fc.tuple(...sel.map(member)).map((m) => [...m]));
    const one = fc.constantFrom(...ids);
    ops.push(
      op(opName('add'), 'members', members(1)),
      op(opName('add'), undefined, members(1).map((m) => ({ members: m }))),
      fc.tuple(opName('remove'), one).map(([o, id]) => ({ op: o, path: `members[value eq "${id}"]` })),
      op(opName('remove'), 'members', fc.shuffledSubarray(ids, { minLength: 1, maxLength: 2 }).map((sel) => sel.map((value) => ({ value })))),
      op(opName('remove'), 'members'),
      op(opName('replace'), 'members', members(0)),
    );
  }
  return fc.oneof(...ops);
}

export function validGroupPatch(c: GroupPatchArbContext): fc.Arbitrary<GeneratedRequest> {
  return request(fc.array(groupOperation(c), { minLength: 1, maxLength: 3 }));
}

export function invalidGroupOperation(_c: GroupPatchArbContext): fc.Arbitrary<InvalidOp> {
  return fc.oneof(
    // the shared malformed paths name user attributes: on a group they are malformed just the same
    ...invalidCommon({ simple: 'displayName', multi: 'members' }),
    fc.tuple(opName('remove'), fc.uuid()).map(([o, id]) => ({ op: { op: o, path: `members[value eq "${id}"]` }, note: 'remove through a filter matching nothing' })),
    fc.tuple(opName('remove'), fc.constantFrom('displayName', 'displayname')).map(([o, path]) => ({ op: { op: o, path }, note: `remove of required ${path}` })),
    fc.tuple(addOrReplace, fc.uuid()).map(([o, id]) => ({ op: { op: o, path: 'id', value: id }, note: 'write id' })),
    fc.tuple(addOrReplace, fc.constantFrom('meta.version', 'meta.lastModified')).map(([o, path]) => ({ op: { op: o, path, value: '"999"' }, note: `write ${path}` })),
    fc.tuple(opName('remove'), fc.constantFrom('id', 'meta')).map(([o, path]) => ({ op: { op: o, path }, note: `remove ${path}` })),
    fc.tuple(opName('replace'), fc.constantFrom<unknown>({ a: 1 }, ['x'], true)).map(([o, value]) => ({ op: { op: o, path: 'displayName', value }, note: `displayName ${JSON.stringify(value)}` })),
    fc.tuple(opName('add'), fc.constantFrom<unknown>(true, [{}], [{ value: {} }], [7], [true])).map(([o, value]) => ({ op: { op: o, path: 'members', value }, note: `members ${JSON.stringify(value)}` })),
  );
}

export function invalidGroupPatch(c: GroupPatchArbContext): fc.Arbitrary<GeneratedRequest> {
  return withInvalid(groupOperation(c), invalidGroupOperation(c));
}

// ------------------------------------------------------------------------------------------------ sequences

/** A sequence of one to `maxSteps` valid requests. */
export function validSequence(valid: fc.Arbitrary<GeneratedRequest>, maxSteps: number): fc.Arbitrary<GeneratedRequest[]> {
  return fc.array(valid, { minLength: 1, maxLength: Math.max(1, maxSteps) });
}

/** A sequence of up to `maxSteps` requests, valid and invalid mixed, with at least one invalid request. */
export function mixedSequence(valid: fc.Arbitrary<GeneratedRequest>, invalid: fc.Arbitrary<GeneratedRequest>, maxSteps: number): fc.Arbitrary<GeneratedRequest[]> {
  // A plain array (not an insertion into one) so that shrinking drops the requests a failure does not need.
  return fc
    .array(fc.oneof({ weight: 1, arbitrary: valid }, { weight: 2, arbitrary: invalid }), { minLength: 1, maxLength: Math.max(1, maxSteps) })
    .filter((steps) => steps.some((s) => s.invalid));
}
