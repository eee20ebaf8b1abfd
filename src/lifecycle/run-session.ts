import { join } from 'node:path';
import type { Host } from '../core/types.js';
import { stopSession } from '../host/kill.js';
import { spawnWorker, type SpawnSpec, type WorkerExit, type WorkerProcess } from '../host/spawn.js';
import { unlinkEntry } from '../host/unlink.js';
import type { LogFormat } from './log-patterns.js';
import type { DrainReason, SessionConfig, SessionFailure, SessionState } from './session.js';
import { Driver, type SessionView } from './session-driver.js';
import { Tail } from './tail.js';
import { clearStalePid, stampBaseline } from './worker.js';

export interface SessionOptions {
  /** writes the pid file (atomically: a symlink there is replaced, never written through) */
  host: Host;
  basedir: string;
  spec: SpawnSpec;
  format: LogFormat;
  cfg: SessionConfig;
  stopGraceMs: number;
  /** the worker's pid is written here while it runs (e.g. for processes.protect) */
  pidFile: string;
  /** first SIGTERM/SIGINT: drain; `hard` (the second): stop the session at once */
  signal: AbortSignal;
  hard: AbortSignal;
  /** the daemon reads the running session's state through this when a signal arrives */
  view: SessionView;
  report(what: string, fields?: Record<string, unknown>): void;
}

export interface SessionOutcome {
  /** `config`: the worker cannot start as configured (say, no such user): never retried into a halt */
  failure?: SessionFailure | 'already-running' | 'start-failed' | 'config' | 'below-floor';
  why?: string;
  interrupted: boolean;
  attached: boolean;
  builds: number;
  drain?: DrainReason;
  /** the worker logged that it was shutting down gracefully */
  acknowledged?: boolean;
  stopped?: SessionState['stopped'];
  pid?: number;
  exit?: WorkerExit;
  /** processes left in the worker's session after it exited, stopped by us */
  swept: number[];
  /** epoch ms of each step of the session */
  at: { start: number; attached?: number; drain?: number; exit?: number };
}

/** Starts the worker, follows it through its log until it exits, and leaves nothing of its session behind. */
export async function runSession(o: SessionOptions): Promise<SessionOutcome> {
  const at: SessionOutcome['at'] = { start: Date.now() };
  const pre = await clearStalePid(o.basedir);
  if (pre.removed) o.report('stale-pid', { detail: pre.removed });
  if (pre.running)
    return {
      failure: 'already-running',
      why: pre.running,
      interrupted: false,
      attached: false,
      builds: 0,
      swept: [],
      at,
    };
  if (pre.refused) return notStarted(pre.refused, at);
  const baseline = await stampBaseline(o.basedir);
  const driver = new Driver(o, baseline, at);
  const tail = new Tail(
    join(o.basedir, 'twistd.log'),
    (line) => driver.line(line),
    100,
    (problem) => o.report('warning', { detail: problem }),
  );
  // a twistd.log that is a FIFO or a symlink cannot be followed: a failed try, before any worker runs
  const unfollowable = await tail.start().then(
    () => undefined,
    (err: Error) => err,
  );
  if (unfollowable) return notStarted(unfollowable.message, at);
  let proc: WorkerProcess;
  try {
    proc = await spawnWorker(o.spec);
  } catch (err) {
    await tail.stop();
    return notStarted((err as Error).message, at);
  }
  await o.host
    .writeFile(o.pidFile, `${proc.pid}\n`, { mode: 0o644 })
    .catch((err: Error) => o.report('warning', { detail: `cannot write ${o.pidFile}: ${err.message}` }));
  o.report('started', { pid: proc.pid, argv: o.spec.argv });
  const state = await driver.run(proc, tail);
  const exit = await proc.exited;
  await driver.settled();
  const { killed, terminated } = await stopSession(proc.pid, o.stopGraceMs);
  // unlink removes whatever is at the path (ours, or a symlink planted since) and never follows
  await unlinkEntry(o.pidFile).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') o.report('warning', { detail: `cannot remove ${o.pidFile}: ${err.message}` });
  });
  const swept = [...new Set([...terminated, ...killed])];
  const failure = state.failure;
  const why = failure ? describeFailure(failure, exit, proc.output()) : undefined;
  return {
    ...(failure ? { failure, why } : {}),
    interrupted: state.interrupted,
    attached: state.everAttached,
    builds: state.builds,
    ...((state.drain ?? state.pending) ? { drain: state.drain ?? state.pending } : {}),
    ...(state.acknowledged ? { acknowledged: true } : {}),
    ...(state.stopped ? { stopped: state.stopped } : {}),
    pid: proc.pid,
    exit,
    swept,
    at,
  };
}

/** The outcome of a session whose worker never started. */
export function notStarted(
  why: string,
  at: SessionOutcome['at'] = { start: Date.now() },
  failure: 'start-failed' | 'config' | 'below-floor' = 'start-failed',
): SessionOutcome {
  return { failure, why, interrupted: false, attached: false, builds: 0, swept: [], at };
}

function describeFailure(failure: SessionFailure, exit: WorkerExit, output: string): string {
  const said = output ? `: ${output.split('\n').slice(-3).join(' / ')}` : '';
  if (failure === 'refused') return 'the master refused the login (unauthorized: check the worker name and password)';
  if (failure === 'attach-timeout') return 'the worker did not attach to a master in time';
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited ${exit.code}`;
  return `the worker ${how} before attaching${said}`;
}
