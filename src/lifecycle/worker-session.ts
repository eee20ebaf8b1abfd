import { lifecyclePaths, type Lifecycle } from '../config/lifecycle.js';
import type { Host } from '../core/types.js';
import type { DaemonState } from '../report/snapshot.js';
import { launchSpec } from './launch.js';
import type { Recorder } from './recorder.js';
import { notStarted, runSession, type SessionOutcome } from './run-session.js';
import type { SessionView } from './session-driver.js';
import { sessionEnding } from './ending.js';
import { ConfigError } from '../core/errors.js';

/** The `starting` state's effect: one worker session, from launch to the last leftover stopped, and its record. */
export async function workerSession(
  host: Host,
  rec: Recorder,
  lc: Lifecycle,
  signal: AbortSignal,
  hard: AbortSignal,
  view: SessionView,
  onAttached: () => void = () => {},
): Promise<SessionOutcome> {
  rec.event('starting', { basedir: lc.worker.basedir }, `starting the worker in ${lc.worker.basedir}`, 'starting');
  const spec = await launchSpec(host, lc.worker).catch((err: Error) => err);
  const outcome: SessionOutcome =
    spec instanceof Error
      ? notStarted(spec.message, undefined, spec instanceof ConfigError ? 'config' : 'start-failed')
      : await runSession({
          host,
          basedir: lc.worker.basedir,
          spec,
          format: lc.worker.log_format,
          pidFile: lifecyclePaths(lc).pidFile,
          cfg: {
            via: lc.drain.via,
            afterFirstJob: lc.drain.after_first_job,
            attachMs: lc.attach_timeout,
            deadlineMs: lc.drain.deadline,
            ...(lc.drain.max_session === undefined ? {} : { maxSessionMs: lc.drain.max_session }),
          },
          stopGraceMs: lc.drain.stop_grace,
          signal,
          hard,
          view,
          report: (what, fields) => {
            sessionReport(rec, what, fields ?? {});
            if (what === 'attached') onAttached();
          },
        });
  recordSession(rec, outcome);
  return outcome;
}

const STATE_OF: Partial<Record<string, DaemonState>> = {
  attached: 'attached',
  're-attached': 'attached',
  draining: 'draining',
};

function sessionReport(rec: Recorder, what: string, fields: Record<string, unknown>): void {
  // while it runs, last_run.json names the worker and counts its builds (runner status shows them)
  if (what === 'started') rec.snap.worker = { pid: fields.pid, builds: 0 };
  if (what === 'build-started' && rec.snap.worker) rec.snap.worker.builds = Number(rec.snap.worker.builds) + 1;
  const detail = fields.detail === undefined ? '' : `: ${String(fields.detail)}`;
  rec.event(what, fields, `worker ${what}${detail}`, STATE_OF[what]);
}

function recordSession(rec: Recorder, o: SessionOutcome): void {
  const spans: Array<[string, number | undefined, number | undefined]> = [
    ['starting', o.at.start, o.at.attached],
    ['attached', o.at.attached, o.at.drain ?? o.at.exit],
    ['draining', o.at.drain, o.at.exit],
  ];
  for (const [name, from, to] of spans) {
    if (from !== undefined && to !== undefined)
      rec.snap.phases[name] = { startedAt: new Date(from).toISOString(), seconds: (to - from) / 1000 };
  }
  const ending = sessionEnding(o);
  const worker = {
    pid: o.pid,
    attached: o.attached,
    builds: o.builds,
    how: ending.end,
    drain: o.drain,
    acknowledged: o.acknowledged ?? false,
    stopped: o.stopped,
    exit: o.exit,
    swept: o.swept,
    failure: o.failure,
    why: o.why,
  };
  rec.snap.worker = worker;
  if (!o.failure) rec.snap.counters.iterations += 1;
  const how = o.failure ? `failed: ${o.why}` : `exit ${o.exit?.signal ?? o.exit?.code}: ${ending.text}`;
  const swept = o.swept.length ? `; stopped ${o.swept.length} leftover processes of its session` : '';
  const line =
    o.pid === undefined ? `worker not started: ${o.why}` : `worker stopped after ${o.builds} builds, ${how}${swept}`;
  rec.event('stopped', worker, line, 'stopped');
}
