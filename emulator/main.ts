/**
 * `npm run emulator`: start the SCIM emulator in the foreground.
 * Env: PORT (default 4010), HOST (default 127.0.0.1), SCIM_API_VERSION (2021 | 2019, default 2021),
 * RATE_LIMIT_PER_MINUTE (default 300, 0 = off), EMULATOR_LOG (1 = fastify request logging),
 * SCIM_CONTRACT_MODE (true = connector contract mode), SCIM_CONTRACT_REPORT_DIR (default reports/contract),
 * SCIM_EMULATOR_PROFILE (default | live) and, for live, the SCIM_LIVE_* knobs of live.ts (LIVE_ENV).
 */
import { describeLive, LIVE_ENV, liveOptionsFromEnv, type LiveOptions } from './live.ts';
import { isApiVersion, SCIM_PREFIXES } from './operations.ts';
import { startEmulator } from './server.ts';

function fail(message: string): never {
  console.error(`emulator: ${message}`);
  process.exit(2);
}

const port = process.env.PORT === undefined || process.env.PORT === '' ? 4010 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid PORT ${process.env.PORT}`);
const host = process.env.HOST || '127.0.0.1';
const apiVersion = process.env.SCIM_API_VERSION || '2021';
if (!isApiVersion(apiVersion)) fail(`invalid SCIM_API_VERSION ${apiVersion} (expected 2021 or 2019)`);
const rate = process.env.RATE_LIMIT_PER_MINUTE;
const rateLimitPerMinute = rate === undefined || rate === '' ? 300 : Number(rate);
if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 0) fail(`invalid RATE_LIMIT_PER_MINUTE ${rate}`);
const contractMode = (process.env.SCIM_CONTRACT_MODE ?? '').trim().toLowerCase();
if (!['', 'true', 'false', '1', '0'].includes(contractMode)) fail(`invalid SCIM_CONTRACT_MODE ${process.env.SCIM_CONTRACT_MODE} (true or false)`);
const contractEnabled = contractMode === 'true' || contractMode === '1';
const contractDir = process.env.SCIM_CONTRACT_REPORT_DIR || 'reports/contract';
const profile = (process.env.SCIM_EMULATOR_PROFILE || 'default').trim().toLowerCase();
if (profile !== 'default' && profile !== 'live') fail(`invalid SCIM_EMULATOR_PROFILE ${process.env.SCIM_EMULATOR_PROFILE} (default or live)`);
let live: LiveOptions | undefined;
try {
  if (profile === 'live') live = liveOptionsFromEnv(process.env);
} catch (err) {
  fail((err as Error).message);
}
const ignored = Object.values(LIVE_ENV).filter((name) => profile !== 'live' && (process.env[name] ?? '') !== '');
if (ignored.length > 0) console.warn(`emulator: ${ignored.join(', ')} ignored: they apply with SCIM_EMULATOR_PROFILE=live`);

const emulator = await startEmulator({
  host,
  port,
  apiVersion,
  rateLimitPerMinute,
  logger: process.env.EMULATOR_LOG === '1',
  ...(contractEnabled ? { contract: { enabled: true, reportDir: contractDir } } : {}),
  ...(live ? { live } : {}),
}).catch((err: Error) => fail(err.message));
const effectiveRate = emulator.live ? emulator.live.rateLimitPerMinute : rateLimitPerMinute;

const admin = emulator.clients.find((c) => c.name === 'admin') ?? emulator.clients[0];
const lines = [
  `Genesys Cloud SCIM emulator (API version ${emulator.apiVersion}) listening on ${emulator.url}`,
  `  SCIM base URLs: ${SCIM_PREFIXES.map((p) => emulator.url + p).join('  ')}`,
  `  token endpoint: POST ${emulator.url}/oauth/token`,
  `  profile: ${emulator.live ? describeLive(emulator.live) : 'default (no added latency, faults or index lag)'}`,
  `  rate limit: ${effectiveRate === 0 ? 'off' : `${effectiveRate}/min per token`}`,
  ...(contractEnabled
    ? [`  contract mode: on; report: GET ${emulator.url}/contract/report (?format=text), files in ${contractDir}/ (on each report request and at exit)`]
    : []),
  '  demo clients (client id / secret: permissions):',
  ...emulator.clients.map(
    (c) => `    ${c.name.padEnd(9)} ${c.clientId} / ${c.clientSecret}: ${c.permissions.length ? c.permissions.join(', ') : '(none)'}`,
  ),
  '  example:',
  `    TOKEN=$(curl -s -u ${admin?.clientId}:${admin?.clientSecret} -d grant_type=client_credentials ${emulator.url}/oauth/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
  `    curl -H "Authorization: Bearer $TOKEN" ${emulator.url}${SCIM_PREFIXES[1]}/serviceproviderconfig`,
];
console.log(lines.join('\n'));

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: closing emulator`);
  emulator.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
