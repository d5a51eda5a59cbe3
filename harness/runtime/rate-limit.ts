/**
 * Client-side request budget: a token bucket refilled at `perMinute / 60` per second with a small burst.
 * Against Genesys Cloud (300 requests/min per client) the suite stays under the limit instead of
 * relying on 429s. perMinute = 0 disables the limiter.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perMinute: number,
    burst = Math.max(1, Math.min(10, Math.floor(perMinute / 30))),
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.capacity = burst;
    this.tokens = burst;
    this.last = now();
    this.perMs = perMinute / 60_000;
  }

  /** Resolves when the caller may send one request. Callers are served in order. */
  acquire(): Promise<void> {
    if (this.perMinute <= 0) return Promise.resolve();
    const turn = this.queue.then(() => this.take());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.capacity, this.tokens + (t - this.last) * this.perMs);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil((1 - this.tokens) / this.perMs));
    }
  }
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date), clamped to [0, max]. */
export function retryAfterMs(header: string | undefined, maxMs = 60_000, now = Date.now()): number {
  if (!header) return 1000;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Math.min(maxMs, Number(s) * 1000);
  const date = Date.parse(s);
  if (!Number.isNaN(date)) return Math.min(maxMs, Math.max(0, date - now));
  return 1000;
}
