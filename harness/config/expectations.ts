/**
 * Known failures of third-party targets: expectations/<target>.json.
 * A listed behaviour that fails is reported as a known failure (the run stays green);
 * a listed behaviour that passes fails the run, so the file never goes stale.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Expectation {
  id: string;
  /** A prefix such as /api/v2/scim, or "*" (default) for all. */
  prefix?: string;
  reason: string;
}

export interface ExpectationsFile {
  target: string;
  description?: string;
  failures: Expectation[];
}

export const EXPECTATIONS_DIR = fileURLToPath(new URL('../../expectations/', import.meta.url));

export function expectationsPath(targetName: string): string {
  return `${EXPECTATIONS_DIR}${targetName}.json`;
}

export function parseExpectations(text: string, source: string): ExpectationsFile {
  const problems: string[] = [];
  let data: any;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (!data || typeof data !== 'object' || typeof data.target !== 'string') problems.push('"target" (string) is required');
  if (!Array.isArray(data?.failures)) problems.push('"failures" (array) is required');
  else {
    data.failures.forEach((f: any, i: number) => {
      if (typeof f?.id !== 'string') problems.push(`failures[${i}].id is required`);
      if (typeof f?.reason !== 'string' || !f.reason.trim()) problems.push(`failures[${i}].reason is required: say why it fails`);
      if (f?.prefix !== undefined && typeof f.prefix !== 'string') problems.push(`failures[${i}].prefix must be a string`);
    });
  }
  if (problems.length) throw new Error(`${source}:\n  - ${problems.join('\n  - ')}`);
  return data as ExpectationsFile;
}

export function loadExpectations(targetName: string): ExpectationsFile | undefined {
  const path = expectationsPath(targetName);
  if (!existsSync(path)) return undefined;
  return parseExpectations(readFileSync(path, 'utf8'), path);
}

export function findExpectation(file: ExpectationsFile | undefined, id: string, prefix: string): Expectation | undefined {
  return file?.failures.find((f) => f.id === id && (f.prefix === undefined || f.prefix === '*' || f.prefix === prefix));
}
