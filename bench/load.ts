/**
 * Load generator, run as a child process by bench/run.ts so it does not share the server's event loop.
 * argv[2] is JSON: { url, path, headers, durationMs, warmupMs, connections, pipelining }.
 * Prints one JSON line: { requests, non2xx, errors, seconds, rps, p50Ms, p99Ms, rssMb }.
 */
import { Pool } from 'undici';

interface LoadArgs {
  url: string;
  path: string;
  headers: Record<string, string>;
  durationMs: number;
  warmupMs: number;
  connections: number;
  pipelining: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as LoadArgs;
const pool = new Pool(args.url, { connections: args.connections, pipelining: args.pipelining, keepAliveTimeout: 30_000 });

let measuring = false;
let stop = false;
let requests = 0;
let non2xx = 0;
let errors = 0;
const latencies: number[] = [];

async function worker(): Promise<void> {
  while (!stop) {
    const t0 = performance.now();
    try {
      const res = await pool.request({ method: 'GET', path: args.path, headers: args.headers });
      await res.body.dump();
      if (measuring) {
        requests++;
        if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
        if ((requests & 7) === 0) latencies.push(performance.now() - t0);
      }
    } catch {
      if (measuring) errors++;
    }
  }
}

const inflight = args.connections * args.pipelining;
const workers = Array.from({ length: inflight }, () => worker());
await new Promise((r) => setTimeout(r, args.warmupMs));
measuring = true;
const start = performance.now();
await new Promise((r) => setTimeout(r, args.durationMs));
measuring = false;
const seconds = (performance.now() - start) / 1000;
stop = true;
await Promise.all(workers);
await pool.close();

latencies.sort((a, b) => a - b);
const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! : 0);
console.log(JSON.stringify({
  requests,
  non2xx,
  errors,
  seconds,
  rps: requests / seconds,
  p50Ms: pct(0.5),
  p99Ms: pct(0.99),
  rssMb: process.memoryUsage().rss / 2 ** 20,
}));
