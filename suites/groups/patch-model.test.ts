/**
 * Property-based PATCH on groups: generated request sequences (harness/generators/patch-requests.ts) are sent to the target and
 * applied to an independent model of RFC 7644 §3.5.2 (harness/oracles/patch-model.ts); after every request the group read
 * back must equal the model. Members are the member users of the group checks (created once per run,
 * harness/checks/group-subject.ts). The test creates its groups, so it runs where the API creates groups (2021).
 * Budget and replay: SCIM_PBT_RUNS, SCIM_PBT_SEED, SCIM_PBT_PATH (README); against a real org one sequence per check and
 * prefix by default (each creates a group: two checks on two prefixes already send four).
 */
import {
  behaviour,
  checkPatchModel,
  getTarget,
  groupMembers,
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
interface Setup {
  arb: GroupPatchArbContext;
  model: ModelOptions;
}

async function setUp(ctx: BehaviourContext): Promise<Setup> {
  // Enough members for add/remove/replace to differ: three on the ideal emulator, two against a real org.
  const memberIds = await groupMembers(ctx);
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
