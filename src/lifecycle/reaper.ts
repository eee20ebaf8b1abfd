import { pendingPath, type PendingEntry, type PendingLedger } from '../core/pending.js';
import { describeError } from '../core/errors.js';
import { count } from '../core/text.js';
import type { Host } from '../core/types.js';
import { formatBytes } from '../core/units.js';
import { reapPending, type ReapReport } from '../remediations/pending/reap.js';
import type { Recorder } from './recorder.js';

/**
 * Deletes the ledger's pending entries in the background while the worker is attached: one process at a time,
 * at idle I/O and CPU priority, stopped (its process group killed) when the worker's session ends, so it never
 * runs beside a check or a start. What it did not get to stays recorded for the next session, or the next start.
 */
export class Reaper {
  private run: { stop: AbortController; done: Promise<void> } | undefined;

  constructor(
    private readonly host: Host,
    private readonly ledger: PendingLedger,
    private readonly rec: Recorder,
  ) {}

  start(): void {
    const todo = this.ledger.entries();
    if (this.run || todo.length === 0) return;
    const stop = new AbortController();
    const started = Date.now();
    this.rec.event(
      'deleting',
      { entries: todo.length, bytes: bytes(todo) },
      `deleting ${count(todo.length, 'pending entry', 'pending entries')} (${formatBytes(bytes(todo))}) in the background, at idle priority`,
    );
    const done = reapPending(this.host, this.ledger, () => true, { idle: true, stop: stop.signal }).then(
      (r) => recordReap(this.rec, r, started, this.ledger),
      (err: unknown) =>
        this.rec.event(
          'warning',
          { detail: `background deletion: ${describeError(err)}` },
          `background deletion failed: ${describeError(err)}`,
        ),
    );
    this.run = { stop, done };
  }

  /** Stops the deletion under way, if any; resolves once its processes are gone and the ledger is written. */
  async stop(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    run.stop.abort();
    await run.done;
  }
}

/** One `deleted` event per pass, and one per entry left alone (never one per entry deleted). */
export function recordReap(rec: Recorder, r: ReapReport, started: number, ledger: PendingLedger): void {
  for (const { entry, why } of r.refused)
    rec.event(
      'delete-refused',
      { path: pendingPath(entry), why },
      `left alone, not deleted: ${pendingPath(entry)}: ${why}; forgotten`,
    );
  for (const { entry, why } of r.failed)
    rec.event('delete-failed', { path: pendingPath(entry), why }, `${pendingPath(entry)}: ${why}; tried again later`);
  const left = ledger.entries();
  const seconds = (Date.now() - started) / 1000;
  const fields = {
    entries: r.deleted.length,
    bytes: bytes(r.deleted),
    seconds,
    stopped: r.stopped,
    left: left.length,
    leftBytes: bytes(left),
  };
  const how = r.stopped ? 'stopped with the session' : 'done';
  rec.event(
    'deleted',
    fields,
    `background deletion ${how}: ${count(r.deleted.length, 'entry', 'entries')} (${formatBytes(fields.bytes)}) in ${seconds.toFixed(1)} s; ${left.length} pending`,
  );
}

function bytes(entries: readonly PendingEntry[]): number {
  return entries.reduce((n, e) => n + e.bytes, 0);
}
