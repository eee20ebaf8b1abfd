import { killSession, stopSession } from '../host/kill.js';
import type { WorkerProcess } from '../host/spawn.js';
import { printable } from '../core/text.js';
import { builderIn, classifyLine } from './log-patterns.js';
import type { SessionOptions, SessionOutcome } from './run-session.js';
import {
  initialSession,
  stepSession,
  type SessionAction,
  type SessionEvent,
  type SessionState,
  type Timer,
} from './session.js';
import type { Tail } from './tail.js';
import { requestDrain } from './worker.js';
import { sessionSignalPlan } from './signal-plan.js';

/** Where the daemon looks when a signal arrives: the session running now, if any (set and cleared by Driver.run). */
export interface SessionView {
  current?: { signalPlan(): string };
}

/** Feeds events to the pure session machine one at a time and carries out its actions. */
export class Driver {
  private state: SessionState;
  private chain: Promise<void> = Promise.resolve();
  private readonly timers = new Map<Timer, NodeJS.Timeout>();
  private readonly background: Promise<unknown>[] = [];
  private proc: WorkerProcess | undefined;
  private begin: () => void = () => {};
  private deadlineAt: number | undefined;
  /** the last build whose builder was reported */
  private named = 0;

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
    const text = line.replace(/^\S+ \S+ (\[[^\]]*\] )?/, '');
    if (event) this.push({ type: 'log', event, line: text });
    const builder = builderIn(text, this.o.format, this.o.basedir);
    if (builder !== undefined) this.chain = this.chain.then(() => this.nameBuilder(builder));
  }

  /** Once per build: the builder's name (a master's word, printed escaped), beside the session's own count. */
  private nameBuilder(builder: string): void {
    if (this.state.builds === 0 || this.named === this.state.builds) return;
    this.named = this.state.builds;
    const name = printable(builder.slice(0, 100));
    this.o.report('build-builder', {
      builder: name,
      build: this.named,
      detail: `build ${this.named} of this session: builder ${name}`,
    });
  }

  /** What a first signal does now (the state as of the last event handled). */
  signalPlan(): string {
    return sessionSignalPlan(this.o.cfg, this.state, this.deadlineAt);
  }

  /** Resolves with the final state once the worker has exited. */
  async run(proc: WorkerProcess, tail: Tail): Promise<SessionState> {
    this.proc = proc;
    this.o.view.current = this;
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
    this.o.view.current = undefined;
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
        if (a.timer === 'deadline') this.deadlineAt = Date.now() + a.ms;
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
