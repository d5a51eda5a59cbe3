import { describe, expect, test } from 'vitest';
import { LagEstimate, POLL_DELAYS_MS, pollUntil } from '../runtime/poll.ts';

/** A fake clock: sleeping moves time on, nothing waits for real. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)) };
}

describe('pollUntil: reads until the answer shows the write, within the wait allowed', () => {
  test('an answer settled at once costs one read and no wait', async () => {
    const clock = fakeClock();
    const polled = await pollUntil(async () => 'listed', (a) => a === 'listed', 15_000, clock);
    expect(polled).toEqual({ answer: 'listed', tries: 1, waitedMs: 0, settled: true });
    expect(clock.sleeps).toEqual([]);
  });

  test('a lagging index is read again with backoff until it shows the write', async () => {
    const clock = fakeClock();
    const answers = ['missing', 'missing', 'missing', 'listed'];
    const polled = await pollUntil(async () => answers.shift()!, (a) => a === 'listed', 15_000, clock);
    expect(polled).toMatchObject({ answer: 'listed', tries: 4, settled: true });
    expect(clock.sleeps).toEqual(POLL_DELAYS_MS.slice(0, 3));
  });

  test('when the wait runs out the last answer is returned, unsettled, for the check to judge', async () => {
    const clock = fakeClock();
    const polled = await pollUntil(async () => 'missing', (a) => a === 'listed', 5_000, clock);
    expect(polled).toMatchObject({ answer: 'missing', settled: false, waitedMs: 5_000 });
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(clock.sleeps.every((ms) => ms <= 2_000)).toBe(true);
  });

  test('with no wait allowed (the embedded emulator) it reads once', async () => {
    const clock = fakeClock();
    let reads = 0;
    const polled = await pollUntil(async () => ++reads, () => false, 0, clock);
    expect(polled).toMatchObject({ tries: 1, settled: false });
    expect(reads).toBe(1);
  });

  test('after a lag has been seen, the second read waits about that long instead of walking the backoff', async () => {
    const lag = new LagEstimate();
    // The index shows a write 3 s after it: the fake read answers by the clock.
    const lagging = (clock: ReturnType<typeof fakeClock>) => {
      const start = clock.now();
      return async () => (clock.now() - start >= 3_000 ? 'listed' : 'missing');
    };
    const first = fakeClock();
    const cold = await pollUntil(lagging(first), (a) => a === 'listed', 15_000, first, lag);
    expect(cold).toMatchObject({ settled: true, tries: 5 });
    expect(lag.ms).toBeGreaterThanOrEqual(3_000);
    const second = fakeClock();
    const warm = await pollUntil(lagging(second), (a) => a === 'listed', 15_000, second, lag);
    expect(warm).toMatchObject({ settled: true, tries: 2 });
    const learned = lag.ms;
    expect(second.sleeps).toEqual([learned]);
    // Settling on the learned read does not move the estimate (no ratchet).
    expect(lag.ms).toBe(learned);
  });

  test('a first read that settles teaches nothing, and the learned wait never passes the wait allowed', async () => {
    const lag = new LagEstimate();
    lag.observe(0);
    expect(lag.ms).toBe(0);
    lag.observe(10_000);
    const clock = fakeClock();
    const polled = await pollUntil(async () => 'missing', (a) => a === 'listed', 4_000, clock, lag);
    expect(polled).toMatchObject({ settled: false, waitedMs: 4_000, tries: 2 });
  });
});
