/**
 * Import boundaries.
 * - The suite judges any endpoint: suites/ and harness/ import nothing from emulator/, and the emulator imports
 *   nothing from them (DEVELOPERS.md convention 9). A shared module would let a bug in one hide the same bug in the other.
 * - The harness has layers (docs/ARCHITECTURE.md): config ← runtime, config ← oracles ← generators, and checks on top
 *   of all four; a module imports only from its own layer or from the layers it sits on, and no import cycle exists.
 * - suites/ import the harness through harness/index.ts only, and hold only test files.
 * - harness/config/ owns every environment key: nothing else in harness/, suites/ or runner/ reads process.env.
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

/** The relative import targets of a file, as repo-relative paths (type-only imports included). */
function localImports(file: string): string[] {
  return imports(file)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(ROOT, join(file, '..', spec)));
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

/** What each harness layer may import besides itself. index.ts is the entry point over all of them. */
export const LAYERS: Record<string, readonly string[]> = {
  config: [],
  runtime: ['config'],
  oracles: ['config'],
  generators: ['config', 'oracles'],
  checks: ['config', 'runtime', 'oracles', 'generators'],
};

/** The layer of a harness module (its first folder under harness/), 'index' for harness/index.ts, undefined elsewhere. */
function layerOf(path: string): string | undefined {
  const m = /^harness\/(?:([\w-]+)\/.*|index\.ts)$/.exec(path);
  if (!m) return undefined;
  return m[1] ?? 'index';
}

/** Harness modules (not its tests), repo-relative. */
function harnessModules(): string[] {
  return tsFiles('harness')
    .map((f) => relative(ROOT, f))
    .filter((f) => !f.startsWith('harness/test/'));
}

/** Layer violations of an import graph: an import from a layer not in LAYERS[from] (or of an unknown folder). */
export function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const layer = layerOf(from);
    if (layer === undefined) continue;
    if (layer !== 'index' && !(layer in LAYERS)) {
      out.push(`${from} is in no layer (harness/${layer}/ is not one of ${Object.keys(LAYERS).join(', ')})`);
      continue;
    }
    for (const to of targets) {
      const other = layerOf(to);
      if (other === undefined || other === layer || layer === 'index') continue;
      if (other === 'index') out.push(`${from} imports the entry point ${to} (layers import each other directly)`);
      else if (!LAYERS[layer].includes(other)) out.push(`${from} (${layer}) imports ${to} (${other}): ${layer} may import only ${LAYERS[layer].join(', ') || 'itself'}`);
    }
  }
  return out;
}

/** Every import cycle of a graph, each as the list of modules around it (Tarjan's strongly connected components). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function harnessGraph(): Map<string, string[]> {
  return new Map(harnessModules().map((f) => [f, localImports(join(ROOT, f)).filter((t) => t.startsWith('harness/'))]));
}

test('the layer rule and the cycle finder catch an upward import and a cycle', () => {
  const graph = new Map<string, string[]>([
    ['harness/config/a.ts', ['harness/runtime/b.ts']],
    ['harness/runtime/b.ts', ['harness/config/a.ts']],
    ['harness/oracles/c.ts', ['harness/runtime/b.ts', 'harness/oracles/d.ts']],
    ['harness/oracles/d.ts', []],
    ['harness/checks/e.ts', ['harness/index.ts']],
    ['harness/index.ts', ['harness/checks/e.ts']],
  ]);
  expect(layerViolations(graph)).toEqual([
    'harness/config/a.ts (config) imports harness/runtime/b.ts (runtime): config may import only itself',
    'harness/oracles/c.ts (oracles) imports harness/runtime/b.ts (runtime): oracles may import only config',
    'harness/checks/e.ts imports the entry point harness/index.ts (layers import each other directly)',
  ]);
  expect(importCycles(graph)).toEqual([
    ['harness/config/a.ts', 'harness/runtime/b.ts'],
    ['harness/checks/e.ts', 'harness/index.ts'],
  ]);
});

test('every harness module sits in a layer and imports only from the layers below it', () => {
  const graph = harnessGraph();
  expect([...graph.keys()].filter((f) => layerOf(f) === undefined)).toEqual([]);
  expect(layerViolations(graph)).toEqual([]);
});

test('the harness has no import cycle', () => {
  expect(importCycles(harnessGraph())).toEqual([]);
});

test('suites/ import the harness only through harness/index.ts', () => {
  const out: string[] = [];
  for (const file of tsFiles('suites')) {
    for (const target of localImports(file)) {
      if (target.startsWith('harness/') && target !== 'harness/index.ts') out.push(`${relative(ROOT, file)} imports ${target}`);
    }
  }
  expect(out).toEqual([]);
});

test('suites/ hold only test files (check helpers live in harness/checks/)', () => {
  const others = readdirSync(join(ROOT, 'suites'), { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(ROOT, 'suites', f)).isFile() && !f.endsWith('.test.ts'))
    .map((f) => `suites/${f}`);
  expect(others).toEqual([]);
});

test('harness/config/ is the only reader of process.env in harness/, suites/, runner/ and vitest.config.ts', () => {
  const readers: string[] = [];
  const files = [...tsFiles('harness'), ...tsFiles('suites'), ...tsFiles('runner'), join(ROOT, 'vitest.config.ts')]
    .map((f) => relative(ROOT, f))
    // tests start child processes with a clean environment: they pass PATH and HOME on, which is not configuration
    .filter((f) => !f.startsWith('harness/config/') && !/\/test\//.test(f));
  for (const f of files) {
    if (/process\.env\b/.test(readFileSync(join(ROOT, f), 'utf8'))) readers.push(f);
  }
  expect(readers).toEqual([]);
});
