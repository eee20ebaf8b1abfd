import { describe, expect, it } from 'vitest';
import { runMemo } from '../../src/core/memo.js';

/** A promise settled from outside, so the test decides who is still waiting when it settles. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('runMemo', () => {
  it('runs the first lookup of a key only; every later caller gets its answer, other keys their own', async () => {
    const once = runMemo();
    const calls: string[] = [];
    const gate = deferred<string>();
    const lookup = (who: string) => () => (calls.push(who), gate.promise);
    const answers = Promise.all([once('a', lookup('h1')), once('a', lookup('h2')), once('a', lookup('h3'))]);
    const other = once('b', async () => (calls.push('b'), 'B'));
    gate.resolve('A');
    expect(await answers).toEqual(['A', 'A', 'A']);
    expect(await other).toBe('B');
    expect(await once('a', lookup('late'))).toBe('A');
    expect(calls).toEqual(['h1', 'b']);
  });

  it('forgets a rejected lookup: its caller gets the rejection, a waiter runs its own lookup', async () => {
    const once = runMemo();
    const first = deferred<string>();
    const calls: string[] = [];
    const failed = once('a', () => (calls.push('h1'), first.promise));
    const waiting = once('a', async () => (calls.push('h2'), 'from h2'));
    const third = once('a', async () => (calls.push('h3'), 'from h3'));
    first.reject(new Error('h1 lost'));
    await expect(failed).rejects.toThrow('h1 lost');
    expect(await waiting).toBe('from h2');
    // the third waiter joins the second's lookup rather than running a third
    expect(await third).toBe('from h2');
    expect(calls).toEqual(['h1', 'h2']);
  });

  it('a lookup that throws at once is a rejection like any other', async () => {
    const once = runMemo();
    await expect(
      once('a', () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await once('a', async () => 'yes')).toBe('yes');
  });

  it('remembers nothing from one memo (one run) to the next', async () => {
    let n = 0;
    const lookup = async () => ++n;
    expect(await runMemo()('a', lookup)).toBe(1);
    expect(await runMemo()('a', lookup)).toBe(2);
  });
});
