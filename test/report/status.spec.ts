import { describe, expect, it } from 'vitest';
import { renderStatus, statusView, type StatusInput } from '../../src/report/status.js';
import type { RunSnapshot } from '../../src/report/snapshot.js';

const NOW = new Date('2026-12-05T10:05:00.000Z');
const SNAP: RunSnapshot = {
  version: 1,
  pid: 812,
  startedAt: '2026-12-05T09:00:00.000Z',
  updatedAt: '2026-12-05T10:04:00.000Z',
  iteration: 3,
  state: 'failed',
  since: '2026-12-05T10:04:00.000Z',
  phases: {},
  outcomes: {},
  disabled: false,
  counters: { iterations: 2, retries: 1, halts: 0 },
  checks: {
    clobber: {
      phase: 'preflight',
      iteration: 3,
      status: 'failed',
      summary: 'HTTP 500\x1b[31m',
      at: '2026-12-05T10:04:00.000Z',
    },
  },
  next: { action: 'retry clobber', at: '2026-12-05T10:06:00.000Z' },
  last: 'failed: preflight clobber: HTTP 500; try 2 of 5 in 2m',
};
const input = (o: Partial<StatusInput> = {}): StatusInput => ({
  config: '/etc/runner/runner.yaml',
  lastRun: '/var/lib/runner/last_run.json',
  snap: SNAP,
  running: true,
  lock: { path: '/var/lib/runner/disabled.json', status: { state: 'none' }, summary: 'enabled' },
  pending: [],
  now: NOW,
  ...o,
});

describe('report/status: runner status for a person and for scripts', () => {
  it('state and since when, the iteration, each check, the lock, the next action with its time; bytes made printable', () => {
    expect(renderStatus(statusView(input()), NOW)).toBe(
      [
        'runner daemon: running (pid 812); failed since 2026-12-05T10:04:00.000Z (1m ago)',
        'iteration: 3 (2 done, 1 retries, 0 halts since the daemon started)',
        'lock: enabled',
        'checks (last outcome):',
        '  clobber  failed    preflight of iteration 3, 2026-12-05T10:04:00.000Z: HTTP 500\\x1b[31m',
        'next: retry clobber (at 2026-12-05T10:06:00.000Z, in 1m)',
        'last: failed: preflight clobber: HTTP 500; try 2 of 5 in 2m',
        '',
      ].join('\n'),
    );
  });

  it('a daemon gone without its final line says so; one never run says that; pending deletions show when there are any', () => {
    const gone = statusView(input({ running: false }));
    expect(gone.next.action).toMatch(/^none: the daemon \(pid 812\) is gone without a final line/);
    expect(renderStatus(gone, NOW)).toMatch(/^runner daemon: not running \(was pid 812\); failed since/);
    const never = statusView(input({ snap: null, running: false }));
    expect(never).toMatchObject({ state: 'never-run', checks: [], pendingDeletions: [] });
    expect(renderStatus(never, NOW)).toMatch(/^runner daemon: not running; it has never run here/);
    const pending = statusView(input({ pending: [{ path: '/builds/a.deleteme', bytes: 2e9 }] }));
    expect(renderStatus(pending, NOW)).toContain('pending deletions: 1 (2.0 GB)\n  /builds/a.deleteme 2.0 GB\n');
    expect(renderStatus(statusView(input()), NOW)).not.toContain('pending deletions');
  });
});
