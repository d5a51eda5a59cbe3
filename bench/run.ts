/**
 * npm run bench [-- --case spc --duration 5 --connections 8 --pipelining 4]
 * npm run bench -- --case patch-pbt   (generated PATCH cases per second; see bench/patch-pbt.ts)
 * npm run bench -- --case real-org [--ideal]   (the whole suite against the live-org emulator: requests, wall time)
 *
 * Starts the emulator (rate limit off) and a bare node:http server answering a same-size JSON
 * body, then loads each with keep-alive GETs from a child process (bench/load.ts, undici Pool
 * with pipelining) and prints requests/s, the ratio emulator/bare, latency and RSS.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator/server.ts';
import { BENCH_CASES, isCustomCase } from './cases.ts';

const { values } = parseArgs({
  options: {
    case: { type: 'string', default: 'spc' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '8' },
    pipelining: { type: 'string', default: '4' },
    'api-version': { type: 'string' },
    ideal: { type: 'boolean' },
    filter: { type: 'string' },
  },
});

interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number;
}

const loadScript = fileURLToPath(new URL('./load.ts', import.meta.url));

function runLoad(url: string, path: string, headers: Record<string, string>): Promise<LoadResult> {
  const args = {
    url,
    path,
    headers,
    durationMs: Number(values.duration) * 1000,
    warmupMs: Number(values.warmup) * 1000,
    connections: Number(values.connections),
    pipelining: Number(values.pipelining),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', loadScript, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult);
      } catch (err) {
        reject(err);
      }
    });
  });
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0).padStart(7)} req/s  (${r.requests} in ${r.seconds.toFixed(1)} s, non-2xx ${r.non2xx}, errors ${r.errors}, ` +
  `p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, load-gen RSS ${r.rssMb.toFixed(0)} MB)`;

if (values.case === 'real-org') {
  // Not a throughput case: the whole suite against the live-org emulator (bench/real-org.ts).
  const { realOrg } = await import('./real-org.ts');
  await realOrg(process.argv.slice(2));
  process.exit(0);
}
const benchCase = BENCH_CASES.find((c) => c.name === values.case);
if (!benchCase) {
  console.error(`unknown --case ${values.case}; known: ${BENCH_CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}

const rssStart = process.memoryUsage().rss;
const emu = await startEmulator({ rateLimitPerMinute: 0 });
const admin = emu.clients.find((c) => c.name === 'admin')!;
const tokenRes = await fetch(`${emu.url}/oauth/token`, {
  method: 'POST',
  headers: {
    authorization: `Basic ${Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials',
});
const { access_token: token } = (await tokenRes.json()) as { access_token: string };
if (isCustomCase(benchCase)) {
  console.log(`bench ${benchCase.name}: ${benchCase.description}; ${values.duration} s after ${values.warmup} s warm-up; ${values.connections} workers`);
  console.log(
    await benchCase.run({
      emu,
      token,
      durationMs: Number(values.duration) * 1000,
      warmupMs: Number(values.warmup) * 1000,
      connections: Number(values.connections),
    }),
  );
  await emu.close();
  process.exit(0);
}
const path = await benchCase.prepare(emu, token);
const headers = { authorization: `Bearer ${token}`, accept: 'application/scim+json' };

// A same-size JSON body for the bare server.
const sample = await fetch(emu.url + path, { headers });
const sampleBody = await sample.text();
if (sample.status !== 200) throw new Error(`bench case ${benchCase.name}: ${sample.status} ${sampleBody}`);
const bareBody = Buffer.from(sampleBody);
const bare: Server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/scim+json; charset=utf-8', 'content-length': bareBody.length });
  res.end(bareBody);
});
bare.keepAliveTimeout = 30_000;
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

console.log(`bench ${benchCase.name}: ${benchCase.description}; body ${bareBody.length} bytes; ` +
  `${values.duration} s per target after ${values.warmup} s warm-up; ${values.connections} connections x pipelining ${values.pipelining}`);

/** Load a target and measure this (server) process's CPU time per request while it runs. */
async function measure(url: string): Promise<LoadResult & { cpuUsPerReq: number }> {
  const cpu0 = process.cpuUsage();
  const r = await runLoad(url, path, headers);
  const cpu = process.cpuUsage(cpu0);
  // includes warm-up requests, which are not counted: an upper bound, comparable between targets
  const total = r.requests * (1 + Number(values.warmup) / Number(values.duration));
  return { ...r, cpuUsPerReq: (cpu.user + cpu.system) / total };
}

const emuResult = await measure(emu.url);
const rssAfterEmu = process.memoryUsage().rss;
console.log(`  emulator  ${fmt(emuResult)}; server CPU ~${emuResult.cpuUsPerReq.toFixed(1)} µs/req`);
const bareResult = await measure(bareUrl);
console.log(`  bare http ${fmt(bareResult)}; server CPU ~${bareResult.cpuUsPerReq.toFixed(1)} µs/req`);
console.log(`  ratio emulator/bare: throughput ${(emuResult.rps / bareResult.rps).toFixed(2)}, ` +
  `server CPU per request ${(emuResult.cpuUsPerReq / bareResult.cpuUsPerReq).toFixed(2)}x ` +
  `(2 cores shared with the load generator: throughput may be load-generator bound)`);
console.log(`  server process RSS: start ${mb(rssStart)} MB, after emulator load ${mb(rssAfterEmu)} MB, end ${mb(process.memoryUsage().rss)} MB`);

await emu.close();
await new Promise<void>((r) => { bare.closeAllConnections(); bare.close(() => r()); });
