import type { HostFailure, HostReport, Status } from './types.js';

/** Exit codes of every command: 0 ok, bit 2 drift or changes, bit 4 a failure, bit 8 a host unreachable. */
export const EXIT = { ok: 0, nothingRan: 1, drift: 2, failed: 4, unreachable: 8 } as const;

/** Every status, in the order reports show them (best first; skipped last: nothing was learnt). */
export const STATUSES: readonly Status[] = ['ok', 'drift', 'changed', 'failed', 'unreachable', 'skipped'];

/** The exit bit of each status: the one table (the daemon derives its own from it). */
export const STATUS_BITS: Readonly<Record<Status, number>> = {
  ok: 0,
  skipped: 0,
  drift: EXIT.drift,
  changed: EXIT.drift,
  failed: EXIT.failed,
  unreachable: EXIT.unreachable,
};

/** What a host failure counts as: unreachable when it has a reason, skipped when the run stopped first, else failed. */
export function failureStatus(f: HostFailure): 'unreachable' | 'skipped' | 'failed' {
  if (f.reason !== undefined) return 'unreachable';
  return f.stage === 'interrupted' ? 'skipped' : 'failed';
}

/** A host's statuses: one per result, or its failure's alone when it failed before any check ran. */
export function statusesOf(h: HostReport): Status[] {
  if (h.failure && h.results.length === 0) return [failureStatus(h.failure)];
  return h.results.map((r) => r.status);
}

export function exitCodeFor(reports: readonly HostReport[]): number {
  let code = 0;
  for (const h of reports) {
    if (h.failure) code |= STATUS_BITS[failureStatus(h.failure)];
    for (const s of statusesOf(h)) code |= STATUS_BITS[s];
  }
  return code;
}

export type Tally = Record<Status, number>;

/** Results by status; a host that failed before its checks counts once, as its failure. */
export function tally(reports: readonly HostReport[]): Tally {
  const t: Tally = { ok: 0, drift: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0 };
  for (const h of reports) for (const s of statusesOf(h)) t[s] += 1;
  return t;
}
