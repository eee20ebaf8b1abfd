import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/core/version.js';
import { recordChecks, recordTurnaround } from '../../src/lifecycle/metrics-state.js';
import { makeDocument } from '../../src/report/document.js';
import { escapeLabel } from '../../src/report/exposition.js';
import { renderMetrics } from '../../src/report/prometheus.js';
import { renderRunMetrics } from '../../src/report/run-prometheus.js';
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
  outcomes: {},
  checks: {
    clobber: { phase: 'preflight', iteration: 3, status: 'changed', summary: '', at: '2026-11-28T10:04:01.000Z' },
    purge: { phase: 'postflight', iteration: 2, status: 'failed', summary: '', at: '2026-11-28T10:03:00.000Z' },
  },
  disabled: false,
  counters: { iterations: 2, retries: 1, halts: 0 },
};

const samples = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

/** promtool's linter on the text (naming conventions, types, _total, units). */
function lint(text: string): string {
  return execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
}

describe('report/prometheus: the daemon textfile', () => {
  it('one series per state and per check status, counters, phases, build info; every series has mode="daemon"', () => {
    const text = renderMetrics(SNAP, 2048);
    const rows = samples(text);
    expect(rows.filter((l) => l.startsWith('runner_state{'))).toHaveLength(10);
    expect(rows).toEqual(
      expect.arrayContaining([
        `runner_build_info{mode="daemon",version="${VERSION}"} 1`,
        'runner_state{mode="daemon",state="attached"} 1',
        'runner_state{mode="daemon",state="preflight"} 0',
        'runner_iteration{mode="daemon"} 3',
        'runner_iterations_total{mode="daemon"} 2',
        'runner_retries_total{mode="daemon"} 1',
        'runner_halts_total{mode="daemon"} 0',
        'runner_reclaimed_bytes_total{mode="daemon"} 0',
        'runner_disabled{mode="daemon"} 0',
        'runner_phase_seconds{mode="daemon",phase="preflight"} 1.25',
        'runner_check_status{mode="daemon",check="clobber",status="changed"} 1',
        'runner_check_status{mode="daemon",check="clobber",status="ok"} 0',
        'runner_check_status{mode="daemon",check="purge",status="failed"} 1',
        'runner_pending_delete_bytes{mode="daemon"} 2048',
        'runner_turnaround_seconds_bucket{mode="daemon",le="+Inf"} 0',
        'runner_turnaround_seconds_count{mode="daemon"} 0',
        'runner_last_transition_timestamp_seconds{mode="daemon"} 1795860300',
      ]),
    );
    expect(rows.filter((l) => l.startsWith('runner_check_status{'))).toHaveLength(12);
    expect(rows.every((l) => l.includes('mode="daemon"'))).toBe(true);
    expect(text).not.toContain('phase="starting"'); // still running: no duration yet
    expect(text).not.toContain('runner_last_run_'); // no phase finished yet
    expect(text).toMatch(/^# HELP runner_build_info .*\n# TYPE runner_build_info gauge\n/);
    expect(lint(text)).toBe('');
  });

  it('keeps the last run, the purged space, reclaimed bytes and the turnaround histogram across iterations', () => {
    const snap: RunSnapshot = structuredClone(SNAP);
    const plan = { delete: [{ sizeBytes: 3000 }, { sizeBytes: 1000 }], volumes: [], protected: [] };
    const space = [{ dirs: ['/builds/a', '/builds/b'], freeBytes: 5e9, targetBytes: 2e10 }];
    const purge = { check: 'purge', status: 'changed' as const, summary: '', durationMs: 1, plan, space };
    const failed = { check: 'tools', status: 'failed' as const, summary: '', durationMs: 1 };
    recordChecks(snap, 'postflight', [purge], [failed, purge], new Date('2026-11-28T10:10:00Z'));
    recordChecks(snap, 'postflight', [purge], [purge], new Date('2026-11-28T10:20:00Z'));
    for (const [event, at] of [
      ['stopped', '2026-11-28T10:00:00Z'],
      ['attached', '2026-11-28T10:00:04Z'],
      ['attached', '2026-11-28T10:00:09Z'], // a re-attach in the same session is no turnaround
      ['stopped', '2026-11-28T11:00:00Z'],
      ['attached', '2026-11-28T11:15:00Z'],
    ] as const)
      recordTurnaround(snap, event, new Date(at));
    const rows = samples(renderMetrics(snap));
    expect(rows).toEqual(
      expect.arrayContaining([
        'runner_last_run_timestamp_seconds{mode="daemon"} 1795861200',
        'runner_last_run_exit_code{mode="daemon"} 2',
        'runner_reclaimed_bytes_total{mode="daemon"} 8000',
        'runner_purge_free_bytes{mode="daemon",dir="/builds/a"} 5000000000',
        'runner_purge_free_bytes{mode="daemon",dir="/builds/b"} 5000000000',
        'runner_purge_target_bytes{mode="daemon",dir="/builds/a"} 20000000000',
        'runner_turnaround_seconds_bucket{mode="daemon",le="2"} 0',
        'runner_turnaround_seconds_bucket{mode="daemon",le="5"} 1',
        'runner_turnaround_seconds_bucket{mode="daemon",le="600"} 1',
        'runner_turnaround_seconds_bucket{mode="daemon",le="1800"} 2',
        'runner_turnaround_seconds_bucket{mode="daemon",le="+Inf"} 2',
        'runner_turnaround_seconds_sum{mode="daemon"} 904',
        'runner_turnaround_seconds_count{mode="daemon"} 2',
      ]),
    );
    recordChecks(snap, 'preflight', [failed], [failed], new Date('2026-11-28T10:30:00Z'));
    expect(samples(renderMetrics(snap))).toContain('runner_last_run_exit_code{mode="daemon"} 4');
    expect(lint(renderMetrics(snap))).toBe('');
  });
});

describe('report/run-prometheus: check, apply and audit', () => {
  it('label values are escaped as the exposition format says: backslash, double quote, newline', () => {
    expect(escapeLabel('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const hostile = '/builds/x"} 1\nrunner_evil 1 #\\';
    const doc = makeDocument('check', new Date('2026-11-28T10:00:00Z'), [
      {
        host: 'bld-01',
        results: [
          { check: 'purge', status: 'ok', summary: '', durationMs: 1, space: [{ dirs: [hostile], freeBytes: 7 }] },
        ],
      },
    ]);
    const text = renderRunMetrics(doc);
    expect(samples(text)).toContain(
      'runner_purge_free_bytes{mode="check",dir="/builds/x\\"} 1\\nrunner_evil 1 #\\\\"} 7',
    );
    expect(text).not.toMatch(/^runner_evil/m);
    expect(text).not.toContain('runner_purge_target_bytes'); // no target configured
    expect(lint(text)).toBe('');
  });

  it('an audit labels every host series with host; a host that failed before its checks gets its stage row', () => {
    const doc = makeDocument('audit', new Date('2026-11-28T10:00:00Z'), [
      { host: 'bld-01', results: [{ check: 'purge', status: 'drift', summary: '', durationMs: 1, plan: {} }] },
      {
        host: 'bld-02',
        results: [],
        failure: { stage: 'connect', reason: 'refused', detail: 'ECONNREFUSED' },
      },
      {
        host: 'bld-03',
        results: [{ check: 'temp', status: 'ok', summary: '', durationMs: 1 }],
        pending: { path: '/var/lib/runner/pending.json', entries: 1, bytes: 99, summary: '' },
      },
    ]);
    const text = renderRunMetrics(doc);
    const rows = samples(text);
    expect(rows).toEqual(
      expect.arrayContaining([
        `runner_build_info{mode="audit",version="${VERSION}"} 1`,
        'runner_last_run_exit_code{mode="audit",host="bld-01"} 2',
        'runner_last_run_exit_code{mode="audit",host="bld-02"} 8',
        'runner_last_run_exit_code{mode="audit",host="bld-03"} 0',
        'runner_check_status{mode="audit",host="bld-01",check="purge",status="drift"} 1',
        'runner_check_status{mode="audit",host="bld-02",check="connect",status="unreachable"} 1',
        'runner_pending_delete_bytes{mode="audit",host="bld-03"} 99',
      ]),
    );
    // the families stay whole across hosts: one HELP each
    expect(text.match(/# HELP runner_check_status /g)).toHaveLength(1);
    expect(lint(text)).toBe('');
  });
});
