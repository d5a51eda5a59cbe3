/**
 * Polling for eventually consistent reads: lists and filters of a live org lag writes by a few seconds (a search
 * index). `pollUntil` sends a read until its answer shows what the check wrote, or the wait allowed runs out, and
 * returns the last answer for the check to judge — it never turns a wrong answer into a pass, it only gives the index
 * the time the target's settings allow (SCIM_INDEX_WAIT_MS).
 */

/** Backoff between tries: short first, then steady, so a few seconds of lag cost a few requests. */
export const POLL_DELAYS_MS = [250, 500, 1000, 2000] as const;

export interface Polled<T> {
  answer: T;
  /** Reads sent (1 when the first answer was settled). */
  tries: number;
  waitedMs: number;
  settled: boolean;
}

export async function pollUntil<T>(
  read: () => Promise<T>,
  settled: (answer: T) => boolean,
  waitMs: number,
  clock: { now(): number; sleep(ms: number): Promise<void> } = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
): Promise<Polled<T>> {
  const started = clock.now();
  let answer = await read();
  let tries = 1;
  let ok = settled(answer);
  while (!ok) {
    const left = waitMs - (clock.now() - started);
    if (left <= 0) break;
    await clock.sleep(Math.min(POLL_DELAYS_MS[Math.min(tries - 1, POLL_DELAYS_MS.length - 1)], left));
    answer = await read();
    tries++;
    ok = settled(answer);
  }
  return { answer, tries, waitedMs: clock.now() - started, settled: ok };
}
