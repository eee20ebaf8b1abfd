import { makeContext } from '../core/context.js';
import type { Io } from '../core/io.js';
import type { RunnerConfig } from '../config/load.js';
import { formatDuration } from '../core/units.js';
import { describeError } from '../core/errors.js';
import { entriesFor } from '../config/entries.js';
import { runChecks } from '../core/run-check.js';
import type { Host, Result } from '../core/types.js';
import { describeLock, holdsBack, readLock } from '../core/lock.js';
import type { LoopEvent, LoopState, Phase } from './loop.js';
import type { Recorder } from './recorder.js';
import { lifecyclePaths, type Lifecycle } from '../config/lifecycle.js';
import { sleep } from '../core/sleep.js';
import { workerSession } from './worker-session.js';
import type { PendingLedger } from '../core/pending.js';
import { belowFloor } from './floor.js';
import { Reaper } from './reaper.js';
import { notStarted, type SessionOutcome } from './run-session.js';
import { cachedFetch } from '../host/http.js';
import type { SessionView } from './session-driver.js';
import { laterSignalPlan, loopSignalPlan } from './signal-plan.js';
import { logLine } from './log-line.js';
import { recordChecks } from './metrics-state.js';

const HALT_TIMEOUT_MS = 10 * 60_000;

/** The edges of the loop: what each state does to the world, and what gets recorded about it. */
export class Effects {
  private lastLock = '';
  private endPhase: (() => number) | undefined;
  private current: LoopState['name'] = 'gate';
  /** the worker session running now, read when a signal arrives */
  private readonly view: SessionView = {};
  /** every SIGINT/SIGTERM so far, in order */
  readonly signals: string[] = [];
  private readonly reaper: Reaper;

  constructor(
    private readonly host: Host,
    private readonly rec: Recorder,
    private readonly io: Io,
    private readonly hard: AbortSignal,
    private readonly config: () => RunnerConfig,
    /** deletions are deferred: the checks rename, the worker's session deletes in the background */
    private readonly ledger: PendingLedger,
  ) {
    this.reaper = new Reaper(host, ledger, rec);
  }

  private get lc(): Lifecycle {
    return this.config().lifecycle as Lifecycle;
  }

  /** Logs a signal the moment it arrives, with what it will do: the session's plan, or the loop's. */
  signalled(name: string, count: number): void {
    this.signals.push(name);
    const session = this.view.current;
    const then =
      count > 1
        ? laterSignalPlan(count, session !== undefined)
        : (session?.signalPlan() ?? loopSignalPlan(this.current));
    const nth = count > 1 ? ` (signal ${count})` : '';
    this.rec.event('signal', { signal: name, count, then }, `got ${name}${nth}: ${then}`);
  }

  enter(s: LoopState): void {
    this.current = s.name;
    if (s.name === 'preflight' || s.name === 'postflight') {
      if (s.from === 0) this.endPhase = this.rec.phase(s.name);
      const ids = this.entries(s.name).map((e) => e.check.id);
      const what =
        s.from === 0
          ? `${ids.length} checks${ids.length ? `: ${ids.join(', ')}` : ''}`
          : `resuming at ${ids[s.from]} (check ${s.from + 1} of ${ids.length})`;
      this.rec.event(s.name, { from: s.from, checks: ids }, `${s.name}: ${what}`, s.name);
    } else if (s.name === 'failed') {
      this.rec.snap.counters.retries += 1;
      const line = `failed: ${s.why}; try ${(s.it.tries[s.step] ?? 0) + 1} of ${this.lc.retry.tries} in ${formatDuration(s.delayMs)}`;
      this.rec.event(
        'failed',
        { step: s.step, why: s.why, tries: s.it.tries[s.step], delayMs: s.delayMs },
        line,
        'failed',
      );
    } else if (s.name === 'halt') {
      this.rec.snap.counters.halts += 1;
      this.rec.event('halt', { reason: s.reason, command: this.lc.halt ?? null }, `halt: ${s.reason}`, 'halt');
    }
  }

  async perform(s: LoopState): Promise<LoopEvent> {
    const { signal } = this.io;
    // a signal ends the loop wherever it is, except a halt command already decided on
    if (signal.aborted && s.name !== 'halt') return { type: 'interrupted' };
    switch (s.name) {
      case 'gate':
        return { type: 'lock', status: await readLock(this.host, lifecyclePaths(this.lc).lock, new Date()) };
      case 'disabled':
        await sleep(this.lc.lock_poll, signal);
        return signal.aborted ? { type: 'interrupted' } : { type: 'slept' };
      case 'failed':
        await sleep(s.delayMs, signal);
        return signal.aborted ? { type: 'interrupted' } : { type: 'slept' };
      case 'preflight':
      case 'postflight':
        return this.checks(s.name, s.from);
      case 'starting':
        return { type: 'session', outcome: await this.session() };
      case 'halt':
        return this.halt();
      case 'exit':
        throw new Error('lifecycle: exit has no effect');
    }
  }

