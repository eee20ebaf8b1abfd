import { exitCodeFor } from '../core/outcome.js';
import type { Result } from '../core/types.js';
import { emptyHistogram, observe, TURNAROUND_BOUNDS } from '../report/histogram.js';
import { reclaimedBytes, spaceOf } from '../report/run-metrics.js';
import type { RunSnapshot } from '../report/snapshot.js';

// What the daemon keeps for its textfile across iterations, updated as things happen (pure, on the snapshot).

/** A phase's checks finished (this try's `results`; `all`: the phase's so far): last run, space, reclaimed bytes. */
export function recordChecks(
  snap: RunSnapshot,
  phase: 'preflight' | 'postflight',
  results: readonly Result[],
  all: readonly Result[],
  at: Date,
): void {
  const exitCode = exitCodeFor([{ host: 'this host', results: [...all] }]);
  snap.lastRun = { phase, at: at.toISOString(), exitCode };
  const space = spaceOf(results);
  if (space.length) snap.space = space;
  const freed = results.reduce((n, r) => n + reclaimedBytes(r), 0);
  snap.counters.reclaimedBytes = (snap.counters.reclaimedBytes ?? 0) + freed;
}

/** Turnaround: from a worker's exit (`stopped`) to the next worker `attached`. */
export function recordTurnaround(snap: RunSnapshot, event: string, at: Date): void {
  if (event === 'stopped') snap.stoppedAt = at.toISOString();
  if (event !== 'attached' || !snap.stoppedAt) return;
  observe((snap.turnaround ??= emptyHistogram(TURNAROUND_BOUNDS)), (at.getTime() - Date.parse(snap.stoppedAt)) / 1000);
  delete snap.stoppedAt;
}
