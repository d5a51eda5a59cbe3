/**
 * npm run fuzz -- --requests 50000 [--seed N] [--concurrency 4] [--api-version 2021|2019] [--replay batch:index]
 *
 * The long fuzz run: the generators of emulator/test/fuzz.test.ts (emulator/fuzz/cases.ts), judged the same way
 * (emulator/fuzz/drive.ts), against an in-process emulator in contract mode with the rate limit off. Cases are drawn
 * in batches of BATCH with seed+batch, so a printed `--replay batch:index` (with the same --seed) sends exactly that
 * case again. Prints requests sent, the status histogram, 5xx, non-SCIM error bodies, unanswered requests, max and
 * p99 latency; exits 1 on any 5xx, non-SCIM error body, unanswered request or request over the time bound.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { describeCase, fuzzCase, type FuzzCase } from '../emulator/fuzz/cases.ts';
import { fuzzTarget, judge, send, TIME_BOUND_MS } from '../emulator/fuzz/drive.ts';
import { startEmulator } from '../emulator/server.ts';

const BATCH = 250;
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '50000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    'api-version': { type: 'string', default: '2021' },
    replay: { type: 'string' },
  },
});

const total = Number(values.requests);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const concurrency = Number(values.concurrency);
const apiVersion = values['api-version'];
if (!Number.isInteger(total) || total <= 0 || !Number.isInteger(seed) || !Number.isInteger(concurrency) || concurrency <= 0) {
  console.error('usage: npm run fuzz -- --requests 50000 [--seed N] [--concurrency 4] [--api-version 2021|2019] [--replay batch:index]');
  process.exit(2);
}
if (apiVersion !== '2021' && apiVersion !== '2019') {
  console.error(`--api-version ${apiVersion}: 2021 or 2019`);
  process.exit(2);
}

const batchOf = (b: number): FuzzCase[] => fc.sample(fuzzCase, { seed: seed + b, numRuns: BATCH });

const emu = await startEmulator({ apiVersion, rateLimitPerMinute: 0, contract: { enabled: true } });
const target = await fuzzTarget(emu, concurrency);

if (values.replay !== undefined) {
  const [b, i] = values.replay.split(':').map(Number);
  const c = batchOf(b!)[i!];
  if (!c) throw new Error(`--replay ${values.replay}: no such case`);
  const answer = await send(target, c);
  console.log(describeCase(c));
  console.log(`→ ${answer.status} in ${answer.ms.toFixed(1)} ms ${answer.contentType ?? ''}\n${answer.body.slice(0, 2000)}`);
  const problems = judge(c, answer);
  console.log(problems.length ? `problems:\n  ${problems.join('\n  ')}` : 'no problem');
  await target.close();
  await emu.close();
  process.exit(problems.length ? 1 : 0);
}

console.log(`fuzzing the emulator (API ${apiVersion}, contract mode on) with ${total} requests, seed ${seed}, ${concurrency} in flight, bound ${TIME_BOUND_MS} ms`);
const histogram = new Map<number, number>();
const latencies: number[] = [];
const found: string[] = [];
/** The slowest requests, for the report. */
const slowest: { ms: number; what: string }[] = [];
let sent = 0;
let fiveXX = 0;
let nonScim = 0;
let unanswered = 0;
let slow = 0;
const started = performance.now();

for (let b = 0; sent < total; b++) {
  const cases = batchOf(b).slice(0, total - sent);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      const a = await send(target, c);
      sent++;
      latencies.push(a.ms);
      histogram.set(a.status, (histogram.get(a.status) ?? 0) + 1);
      if (slowest.length < 5 || a.ms > slowest.at(-1)!.ms) {
        slowest.push({ ms: a.ms, what: `--replay ${b}:${i} → ${a.status}  ${describeCase(c)}` });
        slowest.sort((x, y) => y.ms - x.ms).splice(5);
      }
      const problems = judge(c, a);
      if (problems.length === 0) continue;
      if (a.status >= 500) fiveXX++;
      if (a.status === 0) unanswered++;
      if (a.ms > TIME_BOUND_MS) slow++;
      if (problems.some((p) => p.startsWith('not a SCIM error body'))) nonScim++;
      if (found.length < 20) found.push(`--replay ${b}:${i}  ${describeCase(c)}\n    ${problems.join('\n    ')}`);
    }
  }));
  if (sent % 5000 < BATCH || sent === total) {
    console.log(`  ${sent} sent, ${((performance.now() - started) / 1000).toFixed(1)} s, problems: ${fiveXX + nonScim + unanswered + slow}`);
  }
}

latencies.sort((x, y) => x - y);
const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
const statuses = [...histogram].sort(([x], [y]) => x - y).map(([s, n]) => `${s === 0 ? 'none' : s}: ${n}`).join(', ');
console.log(`requests sent: ${sent} in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${seed})`);
console.log(`status histogram: ${statuses}`);
console.log(`5xx: ${fiveXX}; non-SCIM error bodies: ${nonScim}; unanswered: ${unanswered}; over ${TIME_BOUND_MS} ms: ${slow}`);
console.log(`latency: max ${latencies.at(-1)?.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, median ${latencies[latencies.length >> 1]?.toFixed(1)} ms`);
console.log(`slowest:\n${slowest.map((x) => `  ${x.ms.toFixed(1)} ms ${x.what.slice(0, 300)}`).join('\n')}`);
const report = emu.contract!.report();
console.log(`contract report: ${report.summary.requests} requests recorded, ${report.requests.length} listed, ${report.droppedEntries} counted only`);
if (found.length > 0) console.log(`first problems (replay with --seed ${seed}):\n${found.join('\n')}`);

await target.close();
await emu.close();
process.exit(fiveXX + nonScim + unanswered + slow > 0 ? 1 : 0);
