import type { HostReport, Status } from './types.js';

/** Exit codes of every command: 0 ok, bit 2 drift or changes, bit 4 a failure, bit 8 a host unreachable. */
export const EXIT = { ok: 0, nothingRan: 1, drift: 2, failed: 4, unreachable: 8 } as const;

const BITS: Record<Status, number> = {
  ok: 0,
  skipped: 0,
  drift: EXIT.drift,
  changed: EXIT.drift,
  failed: EXIT.failed,
  unreachable: EXIT.unreachable,
};

export function exitCodeFor(reports: readonly HostReport[]): number {
  let code = 0;
  for (const report of reports) {
    if (report.unreachable !== undefined) code |= EXIT.unreachable;
    for (const r of report.results) code |= BITS[r.status];
  }
  return code;
}

export type Tally = Record<Status, number>;

export function tally(reports: readonly HostReport[]): Tally {
  const t: Tally = { ok: 0, drift: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0 };
  for (const report of reports) for (const r of report.results) t[r.status] += 1;
  return t;
}
