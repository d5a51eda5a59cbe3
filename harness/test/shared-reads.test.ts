import { describe, expect, test } from 'vitest';
import { SharedAnswers } from '../runtime/shared-answers.ts';

/** A fetch that answers from a list and counts its calls. */
function fetcher(answers: string[]) {
  const f = async () => {
    f.calls++;
    const a = answers.shift();
    if (a === undefined) throw new Error('no answer');
    return a;
  };
  f.calls = 0;
  return f;
}

describe('SharedAnswers: one request per key, handed to every reader (ctx.read)', () => {
  test('the first reader fetches; later readers of the same key reuse the answer', async () => {
    const shared = new SharedAnswers<string>();
    const fetch = fetcher(['a']);
    expect(await shared.get('k', fetch)).toEqual({ answer: 'a', reused: false });
    expect(await shared.get('k', fetch)).toEqual({ answer: 'a', reused: true });
    expect(fetch.calls).toBe(1);
  });

  test('readers reading at the same time share one request', async () => {
    const shared = new SharedAnswers<string>();
    const fetch = fetcher(['a']);
    const [x, y] = await Promise.all([shared.get('k', fetch), shared.get('k', fetch)]);
    expect([x.reused, y.reused].sort()).toEqual([false, true]);
    expect(fetch.calls).toBe(1);
  });

  test('keys are separate', async () => {
    const shared = new SharedAnswers<string>();
    const fetch = fetcher(['a', 'b']);
    expect((await shared.get('k1', fetch)).answer).toBe('a');
    expect((await shared.get('k2', fetch)).answer).toBe('b');
  });

  test('a cached answer that is not settled for a reader is fetched again and replaces it', async () => {
    const shared = new SharedAnswers<string>();
    const fetch = fetcher(['lagging', 'listed']);
    expect((await shared.get('k', fetch)).answer).toBe('lagging');
    const listed = (a: string) => a === 'listed';
    expect(await shared.get('k', fetch, listed)).toEqual({ answer: 'listed', reused: false });
    expect(await shared.get('k', fetch, listed)).toEqual({ answer: 'listed', reused: true });
    expect(await shared.get('k', fetch)).toEqual({ answer: 'listed', reused: true });
    expect(fetch.calls).toBe(2);
  });

  test('a failed fetch is not kept: the next reader fetches again', async () => {
    const shared = new SharedAnswers<string>();
    const fetch = fetcher([]);
    await expect(shared.get('k', fetch)).rejects.toThrow('no answer');
    const again = fetcher(['a']);
    expect(await shared.get('k', again)).toEqual({ answer: 'a', reused: false });
  });

  test('an answer `keep` rejects goes to its reader only: a reader waiting on it at the same time fetches its own', async () => {
    const shared = new SharedAnswers<string>();
    const fetch = fetcher(['ambiguous', 'clear']);
    const keep = (a: string) => a !== 'ambiguous';
    const [first, second] = await Promise.all([shared.get('k', fetch, undefined, keep), shared.get('k', fetch, undefined, keep)]);
    expect(first).toEqual({ answer: 'ambiguous', reused: false });
    expect(second).toEqual({ answer: 'clear', reused: false });
    expect(await shared.get('k', fetch, undefined, keep)).toEqual({ answer: 'clear', reused: true });
  });
});
