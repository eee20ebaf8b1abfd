/**
 * Run-wide: the first caller of a key runs `lookup`, every later caller of that key gets the same promise.
 * A lookup that rejects is forgotten, and whoever was waiting on it runs it again: a rejection means the one
 * who looked it up failed (its host lost, say), not the answer. To share a failure, resolve to it.
 */
export type RunMemo = <T>(key: string, lookup: () => Promise<T>) => Promise<T>;

export function runMemo(): RunMemo {
  const memo = new Map<string, Promise<unknown>>();
  const forget = (key: string, hit: Promise<unknown>) => {
    if (memo.get(key) === hit) memo.delete(key);
  };
  return async function once<T>(key: string, lookup: () => Promise<T>): Promise<T> {
    const hit = memo.get(key) as Promise<T> | undefined;
    if (hit) return hit.catch(() => (forget(key, hit), once(key, lookup)));
    const mine = new Promise<T>((resolve) => resolve(lookup()));
    memo.set(key, mine);
    return mine.catch((err: unknown) => {
      forget(key, mine);
      throw err;
    });
  };
}
