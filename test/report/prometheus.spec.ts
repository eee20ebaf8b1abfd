import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/report/prometheus.js';
import type { RunSnapshot } from '../../src/report/snapshot.js';

const SNAP: RunSnapshot = {
  version: 1,
  pid: 42,
  startedAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:05:00.000Z',
  iteration: 3,
  state: 'attached',
  since: '2026-11-28T10:05:00.000Z',
  phases: {
    preflight: { startedAt: '2026-11-28T10:04:00.000Z', seconds: 1.25 },
    starting: { startedAt: '2026-11-28T10:04:02.000Z' },
  },
  outcomes: {
    preflight: [
      { check: 'clobber', status: 'changed', summary: '', durationMs: 1, plan: {} },
      { check: 'purge', status: 'ok', summary: '', durationMs: 1 },
    ],
    postflight: [{ check: 'purge', status: 'failed', summary: '', durationMs: 1 }],
  },
  disabled: false,
  counters: { iterations: 2, retries: 1, halts: 0 },
};

describe('report/prometheus', () => {
  it('renders the Prometheus textfile: one-hot state, counters, phase durations, check outcomes', () => {
    const text = renderMetrics(SNAP);
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(samples.filter((l) => l.startsWith('runner_state{'))).toHaveLength(10);
    expect(samples).toEqual(
      expect.arrayContaining([
        'runner_state{state="attached"} 1',
        'runner_state{state="preflight"} 0',
        'runner_iteration 3',
        'runner_iterations_total 2',
        'runner_retries_total 1',
        'runner_halts_total 0',
        'runner_disabled 0',
        'runner_phase_seconds{phase="preflight"} 1.25',
        'runner_check_status{phase="preflight",check="clobber"} 1',
        'runner_check_status{phase="preflight",check="purge"} 0',
        'runner_check_status{phase="postflight",check="purge"} 2',
        'runner_last_transition_timestamp_seconds 1795860300',
      ]),
    );
    expect(text).not.toContain('phase="starting"'); // still running: no duration yet
    expect(text).toMatch(/^# HELP runner_state .*\n# TYPE runner_state gauge\n/);
    expect(text.endsWith('\n')).toBe(true);
  });
});
