/**
 * Property-based PATCH on users: generated request sequences (harness/generators/patch-requests.ts) are sent to the target and
 * applied to an independent model of RFC 7644 §3.5.2 (harness/oracles/patch-model.ts); after every request the user read
 * back must equal the model. Budget and replay: SCIM_PBT_RUNS, SCIM_PBT_SEED, SCIM_PBT_PATH (README).
 */
import {
  behaviour,
  checkPatchModel,
  getTarget,
  pbtSettings,
  pbtTimeoutMs,
  referenceUser,
  invalidUserPatch,
  mixedSequence,
  SEQUENCE_TAG,
  validSequence,
  validUserPatch,
  type GeneratedRequest,
  type UserPatchArbContext,
  type BehaviourContext,
  type ModelOptions,
} from '../../harness/index.ts';
import type fc from 'fast-check';

const target = getTarget();
const settings = pbtSettings(target);
const timeout = pbtTimeoutMs(settings, target.embedded);
const FILE = 'suites/users/patch-model.test.ts';

interface Setup {
  arb: UserPatchArbContext;
  model: ModelOptions;
  createBody(label: string): Record<string, unknown>;
}

/** Fixes what the generators may use: the manager the sequences may assign is the run's reference user (2021). */
async function setUp(ctx: BehaviourContext): Promise<Setup> {
  const { target: t, build } = ctx;
  const managerIds: string[] = t.apiVersion === '2021' ? [(await referenceUser(ctx)).id] : [];
  const org = t.apiVersion === '2021' ? t.org : {};
  return {
    arb: { apiVersion: t.apiVersion, org, managerIds, namePrefix: `${ctx.names.displayName('pbt')}-${SEQUENCE_TAG}` },
    model: {
      apiVersion: t.apiVersion,
      known: {
        roles: org.role ? [org.role] : [],
        divisions: org.division ? [org.division] : [],
        skills: org.routingSkill ? [org.routingSkill] : [],
        languages: org.routingLanguage ? [org.routingLanguage] : [],
        userIds: managerIds,
      },
      rolesOnDeactivation: 'unknown',
    },
    createBody: (label) =>
      t.apiVersion === '2021'
        ? build.user(label, 'full')
        : build.user(label, 'minimal', {
            title: 'Conformance Tester',
            emails: [{ type: 'work', value: 'pbt.work@example.com' }],
            phoneNumbers: [{ type: 'work', value: '+13175550100' }],
          }),
  };
}

function check(ctx: BehaviourContext, arbitrary: fc.Arbitrary<GeneratedRequest[]>, setup: Setup, what: string): Promise<void> {
  return checkPatchModel(ctx, { settings, arbitrary, what, file: FILE, resource: 'users', createBody: () => setup.createBody('pbt-user'), model: setup.model });
}

behaviour(
  'USR-PATCH-MODEL',
  'applies generated PATCH sequences as the RFC 7644 §3.5.2 model predicts, with a new version after each change',
  async (ctx) => {
    const setup = await setUp(ctx);
    await check(ctx, validSequence(validUserPatch(setup.arb), settings.maxSteps), setup, 'generated PATCH sequences on a user match the model');
  },
  { timeout },
);

behaviour(
  'USR-PATCH-INVALID-UNCHANGED',
  'refuses generated invalid PATCH requests with 400 and the predicted scimType, leaving the user unchanged',
  async (ctx) => {
    const setup = await setUp(ctx);
    await check(
      ctx,
      mixedSequence(validUserPatch(setup.arb), invalidUserPatch(setup.arb), settings.maxSteps),
      setup,
      'generated PATCH sequences with invalid requests on a user match the model',
    );
  },
  { timeout },
);
