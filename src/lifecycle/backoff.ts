/** Capped exponential backoff with jitter (milliseconds), as configured in `lifecycle.retry`. */
export interface Backoff {
  base: number;
  factor: number;
  cap: number;
  jitter: number;
}

/** The wait after the `failures`-th failure of a step: min(cap, base × factor^(failures-1)) + random jitter. */
export function backoffDelay(b: Backoff, failures: number, random: () => number = Math.random): number {
  const exp = Math.min(b.cap, b.base * b.factor ** Math.max(0, failures - 1));
  return Math.round(exp + random() * b.jitter);
}
