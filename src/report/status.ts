import type { LockStatus } from '../core/lock.js';
import { printable } from '../core/text.js';
import { formatBytes, formatDuration } from '../core/units.js';
import type { PendingDeletion } from '../lifecycle/pending-deletions.js';
import type { CheckOutcome, NextAction, RunSnapshot } from './snapshot.js';

/** `runner status --format json` (version 1): what the daemon is doing, for scripts. */
export interface StatusView {
  version: 1;
  config: string;
  lastRun: string;
  /** the daemon process of last_run.json is alive */
  running: boolean;
  pid?: number;
  /** `never-run`: there is no last_run.json yet */
  state: RunSnapshot['state'] | 'never-run';
  since?: string;
  updatedAt?: string;
  iteration?: number;
  counters?: RunSnapshot['counters'];
  worker?: Record<string, unknown>;
  checks: Array<CheckOutcome & { check: string }>;
  lock: { path: string; state: LockStatus['state']; summary: string };
  pendingDeletions: PendingDeletion[];
  next: NextAction;
  last?: string;
}

export interface StatusInput {
  config: string;
  lastRun: string;
  snap: RunSnapshot | null;
  running: boolean;
  lock: { path: string; status: LockStatus; summary: string };
  pending: PendingDeletion[];
  now: Date;
}

/** Pure. A daemon that is gone without its final line has no next action of its own: say so. */
export function statusView(i: StatusInput): StatusView {
  const lock = { path: i.lock.path, state: i.lock.status.state, summary: i.lock.summary };
  const base = { version: 1 as const, config: i.config, lastRun: i.lastRun, running: i.running, lock };
  if (!i.snap)
    return {
      ...base,
      state: 'never-run',
      checks: [],
      pendingDeletions: i.pending,
      next: { action: 'start it: runner daemon' },
    };
  const s = i.snap;
  const gone = !i.running && s.state !== 'exit';
  const next = gone
    ? { action: `none: the daemon (pid ${s.pid}) is gone without a final line (killed?); start it again` }
    : (s.next ?? { action: 'unknown (written by an older runner)' });
  const checks = Object.entries(s.checks ?? {}).map(([check, o]) => ({ check, ...o }));
  return {
    ...base,
    pid: s.pid,
    state: s.state,
    since: s.since,
    updatedAt: s.updatedAt,
    iteration: s.iteration,
    counters: s.counters,
    ...(s.worker ? { worker: s.worker } : {}),
    checks,
    pendingDeletions: i.pending,
    next,
    ...(s.last ? { last: s.last } : {}),
  };
}

/** For a person: one fact a line. Pure; the build user's bytes (summaries) are made printable. */
export function renderStatus(v: StatusView, now: Date): string {
  const ago = (iso: string) => `${iso} (${formatDuration(now.getTime() - Date.parse(iso))} ago)`;
  const lines: string[] = [];
  const proc = v.running
    ? `running (pid ${v.pid})`
    : v.pid === undefined
      ? 'not running'
      : `not running (was pid ${v.pid})`;
  if (v.state === 'never-run') lines.push(`runner daemon: ${proc}; it has never run here (no ${v.lastRun})`);
  else lines.push(`runner daemon: ${proc}; ${v.state} since ${ago(v.since as string)}`);
  if (v.iteration !== undefined && v.counters) {
    const c = v.counters;
    lines.push(
      `iteration: ${v.iteration} (${c.iterations} done, ${c.retries} retries, ${c.halts} halts since the daemon started)`,
    );
  }
  if (v.worker?.pid !== undefined) {
    // `how` is set once the session has ended: that worker is gone
    const ended = v.worker.how === undefined ? '' : ` (its session ended: ${String(v.worker.how)})`;
    lines.push(`worker: pid ${String(v.worker.pid)}${ended}, ${String(v.worker.builds ?? 0)} builds started`);
  }
  lines.push(`lock: ${printable(v.lock.summary)}`);
  if (v.checks.length) {
    lines.push('checks (last outcome):');
    const width = Math.max(...v.checks.map((c) => c.check.length));
    for (const c of v.checks)
      lines.push(
        `  ${c.check.padEnd(width)}  ${c.status.padEnd(9)} ${c.phase} of iteration ${c.iteration}, ${c.at}: ${printable(c.summary)}`,
      );
  }
  if (v.pendingDeletions.length) {
    const bytes = v.pendingDeletions.reduce((n, p) => n + (p.bytes ?? 0), 0);
    lines.push(`pending deletions: ${v.pendingDeletions.length} (${formatBytes(bytes)})`);
    for (const p of v.pendingDeletions)
      lines.push(`  ${printable(p.path)}${p.bytes === undefined ? '' : ` ${formatBytes(p.bytes)}`}`);
  }
  const when = v.next.at ? ` (at ${v.next.at}, in ${formatDuration(Date.parse(v.next.at) - now.getTime())})` : '';
  lines.push(`next: ${v.next.action}${when}`);
  if (v.last) lines.push(`last: ${printable(v.last)}`);
  return `${lines.join('\n')}\n`;
}
