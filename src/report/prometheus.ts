import type { Result } from '../core/types.js';
import { STATES, type RunSnapshot } from './snapshot.js';

const CHECK_VALUE: Record<Result['status'], number> = {
  ok: 0,
  skipped: 0,
  changed: 1,
  drift: 1,
  failed: 2,
  unreachable: 2,
};

/** The Prometheus textfile for node_exporter's textfile collector. Pure. */
export function renderMetrics(s: RunSnapshot): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, rows: Array<[string, number]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of rows) out.push(`${name}${labels} ${value}`);
  };
  metric(
    'runner_state',
    'gauge',
    'current state of runner daemon (1 = in this state)',
    STATES.map((st) => [`{state="${st}"}`, st === s.state ? 1 : 0]),
  );
  metric('runner_iteration', 'gauge', 'current iteration (worker session) number', [['', s.iteration]]);
  metric('runner_iterations_total', 'counter', 'iterations completed since the daemon started', [
    ['', s.counters.iterations],
  ]);
  metric('runner_retries_total', 'counter', 'failed tries that were retried', [['', s.counters.retries]]);
  metric('runner_halts_total', 'counter', 'halts since the daemon started', [['', s.counters.halts]]);
  metric('runner_disabled', 'gauge', '1 while the disable lock holds the worker back', [['', s.disabled ? 1 : 0]]);
  const phases = Object.entries(s.phases).filter(([, p]) => p?.seconds !== undefined);
  metric(
    'runner_phase_seconds',
    'gauge',
    'duration of each phase in the last iteration',
    phases.map(([ph, p]) => [`{phase="${ph}"}`, p?.seconds as number]),
  );
  const checks = (['preflight', 'postflight'] as const).flatMap((phase) =>
    (s.outcomes[phase] ?? []).map((r): [string, number] => [
      `{phase="${phase}",check="${r.check}"}`,
      CHECK_VALUE[r.status],
    ]),
  );
  metric('runner_check_status', 'gauge', 'last outcome of each check: 0 ok or skipped, 1 changed, 2 failed', checks);
  metric('runner_last_transition_timestamp_seconds', 'gauge', 'when the daemon last changed state', [
    ['', Date.parse(s.since) / 1000],
  ]);
  return `${out.join('\n')}\n`;
}
