import type { PurgeOptions } from '../checks/purge/schema.js';
import type { RunnerConfig } from '../config/load.js';
import { pendingBytesOn, type PendingLedger } from '../core/pending.js';
import { count } from '../core/text.js';
import type { Host } from '../core/types.js';
import { formatBytes } from '../core/units.js';
import { reapPending } from '../remediations/pending/reap.js';
import type { Recorder } from './recorder.js';
import { recordReap } from './reaper.js';

/**
 * The hard floor under deferred deletion: before a worker starts, every purge base dir's filesystem must have
 * `purge.min_free_to_start` really free. Below it, what is pending deletion there is deleted at once (in the
 * foreground); still below, the worker does not start. Returns why not, or undefined when it may start.
 */
export async function belowFloor(
  host: Host,
  config: RunnerConfig,
  ledger: PendingLedger,
  rec: Recorder,
): Promise<string | undefined> {
  const opts = config.checks.find((c) => c.id === 'purge')?.options as PurgeOptions | undefined;
  const floor = opts?.min_free_to_start;
  if (!opts || floor === undefined) return undefined;
  const seen = new Set<number>();
  for (const dir of opts.dirs) {
    const st = await host.lstat(dir);
    if (st === null || st.type !== 'dir' || seen.has(st.dev)) continue;
    seen.add(st.dev);
    let free = await host.freeBytes(dir);
    const here = ledger.entries().filter((e) => e.dev === st.dev);
    if (free < floor && here.length) {
      rec.event(
        'floor-deleting',
        { dir, freeBytes: free, floorBytes: floor, entries: here.length },
        `${dir}: ${formatBytes(free)} free, below purge.min_free_to_start (${formatBytes(floor)}): deleting ${count(here.length, 'pending entry', 'pending entries')} there now, before the worker starts`,
      );
      const started = Date.now();
      recordReap(rec, await reapPending(host, ledger, (e) => here.includes(e)), started, ledger);
      free = await host.freeBytes(dir);
    }
    if (free >= floor) continue;
    const pending = pendingBytesOn(ledger.entries(), st.dev);
    const why = `${dir} has ${formatBytes(free)} free, below purge.min_free_to_start (${formatBytes(floor)})${pending ? `, with ${formatBytes(pending)} still pending deletion` : ''}`;
    rec.event(
      'floor',
      { dir, freeBytes: free, floorBytes: floor, pendingBytes: pending },
      `worker not started: ${why}`,
    );
    return why;
  }
  return undefined;
}
