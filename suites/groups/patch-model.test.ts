/**
 * Property-based PATCH on groups: generated request sequences (harness/generators/patch-requests.ts) are sent to the target and
 * applied to an independent model of RFC 7644 §3.5.2 (harness/oracles/patch-model.ts); after every request the group read
 * back must equal the model. Members are users the test created. The test creates its groups, so it runs where the
 * API creates groups (2021). Budget and replay: SCIM_PBT_RUNS, SCIM_PBT_SEED, SCIM_PBT_PATH (README).
 */
import {
  behaviour,
  checkPatchModel,
  getTarget,
  pbtSettings,
  pbtTimeoutMs,
  invalidGroupPatch,
  mixedSequence,
  SEQUENCE_TAG,
  validGroupPatch,
  validSequence,
  type GeneratedRequest,
  type GroupPatchArbContext,
  type BehaviourContext,
  type ModelOptions,
} from '../../harness/index.ts';
import type fc from 'fast-check';

const target = getTarget();
const settings = pbtSettings(target);
const timeout = pbtTimeoutMs(settings, target.embedded);
const FILE = 'suites/groups/patch-model.test.ts';
/** Users created as members: enough for add/remove/replace to differ; fewer against a real org. */
const MEMBERS = target.embedded ? 3 : 2;

interface Setup {
  arb: GroupPatchArbContext;
  model: ModelOptions;
}

async function setUp(ctx: BehaviourContext): Promise<Setup> {
  const memberIds: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const user = await ctx.create('users', ctx.build.user(`pbt-member-${i}`));
    ctx.verify.status(user, [200, 201], 'a member user is created');
    ctx.verify.schema(user, 'ScimV2User');
    memberIds.push(user.body.id);
  }
  return {
    arb: { memberIds, namePrefix: `${ctx.names.displayName('pbt-group')}-${SEQUENCE_TAG}` },
    model: { apiVersion: ctx.target.apiVersion, known: { userIds: memberIds } },
  };
}

function check(ctx: BehaviourContext, arbitrary: fc.Arbitrary<GeneratedRequest[]>, setup: Setup, what: string): Promise<void> {
  return checkPatchModel(ctx, { settings, arbitrary, what, file: FILE, resource: 'groups', createBody: () => ctx.build.group('pbt-group'), model: setup.model });
}

behaviour(
  'GRP-PATCH-MODEL',
  'applies generated group PATCH sequences as the RFC 7644 §3.5.2 model predicts, with a new version after each change',
  async (ctx) => {
    const setup = await setUp(ctx);
    await check(ctx, validSequence(validGroupPatch(setup.arb), settings.maxSteps), setup, 'generated PATCH sequences on a group match the model');
  },
  { timeout },
);

behaviour(
  'GRP-PATCH-INVALID-UNCHANGED',
  'refuses generated invalid group PATCH requests with 400 and the predicted scimType, leaving the group unchanged',
  async (ctx) => {
    const setup = await setUp(ctx);
    await check(
      ctx,
      mixedSequence(validGroupPatch(setup.arb), invalidGroupPatch(setup.arb), settings.maxSteps),
      setup,
      'generated PATCH sequences with invalid requests on a group match the model',
    );
  },
  { timeout },
);
