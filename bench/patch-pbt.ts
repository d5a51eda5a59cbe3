/**
 * Bench case `patch-pbt`: generated PATCH cases per second against the emulator. Each of `connections` workers owns
 * a user; per case it generates a request (harness/generators/patch-requests.ts, valid and invalid mixed 3:1), predicts it with
 * the model (harness/oracles/patch-model.ts), sends it over HTTP (undici keep-alive pool) and compares the answer with the
 * prediction. Reports cases/s (generation + model + HTTP), the share of undetermined cases (not sent), latency and
 * disagreements with the model (expected 0).
 */
import fc from 'fast-check';
import { Pool } from 'undici';
import type { RunningEmulator } from '../emulator/server.ts';
import { instantiate, invalidUserPatch, validUserPatch, type UserPatchArbContext } from '../harness/generators/patch-requests.ts';
import { applyPatch } from '../harness/oracles/patch/apply.ts';
import { compareResource, modelFromResource } from '../harness/oracles/patch/compare.ts';
import type { ModelOptions, ResourceModel } from '../harness/oracles/patch/model.ts';

export interface CustomBenchContext {
  emu: RunningEmulator;
  token: string;
  durationMs: number;
  warmupMs: number;
  connections: number;
}

const PREFIX = '/api/v2/scim/v2';
const BATCH = 50;

export async function benchPatchCases(c: CustomBenchContext): Promise<string> {
  const pool = new Pool(c.emu.url, { connections: c.connections, keepAliveTimeout: 30_000 });
  const headers = { authorization: `Bearer ${c.token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
  const call = async (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) => {
    const res = await pool.request({ method, path: PREFIX + path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  };
  const createUser = async (label: string, extra: Record<string, unknown> = {}) => {
    const res = await call('POST', '/users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `bench-${label}-${Date.now()}@example.com`,
      displayName: `Bench ${label}`,
      active: true,
      ...extra,
    });
    if (res.status !== 201) throw new Error(`bench patch-pbt: creating a user answered ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };

  const manager = await createUser('manager');
  const org = { role: 'Supervisor', division: 'Sales Division', routingSkill: 'Billing', routingLanguage: 'English' };
  const opts: ModelOptions = {
    apiVersion: c.emu.apiVersion,
    known: { roles: [org.role, 'employee'], divisions: [org.division, 'Home'], skills: [org.routingSkill], languages: [org.routingLanguage], userIds: [manager.id] },
  };

  let measuring = false;
  let stop = false;
  const stats = { cases: 0, sent: 0, undetermined: 0, disagreements: 0, genMs: 0, latencies: [] as number[] };
  let firstDisagreement: string | undefined;

  const worker = async (w: number) => {
    const arbCtx: UserPatchArbContext = { apiVersion: c.emu.apiVersion, org, managerIds: [manager.id], namePrefix: `bench-w${w}-{{seq}}` };
    const arb = fc.oneof({ weight: 3, arbitrary: validUserPatch(arbCtx) }, { weight: 1, arbitrary: invalidUserPatch(arbCtx) });
    const created = await call('POST', '/users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `bench-w${w}-${Date.now()}@example.com`,
      displayName: `Bench worker ${w}`,
      active: true,
      phoneNumbers: [{ type: 'work', value: '+13175550100' }],
      emails: [{ type: 'work', value: 'bench.work@example.com' }],
      roles: [{ value: org.role }],
    });
    let model: ResourceModel = modelFromResource('users', created.body);
    let seed = w * 1_000_003;
    while (!stop) {
      const t0 = performance.now();
      const batch = fc.sample(arb, { numRuns: BATCH, seed: seed++ });
      if (measuring) stats.genMs += performance.now() - t0;
      for (const req of batch) {
        if (stop) break;
        const body = instantiate(req.body, 's');
        const out = applyPatch(model, body, opts);
        if (measuring) stats.cases++;
        if (out.kind === 'undetermined') {
          if (measuring) stats.undetermined++;
          continue;
        }
        const t1 = performance.now();
        const res = await call('PATCH', `/users/${model.id}`, body);
        if (measuring) {
          stats.sent++;
          stats.latencies.push(performance.now() - t1);
        }
        const agrees =
          out.kind === 'ok'
            ? res.status === 200 && compareResource(out.state, res.body).length === 0
            : res.status === 400 && out.accept.includes(res.body?.scimType);
        if (!agrees) {
          if (measuring) stats.disagreements++;
          firstDisagreement ??= `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)} (model: ${out.kind})`;
          // resynchronise with what the server holds
          model = modelFromResource('users', (await call('GET', `/users/${model.id}`)).body);
        } else if (out.kind === 'ok') {
          model = out.state;
        }
      }
    }
  };

  const workers = Array.from({ length: c.connections }, (_, i) => worker(i + 1));
  await new Promise((r) => setTimeout(r, c.warmupMs));
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, c.durationMs));
  const seconds = (performance.now() - started) / 1000;
  measuring = false;
  stop = true;
  await Promise.all(workers);
  await pool.close();

  const lat = stats.latencies.sort((a, b) => a - b);
  const pct = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] : 0);
  return [
    `  ${(stats.cases / seconds).toFixed(0).padStart(7)} generated PATCH cases/s (${stats.cases} in ${seconds.toFixed(1)} s; generation + model + HTTP, ${c.connections} workers)`,
    `  ${(stats.sent / seconds).toFixed(0).padStart(7)} PATCH requests/s sent (${stats.undetermined} cases undetermined by the model, not sent: ${((100 * stats.undetermined) / Math.max(1, stats.cases)).toFixed(1)}%)`,
    `  generation alone: ${((stats.genMs / Math.max(1, stats.cases)) * 1000).toFixed(0)} µs per case per worker; PATCH latency p50 ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms`,
    `  disagreements with the model: ${stats.disagreements}${firstDisagreement ? ` (first: ${firstDisagreement})` : ''}`,
  ].join('\n');
}
