import { Exposition } from './exposition.js';
import { emptyHistogram, exposeHistogram, TURNAROUND_BOUNDS } from './histogram.js';
import { exposeBuildInfo, exposeChecks, exposeLastRun, exposePending, exposeSpace } from './run-metrics.js';
import { STATES, type RunSnapshot } from './snapshot.js';

const DAEMON = { mode: 'daemon' };

/** The daemon's Prometheus textfile for node_exporter's textfile collector; `pendingBytes` from its ledger. Pure. */
export function renderMetrics(s: RunSnapshot, pendingBytes = 0): string {
  const out = new Exposition();
  const gauge = (name: string, help: string, value: number, labels: Record<string, string> = {}) =>
    out.sample(name, 'gauge', help, { ...DAEMON, ...labels }, value);
  const counter = (name: string, help: string, value: number) => out.sample(name, 'counter', help, DAEMON, value);
  exposeBuildInfo(out, DAEMON);
  for (const st of STATES)
    gauge('runner_state', 'state of the runner daemon (1 = in this state)', st === s.state ? 1 : 0, { state: st });
  gauge('runner_iteration', 'current iteration (worker session) number', s.iteration);
  counter('runner_iterations_total', 'iterations completed since the daemon started', s.counters.iterations);
  counter('runner_retries_total', 'failed tries that were retried', s.counters.retries);
  counter('runner_halts_total', 'halts since the daemon started', s.counters.halts);
  counter(
    'runner_reclaimed_bytes_total',
    'bytes purge and temp deleted or deferred for deletion',
    s.counters.reclaimedBytes ?? 0,
  );
  gauge('runner_disabled', '1 while the disable lock holds the worker back', s.disabled ? 1 : 0);
  for (const [phase, p] of Object.entries(s.phases))
    if (p?.seconds !== undefined)
      gauge('runner_phase_seconds', 'duration of each phase in the last iteration', p.seconds, { phase });
  gauge('runner_last_transition_timestamp_seconds', 'when the daemon last changed state', Date.parse(s.since) / 1000);
  if (s.lastRun) exposeLastRun(out, DAEMON, Date.parse(s.lastRun.at) / 1000, s.lastRun.exitCode);
  const checks = Object.entries(s.checks ?? {}).map(([check, o]) => ({ check, status: o.status }));
  exposeChecks(out, DAEMON, checks);
  exposeSpace(out, DAEMON, s.space ?? []);
  exposePending(out, DAEMON, pendingBytes);
  const turnaround = s.turnaround ?? emptyHistogram(TURNAROUND_BOUNDS);
  exposeHistogram(out, 'runner_turnaround_seconds', 'worker exit to the next worker attached', DAEMON, turnaround);
  return out.text();
}
