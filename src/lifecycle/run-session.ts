import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../core/types.js';
import { classifyLine, type LogFormat } from './log-patterns.js';
import {
  initialSession,
  stepSession,
  type DrainReason,
  type SessionAction,
  type SessionConfig,
  type SessionEvent,
  type SessionFailure,
  type SessionState,
  type Timer,
} from './session.js';
import { Tail } from './tail.js';
import {
  clearStalePid,
  killSession,
  requestDrain,
  spawnWorker,
  stampBaseline,
  stopSession,
  type SpawnSpec,
  type WorkerExit,
  type WorkerProcess,
} from './worker.js';

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
  report(what: string, fields?: Record<string, unknown>): void;
}

export interface SessionOutcome {
  failure?: SessionFailure | 'already-running' | 'start-failed';
  why?: string;
  interrupted: boolean;
  attached: boolean;
  builds: number;
  drain?: DrainReason;
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
  await fs.unlink(o.pidFile).catch((err: NodeJS.ErrnoException) => {
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
    ...(state.stopped ? { stopped: state.stopped } : {}),
    pid: proc.pid,
    exit,
    swept,
    at,
  };
}

function notStarted(why: string, at: SessionOutcome['at']): SessionOutcome {
  return { failure: 'start-failed', why, interrupted: false, attached: false, builds: 0, swept: [], at };
}

/** Feeds events to the pure session machine one at a time and carries out its actions. */
class Driver {
  private state: SessionState;
  private chain: Promise<void> = Promise.resolve();
  private readonly timers = new Map<Timer, NodeJS.Timeout>();
  private readonly background: Promise<unknown>[] = [];
  private proc: WorkerProcess | undefined;
  private begin: () => void = () => {};

  constructor(
    private readonly o: SessionOptions,
    private readonly baseline: number,
    private readonly at: SessionOutcome['at'],
  ) {
    const [state, actions] = initialSession(o.cfg);
    this.state = state;
    // log lines can come before spawn() has returned the pid: events wait until run() knows the process
    this.chain = new Promise<void>((resolve) => (this.begin = resolve)).then(() => this.execute(actions));
  }

  line(line: string): void {
    const event = classifyLine(line, this.o.format);
    if (event) this.push({ type: 'log', event, line: line.replace(/^\S+ \S+ (\[[^\]]*\] )?/, '') });
  }

  /** Resolves with the final state once the worker has exited. */
  async run(proc: WorkerProcess, tail: Tail): Promise<SessionState> {
    this.proc = proc;
    this.begin();
    const onSignal = () => this.push({ type: 'interrupt' });
    const onHard = () => this.push({ type: 'interrupt-hard' });
    this.o.signal.addEventListener('abort', onSignal, { once: true });
    this.o.hard.addEventListener('abort', onHard, { once: true });
    if (this.o.signal.aborted) onSignal();
    await proc.exited;
    this.at.exit = Date.now();
    // lines written just before the exit come first, so a refusal is not mistaken for an early exit
    await tail.stop();
    this.push({ type: 'exit' });
    await this.chain;
    this.o.signal.removeEventListener('abort', onSignal);
    this.o.hard.removeEventListener('abort', onHard);
    return this.state;
  }

  async settled(): Promise<void> {
    await Promise.allSettled(this.background);
    for (const t of this.timers.values()) clearTimeout(t);
  }

  private push(e: SessionEvent): void {
    this.chain = this.chain.then(() => {
      const [next, actions] = stepSession(this.o.cfg, this.state, e);
      this.state = next;
      return this.execute(actions);
    });
  }

  private async execute(actions: readonly SessionAction[]): Promise<void> {
    for (const a of actions)
      await this.perform(a).catch((err: Error) => this.o.report('warning', { detail: `${a.type}: ${err.message}` }));
  }

  /** A drain that cannot be requested is reported and ends the session now (see session.ts 'drain-failed'). */
  private async drain(pid: number): Promise<void> {
    const { via } = this.o.cfg;
    try {
      const r = await requestDrain(via, pid, this.o.basedir, this.baseline);
      if (r.replaced) this.o.report('warning', { detail: r.replaced });
      this.o.report('drain-requested', { via, detail: r.done });
    } catch (err) {
      this.o.report('drain-failed', { via, detail: `${(err as Error).message}; stopping the worker's session now` });
      this.push({ type: 'drain-failed' });
    }
  }

  private async perform(a: SessionAction): Promise<void> {
    const pid = this.proc?.pid;
    switch (a.type) {
      case 'arm':
        clearTimeout(this.timers.get(a.timer));
        this.timers.set(
          a.timer,
          setTimeout(() => this.push({ type: 'timeout', timer: a.timer }), a.ms),
        );
        return;
      case 'disarm':
        clearTimeout(this.timers.get(a.timer));
        this.timers.delete(a.timer);
        return;
      case 'report':
        if (a.what === 'attached') this.at.attached = Date.now();
        if (a.what === 'draining') this.at.drain = Date.now();
        this.o.report(a.what, a.detail === undefined ? {} : { detail: a.detail });
        return;
      case 'drain':
        if (pid !== undefined) await this.drain(pid);
        return;
      case 'stop':
        if (pid !== undefined) this.background.push(stopSession(pid, this.o.stopGraceMs));
        return;
      case 'kill':
        if (pid !== undefined) this.background.push(killSession(pid));
        return;
    }
  }
}

function describeFailure(failure: SessionFailure, exit: WorkerExit, output: string): string {
  const said = output ? `: ${output.split('\n').slice(-3).join(' / ')}` : '';
  if (failure === 'refused') return 'the master refused the login (unauthorized: check the worker name and password)';
  if (failure === 'attach-timeout') return 'the worker did not attach to a master in time';
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited ${exit.code}`;
  return `the worker ${how} before attaching${said}`;
}
