/**
 * Answers several checks judge (ctx.read): one request per key, its answer handed to every later reader. A reader
 * may say when an answer is good enough for it (`settled`, for lists and filters that lag writes): a cached answer
 * that is not is fetched again (the fetch polls), and the new answer replaces it for everyone after.
 */
export interface Shared<A> {
  answer: A;
  /** The answer was fetched for an earlier reader (the request is counted there). */
  reused: boolean;
}

export class SharedAnswers<A> {
  private readonly answers = new Map<string, Promise<A>>();

  /**
   * `keep`: whether a fresh answer may be handed to later readers (default: always); one it rejects goes to this reader
   * only, and the next reader fetches again.
   */
  async get(key: string, fetch: () => Promise<A>, settled?: (answer: A) => boolean, keep?: (answer: A) => boolean): Promise<Shared<A>> {
    for (;;) {
      const cached = this.answers.get(key);
      if (!cached) break;
      let answer: { value: A } | undefined;
      try {
        answer = { value: await cached };
      } catch {
        answer = undefined;
      }
      // Replaced while this reader waited: look at the newer answer. Dropped (failed, or not to be handed on): fetch.
      if (this.answers.get(key) !== cached) {
        if (this.answers.has(key)) continue;
        break;
      }
      if (answer && (!settled || settled(answer.value))) return { answer: answer.value, reused: true };
      break;
    }
    const fresh = fetch();
    this.answers.set(key, fresh);
    // A failed fetch is not kept: the next reader sends it again.
    fresh.then(
      (answer) => {
        if (keep && !keep(answer) && this.answers.get(key) === fresh) this.answers.delete(key);
      },
      () => {
        if (this.answers.get(key) === fresh) this.answers.delete(key);
      },
    );
    return { answer: await fresh, reused: false };
  }

  /** Drops the answer under `key` (the state it showed is gone): the next reader fetches again. */
  forget(key: string): void {
    this.answers.delete(key);
  }
}
