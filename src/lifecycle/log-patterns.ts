/** What a twistd.log line tells the daemon about its worker. */
export type WorkerLogEvent =
  | 'armed-stamp' // the worker polls shutdown.stamp: a touch now drains it
  | 'armed-signal' // the worker handles SIGHUP: a signal now drains it (before this line SIGHUP kills it)
  | 'attaching' // the master is attaching the worker: a drain or stop now would wedge a 3.7 master for this worker name
  | 'attached' // the master finished attaching it: ready for builds
  | 'build-started' // the master pings the worker before every build
  | 'command-started' // a build step starts (counts as a build start only when no ping came first)
  | 'refused' // bad worker name or password: the worker itself would retry for ever
  | 'lost' // connection to the master lost (meaningful after attached)
  | 'draining' // the worker accepted a shutdown request
  | 'stopping'; // the process is ending

import type { LogFormat } from '../config/lifecycle.js';

export type { LogFormat };

type Table = ReadonlyArray<readonly [WorkerLogEvent, RegExp]>;

// Lifecycle lines are identical in buildbot-worker 3.0–3.11 and 4.x (reference/buildbot-worker.md §4);
// the first matching row wins, so the more specific rows come first.
const LIFECYCLE: Table = [
  ['armed-stamp', /Watching .*shutdown\.stamp's mtime to initiate shutdown/],
  ['armed-signal', /Setting up SIGHUP handler to initiate shutdown/],
  // the master prints `attached` while it attaches the worker; the worker logs `ready` once that has completed
  ['attaching', /message from master: attached/],
  ['attached', /Connected to buildmaster; worker is ready/],
  ['build-started', /message from master: ping/],
  ['refused', /unauthorized login; check worker name and password/],
  ['lost', /Scheduling retry \d+ to connect|we lost the brand-new connection/],
  ['draining', /Initiating shutdown because|worker shutting down on command from master/],
  ['stopping', /Main loop terminated\.|Received SIG(TERM|INT), shutting down\./],
];

/** Per buildbot version, as data: extend a table here when a release changes its wording. */
export const LOG_PATTERNS: Record<LogFormat, Table> = {
  'buildbot-3': [...LIFECYCLE, ['command-started', /\] {1,2}startCommand:/]],
  'buildbot-4': [...LIFECYCLE, ['command-started', /\(command [^)]*\): startCommand:/]],
  'buildbot-0.8': [
    ['armed-stamp', /Watching .*shutdown\.stamp's mtime to initiate shutdown/],
    ['armed-signal', /Setting up SIGHUP handler to initiate shutdown/],
    ['attached', /Connected to \S+; slave is ready/],
    ['build-started', /message from master: ping/],
    ['command-started', /\bstartCommand:/],
    ['refused', /unauthorized login; check slave name and password/],
    ['lost', /Lost connection to \S+/],
    ['draining', /Initiating shutdown because|slave shutting down on command from master/],
    ['stopping', /Main loop terminated\.|Received SIG(TERM|INT), shutting down\./],
  ],
};

/** The event a line stands for, or undefined for the many lines that do not matter. */
export function classifyLine(line: string, format: LogFormat): WorkerLogEvent | undefined {
  for (const [event, re] of LOG_PATTERNS[format]) if (re.test(line)) return event;
  return undefined;
}

/**
 * The builder a line names, where the format has it: 0.8 names it in its ping line; 3.x and 4.x name no
 * builder, but a command's `in dir BASEDIR/BUILDER/...` line gives the builder's dir. No format logs a build number.
 */
export function builderIn(line: string, format: LogFormat, basedir: string): string | undefined {
  if (format === 'buildbot-0.8') return /remote_print\(([^)\s]+)\): message from master: ping/.exec(line)?.[1];
  const dir = /^\s*in dir (\S+)/.exec(line)?.[1];
  const base = `${basedir.replace(/\/+$/, '')}/`;
  if (dir === undefined || !dir.startsWith(base)) return undefined;
  return dir.slice(base.length).split('/')[0] || undefined;
}