  leave(s: LoopState, e: LoopEvent, next: LoopState): void {
    if (e.type === 'lock') this.onLock(e);
    if ((s.name === 'preflight' || s.name === 'postflight') && next.name !== s.name && next.name !== 'failed')
      this.endPhase?.();
    if (e.type === 'halted') this.rec.event('halted', { ran: e.ran, ok: e.ok, detail: e.detail }, `halt: ${e.detail}`);
  }

  private onLock(e: Extract<LoopEvent, { type: 'lock' }>): void {
    const path = lifecyclePaths(this.lc).lock;
    const held = holdsBack(e.status);
    this.rec.snap.disabled = held;
    // one event when the lock appears, changes or goes, not one per poll
    const key = held ? JSON.stringify(e.status) : '';
    if (key === this.lastLock) return;
    const line = describeLock(e.status, path, new Date());
    if (held)
      this.rec.event(
        'disabled',
        { lock: e.status, path },
        `${line}; re-checking every ${formatDuration(this.lc.lock_poll)}`,
        'disabled',
      );
    else this.rec.event('enabled', { path }, `lock lifted: ${line}`);
    this.lastLock = key;
  }

  private entries(phase: Phase) {
    const config = this.config();
    const ids = this.lc[phase];
    if (ids === 'all') return entriesFor(config);
    return ids.length ? entriesFor(config, ids) : [];
  }

  /** The floor, then one worker session; pending deletions run in the background from its attach to its end. */
  private async session(): Promise<SessionOutcome> {
    // a floor that cannot be checked holds the worker back like one that is not met
    const floor = await belowFloor(this.host, this.config(), this.ledger, this.rec).catch(
      (err: unknown) => `checking purge.min_free_to_start: ${describeError(err)}`,
    );
    if (floor) return notStarted(floor, undefined, 'below-floor');
    try {
      return await workerSession(this.host, this.rec, this.lc, this.io.signal, this.hard, this.view, () =>
        this.reaper.start(),
      );
    } finally {
      await this.reaper.stop();
    }
  }

  private async checks(phase: Phase, from: number): Promise<LoopEvent> {
    const entries = this.entries(phase).slice(from);
    // a fresh context per try: nothing fetched by a failed try is reused
    const ctx = makeContext(
      'apply',
      this.checkEnv(),
      cachedFetch(),
      this.lc.defer_deletes ? { pending: this.ledger } : {},
    );
    const report = await runChecks(this.host, entries, ctx);
    const results = report.results;
    const previous = from === 0 ? [] : (this.rec.snap.outcomes[phase] ?? []).slice(0, from);
    this.rec.snap.outcomes[phase] = [...previous, ...results];
    const now = new Date();
    const at = now.toISOString();
    const iteration = this.rec.snap.iteration;
    recordChecks(this.rec.snap, phase, results, this.rec.snap.outcomes[phase], now);
    // a check a signal kept from running keeps its last real outcome
    for (const r of results.filter((x) => !(x.status === 'skipped' && x.summary === 'interrupted')))
      (this.rec.snap.checks ??= {})[r.check] = { phase, iteration, status: r.status, summary: r.summary, at };
    this.rec.event('checks', { phase, from, results }, `${phase}: ${results.map(brief).join(', ') || 'no checks'}`);
    return this.io.signal.aborted ? { type: 'interrupted' } : { type: 'checks', results };
  }

  /** A check's log lines go to stderr stamped like the daemon's own. */
  private checkEnv() {
    const { io } = this;
    return { signal: io.signal, stderr: { write: (text: string) => io.stderr.write(logLine(io, text.trimEnd())) } };
  }

  private async halt(): Promise<LoopEvent> {
    const argv = this.lc.halt;
    if (!argv) return { type: 'halted', ran: false, ok: false, detail: 'no halt command configured' };
    const [file, ...args] = argv as [string, ...string[]];
    const r = await this.host.run(file, args, { timeoutMs: HALT_TIMEOUT_MS });
    const said = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ');
    const how = r.timedOut
      ? 'timed out'
      : r.exitCode === undefined
        ? `was killed (${r.signal ?? 'could not start'})`
        : `exited ${r.exitCode}`;
    return {
      type: 'halted',
      ran: true,
      ok: r.exitCode === 0,
      detail: `'${argv.join(' ')}' ${how}${said ? `: ${said}` : ''}`,
    };
  }
}

function brief(r: Result): string {
  return r.status === 'ok' ? `${r.check} ok` : `${r.check} ${r.status} (${r.summary})`;
}
