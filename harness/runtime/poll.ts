/**
 * Polling for eventually consistent reads: lists and filters of a live org lag writes by a few seconds (a search
 * index). `pollUntil` sends a read until its answer shows what the check wrote, or the wait allowed runs out, and
 * returns the last answer for the check to judge — it never turns a wrong answer into a pass, it only gives the index
 * the time the target's settings allow (SCIM_INDEX_WAIT_MS).
 */

/** Backoff between tries: short first, then steady, so a few seconds of lag cost a few requests. */
export const POLL_DELAYS_MS = [250, 500, 1000, 2000] as const;

/**
 * The lag the target has shown: once a poll has settled after waiting, the next poll that does not settle at once
 * waits about that long before its second read, instead of walking the backoff again (a steady 3 s lag then costs two
 * reads a poll, not five). Learned per worker from the last few polls that walked the backoff (a poll that settled on
 * its learned second read teaches nothing: it would only ratchet the estimate up by its own margin).
 */
export class LagEstimate {
  private readonly seen: number[] = [];
  constructor(private readonly memory = 5) {}
  /** A poll that settled after `waitedMs` (0 when the first read settled: that says nothing about the lag). */
  observe(waitedMs: number): void {
    if (waitedMs <= 0) return;
    this.seen.push(waitedMs);
    if (this.seen.length > this.memory) this.seen.shift();
  }
  /** The wait before a second read: the largest recent lag with a 10 % margin (0 when none seen yet). */
  get ms(): number {
    return this.seen.length ? Math.ceil(Math.max(...this.seen) * 1.1) : 0;
  }
}

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
  lag?: LagEstimate,
): Promise<Polled<T>> {
  const started = clock.now();
  let answer = await read();
  let tries = 1;
  let ok = settled(answer);
  // The second read came after the learned wait: settling then says only that the lag is no longer (nothing to learn).
  let waitedAsLearned = false;
  while (!ok) {
    const left = waitMs - (clock.now() - started);
    if (left <= 0) break;
    const step = POLL_DELAYS_MS[Math.min(tries - 1, POLL_DELAYS_MS.length - 1)];
    // Before the second read: as long as the lag seen so far (less the time the first read took), when that is longer.
    const learned = tries === 1 && lag ? lag.ms - (clock.now() - started) : 0;
    if (learned > step) waitedAsLearned = true;
    await clock.sleep(Math.min(Math.max(step, learned), left));
    answer = await read();
    tries++;
    ok = settled(answer);
  }
  const waitedMs = clock.now() - started;
  if (ok && tries > 1 && !(waitedAsLearned && tries === 2)) lag?.observe(waitedMs);
  return { answer, tries, waitedMs, settled: ok };
}
