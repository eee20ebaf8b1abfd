import { statusesOf } from '../core/outcome.js';
import type { HostReport } from '../core/types.js';

/** One status line, rewritten in place on a terminal: hosts done/total, drift and failures so far. */
export function progressLine(
  write: (s: string) => void,
  total: number,
): { done: (r: HostReport) => void; end: () => void } {
  let done = 0;
  let drift = 0;
  let failed = 0;
  let unreachable = 0;
  const show = () =>
    write(
      `\r\x1b[Kaudit: ${done}/${total} hosts done, ${drift} with drift, ${failed} with failures, ${unreachable} unreachable`,
    );
  show();
  return {
    done(r) {
      done += 1;
      const statuses = statusesOf(r);
      if (statuses.includes('drift')) drift += 1;
      if (statuses.includes('failed')) failed += 1;
      if (r.failure?.reason !== undefined) unreachable += 1;
      show();
    },
    end: () => write('\r\x1b[K'),
  };
}
