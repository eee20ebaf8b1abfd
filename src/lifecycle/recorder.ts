import type { Host } from '../core/types.js';
import { appendNoFollow } from '../host/append.js';
import type { LifecyclePaths } from '../config/lifecycle.js';
import { eventLine } from '../report/jsonl.js';
import { renderMetrics } from '../report/prometheus.js';
import type { DaemonState, NextAction, RunSnapshot } from '../report/snapshot.js';
import { recordTurnaround } from './metrics-state.js';

export interface RecorderOptions {
  paths: LifecyclePaths;
  textfile?: string;
  /** bytes pending deletion in the background (the ledger), for the textfile */
  pendingBytes?: () => number;
  /** JSONL events also go here when set */
  stdout?: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** prefix stderr lines with an ISO time (not under journald, which stamps them itself) */
  timestamps: boolean;
  /** what the daemon does next after this event; undefined keeps the last one */
  next?: (event: string, state: DaemonState | undefined, fields: Record<string, unknown>) => NextAction | undefined;
}

/** events.jsonl is moved to events.jsonl.1 past this size, at an iteration boundary */
const ROTATE_BYTES = 10_000_000;

/**
 * Records what the daemon does: one JSONL event per change, a one-line log on stderr, and after each
 * event last_run.json and the Prometheus textfile, written atomically (temp file + rename) and in order.
 * Nothing is ever written through a symlink: events are appended O_NOFOLLOW, the others replaced by rename.
 */
export class Recorder {
  readonly snap: RunSnapshot;
  private chain: Promise<void> = Promise.resolve();
  private readonly warned = new Set<string>();

  constructor(
    private readonly host: Host,
    private readonly o: RecorderOptions,
    now = new Date(),
  ) {
    const at = now.toISOString();
    this.snap = {
      version: 1,
      pid: process.pid,
      startedAt: at,
      updatedAt: at,
      iteration: 0,
      state: 'preflight',
      since: at,
      phases: {},
      outcomes: {},
      disabled: false,
      counters: { iterations: 0, retries: 0, halts: 0 },
    };
  }

  /** Moves to `state` (or stays) and records the event; `line` is the stderr log line. */
  event(event: string, fields: Record<string, unknown>, line: string, state?: DaemonState): void {
    const now = new Date();
    const time = now.toISOString();
    if (state && state !== this.snap.state) Object.assign(this.snap, { state, since: time });
    this.snap.updatedAt = time;
    this.snap.last = line;
    recordTurnaround(this.snap, event, now);
    const next = this.o.next?.(event, state, fields);
    if (next) this.snap.next = next;
    const json = eventLine({ time, event, iteration: this.snap.iteration, ...(state ? { state } : {}) }, fields);
    this.o.stdout?.write(json);
    this.log(`${this.snap.iteration ? `iteration ${this.snap.iteration}: ` : ''}${line}`, time);
    const snapshot = `${JSON.stringify(this.snap, null, 2)}\n`;
    const metrics = this.o.textfile ? renderMetrics(this.snap, this.o.pendingBytes?.()) : undefined;
    this.chain = this.chain.then(() => this.write(json, snapshot, metrics));
  }

  /** Starts timing a phase of the current iteration; returns the function that ends it. */
  phase(name: string): () => number {
    const started = Date.now();
    this.snap.phases[name] = { startedAt: new Date(started).toISOString() };
    return () => {
      const seconds = (Date.now() - started) / 1000;
      this.snap.phases[name] = { startedAt: new Date(started).toISOString(), seconds };
      return seconds;
    };
  }

  newIteration(n: number): void {
    Object.assign(this.snap, { iteration: n, phases: {}, outcomes: {} });
    delete this.snap.worker;
    this.chain = this.chain.then(() => this.rotate()).catch(() => {});
  }

  /** Resolves once everything recorded so far is on disk. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** Each file on its own: one that cannot be written (say, a planted symlink) does not stop the others. */
  private async write(json: string, snapshot: string, metrics: string | undefined): Promise<void> {
    await this.attempt(() => appendNoFollow(this.o.paths.events, json, 0o600));
    await this.attempt(() => this.host.writeFile(this.o.paths.lastRun, snapshot));
    const { textfile } = this.o;
    if (textfile && metrics) await this.attempt(() => this.host.writeFile(textfile, metrics));
  }

  private async attempt(write: () => Promise<void>): Promise<void> {
    await write().catch((err: Error) => {
      // once per distinct problem, not once per event
      if (this.warned.has(err.message)) return;
      this.warned.add(err.message);
      this.log(`warning: cannot record state: ${err.message}`);
    });
  }

  private log(text: string, time = new Date().toISOString()): void {
    this.o.stderr.write(`${this.o.timestamps ? `${time} ` : ''}runner daemon: ${text}\n`);
  }

  private async rotate(): Promise<void> {
    const st = await this.host.lstat(this.o.paths.events);
    // rename moves whatever is there (a symlink is moved, not followed)
    if (st && st.size > ROTATE_BYTES) await this.host.rename(this.o.paths.events, `${this.o.paths.events}.1`);
  }
}
