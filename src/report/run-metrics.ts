import type { Result, SpaceFact, Status } from '../core/types.js';
import { STATUSES } from '../core/outcome.js';
import { VERSION } from '../core/version.js';
import type { PurgePlan } from '../checks/purge/plan.js';
import type { TempPlan } from '../checks/temp/schema.js';
import type { Exposition, Labels } from './exposition.js';

// The series every writer shares (the daemon, one-shot check/apply, the audit); each carries its `mode`.

export function exposeBuildInfo(out: Exposition, labels: Labels): void {
  out.sample('runner_build_info', 'info', 'runner version, value 1', { ...labels, version: VERSION }, 1);
}

export function exposeLastRun(out: Exposition, labels: Labels, at: number, exitCode: number): void {
  out.sample('runner_last_run_timestamp_seconds', 'gauge', 'when the last run of checks ended', labels, at);
  out.sample(
    'runner_last_run_exit_code',
    'gauge',
    'exit code of the last run: bit 2 drift or changed, bit 4 failed, bit 8 unreachable',
    labels,
    exitCode,
  );
}

export function exposeChecks(
  out: Exposition,
  labels: Labels,
  checks: ReadonlyArray<{ check: string; status: Status }>,
) {
  const help = 'last outcome of each check: 1 for its status, 0 for the others';
  // one series per status, 1 for the check's current one (enum style)
  for (const { check, status } of checks)
    for (const s of STATUSES)
      out.sample('runner_check_status', 'gauge', help, { ...labels, check, status: s }, s === status ? 1 : 0);
}

/** Free and target bytes per purged base dir (dirs on one filesystem show the same free bytes). */
export function exposeSpace(out: Exposition, labels: Labels, space: readonly SpaceFact[]): void {
  for (const fs of space)
    for (const dir of fs.dirs) {
      out.sample(
        'runner_purge_free_bytes',
        'gauge',
        "free bytes on the base dir's filesystem",
        { ...labels, dir },
        fs.freeBytes,
      );
      if (fs.targetBytes !== undefined)
        out.sample(
          'runner_purge_target_bytes',
          'gauge',
          'free bytes purge keeps (purge.free)',
          { ...labels, dir },
          fs.targetBytes,
        );
    }
}

export function exposePending(out: Exposition, labels: Labels, bytes: number): void {
  out.sample(
    'runner_pending_delete_bytes',
    'gauge',
    'bytes renamed to .deleteme, not yet deleted in the background',
    labels,
    bytes,
  );
}

/** The space facts of a run's results, purge's last. */
export function spaceOf(results: readonly Result[]): SpaceFact[] {
  return results.flatMap((r) => r.space ?? []);
}

/** Bytes a fix deleted, or handed to the background deleter: purge's dirs and temp's entries as measured (clobber measures none). */
export function reclaimedBytes(r: Result): number {
  if (r.status !== 'changed') return 0;
  if (r.check === 'purge') return (r.plan as PurgePlan).delete.reduce((n, i) => n + i.sizeBytes, 0);
  if (r.check === 'temp') return (r.plan as TempPlan).bytes;
  return 0;
}
