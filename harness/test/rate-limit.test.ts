import { describe, expect, test } from 'vitest';
import { RateLimiter, retryAfterMs } from '../runtime/rate-limit.ts';

function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    get time() {
      return now;
    },
  };
}

describe('RateLimiter', () => {
  test('lets a burst through, then spaces requests at the configured rate', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(300, 5, clock.now, clock.sleep);
    for (let i = 0; i < 5; i++) await limiter.acquire();
    expect(clock.time).toBe(0);
    for (let i = 0; i < 10; i++) await limiter.acquire();
    // 300/min = one every 200 ms
    expect(clock.time).toBe(2000);
  });

  test('never exceeds the budget over a minute', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(120, 4, clock.now, clock.sleep);
    let sent = 0;
    while (clock.time < 60_000) {
      await limiter.acquire();
      if (clock.time < 60_000) sent++;
    }
    expect(sent).toBeLessThanOrEqual(120 + 4);
    expect(sent).toBeGreaterThanOrEqual(120);
  });

  test('0 disables it', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(0, 1, clock.now, clock.sleep);
    for (let i = 0; i < 100; i++) await limiter.acquire();
    expect(clock.sleeps).toHaveLength(0);
  });
});

describe('retryAfterMs', () => {
  test.for([
    { name: 'seconds', header: '3', expected: 3000 },
    { name: 'absent', header: undefined, expected: 1000 },
    { name: 'garbage', header: 'soon', expected: 1000 },
    { name: 'capped', header: '3600', expected: 60_000 },
  ])('$name', ({ header, expected }) => {
    expect(retryAfterMs(header)).toBe(expected);
  });

  test('HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', 60_000, now)).toBe(5000);
  });
});
