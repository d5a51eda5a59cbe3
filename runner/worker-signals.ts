/**
 * setupFile of the suite projects, run in every vitest worker: the worker ignores a first SIGINT. A Ctrl-C reaches
 * the whole process group, workers included; the CLI (bin/conformance.ts) stops the run gracefully, and needs the
 * running check to end with its own clean-up rather than die half-way. A second SIGINT exits at once, like the CLI.
 * SIGTERM is left alone: vitest stops its workers with it.
 */
const KEY = Symbol.for('scim-conformance.worker-signals');
const state = globalThis as unknown as Record<symbol, boolean | undefined>;
if (!state[KEY]) {
  state[KEY] = true;
  let seen = false;
  process.on('SIGINT', () => {
    if (seen) process.exit(130);
    seen = true;
  });
}
