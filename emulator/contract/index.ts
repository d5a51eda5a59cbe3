/**
 * Connector contract mode (EmulatorOptions.contract): the emulator keeps serving as usual and, for every request,
 * records which parts of the documented request contract of the running API version it breaks (rules.ts), then
 * reports it: `GET /contract/report` (JSON; `?format=text` for the markdown summary; `DELETE` starts afresh), and
 * files contract-report.json / contract-report.md in reportDir on each report request and when the emulator closes.
 *
 * The adapter (server.ts) tags each SCIM route with its operation (route config `scimContract`); everything else
 * happens in the fastify hooks installed here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiVersion } from '../http-types.ts';
import type { OperationsTable } from '../operations.ts';
import { prepareBodyValidators } from './body-schemas.ts';
import { checkRequest, type ContractRoute } from './check.ts';
import { loadRequestContract } from './documented.ts';
import { ContractRecorder, type ContractReport } from './recorder.ts';

export { RULES, type RuleDef, type RuleId, type Violation, type Severity } from './rules.ts';
export { checkRequest, type ContractRequest, type ContractRoute } from './check.ts';
export { ContractRecorder, renderMarkdown, type ContractEntry, type ContractReport } from './recorder.ts';

export interface ContractOptions {
  enabled: boolean;
  /** Where contract-report.json and contract-report.md are written (on report requests and at close); none: no files. */
  reportDir?: string;
}

/** What RunningEmulator.contract exposes (tests, embedding code). */
export interface ContractHandle {
  report(): ContractReport;
  /** The markdown summary. */
  text(): string;
  reset(): void;
  /** Writes the report files into reportDir (no-op without one); returns their paths. */
  write(): Promise<string[]>;
}

/** Route config key the adapter sets on SCIM routes. */
export const CONTRACT_ROUTE_CONFIG = 'scimContract';

export interface InstallOptions {
  apiVersion: ApiVersion;
  operations: OperationsTable;
  contract: ContractOptions;
  /** The live token behind an Authorization header (undefined: none, not bearer, unknown or expired). */
  lookupToken(authorization: string | undefined): { clientId: string; permissions: ReadonlySet<string> } | undefined;
  now?: () => number;
}

const NOT_RECORDED = /^\/(?:oauth\/token|contract\/report)\/?(?:\?|$)/i;

/** Installs the recording hooks and the report endpoint on the root instance (before the SCIM routes register). */
export function installContractMode(app: FastifyInstance, opts: InstallOptions): ContractHandle {
  prepareBodyValidators();
  const contract = loadRequestContract();
  const recorder = new ContractRecorder(opts.apiVersion, opts.now);
  const parsed = new WeakSet<FastifyRequest>();
  const dir = opts.contract.reportDir;

  app.addHook('preValidation', (request, _reply, done) => {
    parsed.add(request);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    try {
      const url = request.url;
      if (NOT_RECORDED.test(url)) return done();
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const config = (request.routeOptions?.config ?? {}) as unknown as Record<string, unknown>;
      const route = config[CONTRACT_ROUTE_CONFIG] as ContractRoute | undefined;
      const token = opts.lookupToken(request.headers.authorization);
      const query = (request.query ?? {}) as Record<string, string | string[]>;
      const violations = checkRequest(
        { apiVersion: opts.apiVersion, operations: opts.operations, contract },
        {
          method: request.method,
          path,
          query,
          headers: request.headers,
          body: request.body,
          bodyParsed: parsed.has(request),
          status: reply.statusCode,
          route,
          token,
        },
      );
      const entry = route ? opts.operations.versions[opts.apiVersion].operations[route.operation]?.prefixes[route.prefix] : undefined;
      recorder.record({
        method: request.method,
        path,
        query,
        operation: entry?.operationId ?? route?.operation,
        status: reply.statusCode,
        client: token?.clientId,
        headers: request.headers,
        violations,
      });
    } catch (err) {
      request.log.error({ err }, 'contract mode: could not record the request');
    }
    done();
  });

  const write = async () => (dir ? recorder.write(dir) : []);

  app.route({
    method: ['GET', 'DELETE'],
    url: '/contract/report',
    handler: async (request, reply) => {
      if (request.method === 'DELETE') {
        recorder.reset();
        return reply.code(204).send();
      }
      const report = recorder.report();
      await write();
      const format = (request.query as Record<string, unknown> | undefined)?.format;
      if (format === 'text' || format === 'markdown' || format === 'md') {
        return reply.type('text/markdown; charset=utf-8').send(recorder.text(report));
      }
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(report, null, 2));
    },
  });

  app.addHook('onClose', async () => {
    await write();
  });

  return {
    report: () => recorder.report(),
    text: () => recorder.text(),
    reset: () => recorder.reset(),
    write,
  };
}
