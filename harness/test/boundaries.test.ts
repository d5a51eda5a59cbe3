/**
 * The suite judges any endpoint: suites/ and harness/ import nothing from emulator/, and the
 * emulator imports nothing from them (DEVELOPERS.md convention 9). A shared module would let a
 * bug in one hide the same bug in the other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  try {
    statSync(abs);
  } catch {
    return [];
  }
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(abs, f));
}

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

function violations(fromDirs: string[], forbidden: string[]): string[] {
  const out: string[] = [];
  for (const dir of fromDirs) {
    for (const file of tsFiles(dir)) {
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, join(file, '..', spec));
        if (forbidden.some((f) => target === f || target.startsWith(`${f}/`))) out.push(`${relative(ROOT, file)} imports ${spec}`);
      }
    }
  }
  return out;
}

test('suites/ and harness/ import nothing from emulator/', () => {
  expect(violations(['suites', 'harness'], ['emulator'])).toEqual([]);
});

test('emulator/ imports nothing from harness/, suites/, runner/ or reporters/', () => {
  expect(violations(['emulator'], ['harness', 'suites', 'runner', 'reporters'])).toEqual([]);
});

test('suites/ make no HTTP or schema-validation calls of their own', () => {
  const direct: string[] = [];
  for (const file of tsFiles('suites')) {
    for (const spec of imports(file)) {
      if (['undici', 'ajv', 'ajv-formats', 'node:http', 'node:https'].includes(spec) || spec === 'http') direct.push(`${relative(ROOT, file)} imports ${spec}`);
    }
  }
  expect(direct).toEqual([]);
});
