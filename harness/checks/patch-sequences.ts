/**
 * Runs one generated PATCH sequence against the target and the model side by side (suites/*\/patch-model.test.ts):
 * create the resource, then per request predict the outcome with harness/patch-model.ts, send it, and check the
 * response and the resource read back (GET) against the prediction. Requests whose outcome the sources leave open
 * are not sent (they are listed in the failure message as "not sent"). The resource is read back after every request
 * (embedded emulator), or (a real org's budget) after every refused request and after the last one: an applied PATCH
 * answers with the whole resource, which is compared with the model, and the last read shows what was stored.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { applyPatch } from '../oracles/patch/apply.ts';
import { compareResource, modelFromResource, viewOf } from '../oracles/patch/compare.ts';
import type { ModelOptions, ResourceKind, ResourceModel } from '../oracles/patch/model.ts';
import type fc from 'fast-check';
import type { PbtSettings, ReadBack } from '../config/pbt.ts';
import { checkSequences, type SequenceRecorder } from './properties.ts';
import { instantiate, type GeneratedRequest } from '../generators/patch-requests.ts';

export interface SequenceOptions {
  resource: ResourceKind;
  /** The body of the resource to create for this sequence. */
  createBody: Record<string, unknown>;
  model: ModelOptions;
  /** Value of the arbitraries' sequence tag for this sequence (keeps generated names unique across sequences). */
  tag: string;
  /** Check that meta.version changes with the resource (and not after a refused request). */
  checkVersion: boolean;
  /** When the resource is read back (GET): after every request, or after refused ones and the last one. */
  readBack: ReadBack;
}

const MODEL = { users: 'ScimV2User', groups: 'ScimV2Group' } as const;

const versionOf = (res: HttpResult): string | undefined => res.body?.meta?.version ?? res.headers.etag;

/** Runs the steps; every failure goes through ctx.verify. Returns how many PATCH requests were sent (not left open). */
export async function runPatchSequence(ctx: BehaviourContext, rec: SequenceRecorder, steps: readonly GeneratedRequest[], o: SequenceOptions): Promise<number> {
  const { verify, scim } = ctx;
  const schema = MODEL[o.resource];
  const created = rec.sent(await ctx.create(o.resource, o.createBody), 'create the resource of this sequence');
  verify.status(created, [200, 201], 'the resource of the sequence is created');
  verify.schema(created, schema);
  let model: ResourceModel = modelFromResource(o.resource, created.body);
  let version = versionOf(created);
  const path = `/${o.resource}/${encodeURIComponent(model.id)}`;
  let sent = 0;
  // An applied request not read back yet: the sequence ends with a GET.
  let unread = false;

  const readBack = async (expected: ResourceModel, refused: boolean): Promise<HttpResult> => {
    const get = rec.sent(await scim.get(path), 'read back');
    verify.status(get, 200, 'the resource is read back');
    verify.schema(get, schema);
    const diffs = compareResource(expected, get.body);
    verify.that(
      get,
      diffs.length === 0,
      refused ? 'the resource read back is unchanged: nothing of the refused PATCH is applied' : 'the resource read back equals the model',
      viewOf(o.resource, expected.doc),
      diffs,
    );
    const now = versionOf(get);
    if (o.checkVersion && refused) verify.that(get, now === version, 'meta.version is unchanged after a refused PATCH', version, now ?? '(none)');
    version = now;
    unread = false;
    return get;
  };

  for (const step of steps) {
    const body = instantiate(step.body, o.tag);
    const outcome = applyPatch(model, body, o.model);
    if (outcome.kind === 'undetermined') {
      rec.skipped('PATCH', `${scim.prefix}${path}`, body, outcome.reason);
      continue;
    }
    const res = rec.sent(await scim.patch(path, body), step.note);
    sent++;
    if (outcome.kind === 'ok') {
      verify.status(res, 200, 'the PATCH is applied: 200 with the resource (the model predicts success)');
      verify.schema(res, schema);
      const diffs = compareResource(outcome.state, res.body);
      verify.that(res, diffs.length === 0, 'the PATCH response shows the resource the model predicts', viewOf(o.resource, outcome.state.doc), diffs);
      if (o.readBack === 'every-step') {
        const before = version;
        const get = await readBack(outcome.state, false);
        if (o.checkVersion && outcome.changed) {
          verify.that(get, version !== undefined && version !== before, 'meta.version changes when the resource changes (RFC 7644 §3.14)', `a version other than ${before}`, version ?? '(none)');
        }
      } else {
        const now = versionOf(res);
        if (o.checkVersion && outcome.changed) {
          verify.that(res, now !== undefined && now !== version, 'meta.version changes when the resource changes (RFC 7644 §3.14)', `a version other than ${version}`, now ?? '(none)');
        }
        version = now;
        unread = true;
      }
      model = outcome.state;
    } else {
      verify.status(res, outcome.status, `the PATCH is refused (${outcome.detail})`);
      verify.scimError(res, outcome.status);
      verify.that(res, outcome.accept.includes(res.body.scimType), `scimType (${outcome.detail})`, outcome.accept.join(' or '), res.body.scimType ?? '(none)');
      await readBack(model, true);
    }
  }
  if (unread) await readBack(model, false);
  return sent;
}

/** Sequences drawn, one at a time, after a budget whose sequences sent nothing (see checkPatchModel). */
export const EXTRA_SEQUENCES = 3;

/**
 * The model-based property of a suite file: generated sequences from `arbitrary`, each run against a new
 * resource made from `createBody`, checked step by step against the model; a failure names the seed, path and
 * the literal requests, and how to replay it.
 */
export async function checkPatchModel(
  ctx: BehaviourContext,
  o: {
    settings: PbtSettings;
    arbitrary: fc.Arbitrary<GeneratedRequest[]>;
    what: string;
    /** The suite file, for the replay command against the embedded emulator. */
    file: string;
    resource: 'users' | 'groups';
    createBody: () => Record<string, unknown>;
    model: ModelOptions;
  },
): Promise<void> {
  let sequence = 0;
  let sent = 0;
  // A small budget (a real org: one sequence) may draw only requests whose outcome the sources leave open (not sent):
  // then up to EXTRA_SEQUENCES more sequences are drawn, one at a time, so the verdict does not depend on the draw.
  for (let round = 0; sent === 0 && round <= (o.settings.replay ? 0 : EXTRA_SEQUENCES); round++) {
    await checkSequences({
      verify: ctx.verify,
      settings: round === 0 ? o.settings : { ...o.settings, runs: 1, seed: undefined },
      arbitrary: o.arbitrary,
      what: o.what,
      replayCommand: ctx.target.embedded
        ? `npx vitest run --project suites-${ctx.target.apiVersion} ${o.file} -t ${ctx.behaviour.id}`
        : `npm run conformance -- --filter ${ctx.behaviour.id} --prefix ${ctx.prefix}`,
      run: async (steps, rec) => {
        sent += await runPatchSequence(ctx, rec, steps, {
          resource: o.resource,
          createBody: o.createBody(),
          model: o.model,
          tag: `s${++sequence}`,
          checkVersion: ctx.target.capabilities.etag !== false,
          readBack: o.settings.readBack,
        });
      },
    });
  }
  // Every generated request had an outcome the sources leave open: nothing was compared with the model.
  if (sent === 0) ctx.skip(`none of the requests generated in ${sequence} sequence(s) had a determined outcome, so none was sent`, 'inconclusive');
}
