import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Io } from '../core/io.js';
import { loadConfig, type RunnerConfig } from '../config/load.js';
import { ConfigError, describeError } from '../core/errors.js';
import type { Host } from '../core/types.js';
import { LocalHost } from '../host/local.js';
import { DAEMON_EXIT } from './exit.js';
import { Effects } from './effects.js';
import { firstState, transition, type LoopPlan, type LoopState } from './loop.js';
import { Recorder } from './recorder.js';
import { ensureRootDir } from './root-dir.js';
import { lifecyclePaths, type Lifecycle } from '../config/lifecycle.js';
import { nextAction } from './next-action.js';
import { checkWorker } from './worker-config.js';
import { stampsLines } from './log-line.js';
import { count } from '../core/text.js';
import { formatBytes } from '../core/units.js';
import { LEDGER_FILE, Ledger } from '../remediations/pending/ledger.js';

export interface DaemonOptions {
  config: string;
  iterations?: number;
  once?: boolean;
  /** stopped at once when this aborts (the second SIGTERM/SIGINT) */
  hard: AbortSignal;
}

/** `runner daemon`: pre-flight, worker session, post-flight, again; returns the exit code. */
export async function runDaemon(o: DaemonOptions, io: Io): Promise<number> {
  const host = new LocalHost(hostname());
  let config = await loadDaemonConfig(host, o.config);
  const lc = () => config.lifecycle as Lifecycle;
  const paths = lifecyclePaths(lc());
  let signalled = false;
  let opened: Ledger | undefined;
  const rec: Recorder = new Recorder(host, {
    paths,
    textfile: lc().textfile,
    // the ledger opens after the recorder (its problems are recorded): 0 until then
    pendingBytes: () => (opened?.entries() ?? []).reduce((n, e) => n + e.bytes, 0),
    stderr: io.stderr,
    timestamps: stampsLines(io),
    ...(lc().events_stdout ? { stdout: io.stdout } : {}),
    next: (event, st, fields) =>
      nextAction({ event, state: st, fields, lc: lc(), now: new Date(), iteration: rec.snap.iteration, signalled }),
  });
  const ledger = (opened = await openLedger(host, lc().state_dir, rec));
  const effects = new Effects(host, rec, io, o.hard, () => config, ledger);
  io.onSignal?.((name, count) => {
    signalled = true;
    effects.signalled(name, count);
  });
  let state: LoopState = firstState();
  rec.newIteration(1);
  while (state.name !== 'exit') {
    effects.enter(state);
    const event = await effects.perform(state);
    const next = transition(planOf(lc(), o), state, event);
    effects.leave(state, event, next);
    if (next.name === 'gate' && next.it.n !== state.it.n) {
      config = await reload(host, config, rec);
      rec.newIteration(next.it.n);
    }
    state = next;
  }
  const code = o.hard.aborted ? DAEMON_EXIT.hardStop : state.code;
  // the final line says what really happened to the worker, and which signals asked for it
  const reason = state.signalled ? `stopped by ${effects.signals.join(', then ')}: ${state.reason}` : state.reason;
  rec.event('exit', { code, reason, signals: effects.signals }, `exit ${code}: ${reason}`, 'exit');
  await rec.flush();
  await host.close();
  return code;
}

/**
 * The ledger of deferred deletions: what a previous run (or one killed mid-delete) left pending is deleted in
 * the background of the next session. A ledger that is not one is moved aside, so its entries become plain
 * leftovers (purge deletes those in its base dirs) rather than stopping the daemon.
 */
async function openLedger(host: Host, stateDir: string, rec: Recorder): Promise<Ledger> {
  const ledger = await Ledger.open(host, stateDir).catch(async (err: Error) => {
    const aside = `${join(stateDir, LEDGER_FILE)}.bad`;
    await host.rename(join(stateDir, LEDGER_FILE), aside);
    rec.event('warning', { detail: err.message }, `${err.message}; moved to ${aside}, starting a new ledger`);
    return Ledger.open(host, stateDir);
  });
  const left = ledger.entries();
  if (left.length) {
    const bytes = left.reduce((n, e) => n + e.bytes, 0);
    rec.event(
      'pending',
      { entries: left.length, bytes },
      `${count(left.length, 'deletion')} pending from before (${formatBytes(bytes)}): resumed in the background once the worker attaches`,
    );
  }
  return ledger;
}

function planOf(lc: Lifecycle, o: DaemonOptions): LoopPlan {
  const { retry } = lc;
  const iterations = o.iterations ?? lc.iterations;
  return {
    tries: retry.tries,
    backoff: { base: retry.base, factor: retry.factor, cap: retry.cap, jitter: retry.jitter },
    once: o.once ?? false,
    ...(iterations === undefined ? {} : { iterations }),
  };
}

async function loadDaemonConfig(host: Host, file: string): Promise<RunnerConfig> {
  const config = await loadConfig(file);
  const lc = config.lifecycle as Lifecycle | undefined;
  if (!lc)
    throw new ConfigError(
      `${file}: runner daemon needs a lifecycle: section (the worker to run; see runner config schema)`,
    );
  // before anything runs: a state dir the build user can write would let it aim our writes anywhere
  await ensureRootDir(host, lc.state_dir, `${file}: lifecycle.state_dir`);
  const lockDir = dirname(lifecyclePaths(lc).lock);
  if (lockDir !== lc.state_dir) await ensureRootDir(host, lockDir, `${file}: the dir of lifecycle.lock`);
  await checkWorker(host, lc, file);
  return config;
}

/** The config is re-read at each iteration boundary, whole or not at all: a broken file keeps the last good one. */
async function reload(host: Host, current: RunnerConfig, rec: Recorder): Promise<RunnerConfig> {
  try {
    return await loadDaemonConfig(host, current.file);
  } catch (err) {
    rec.event('config-error', { error: describeError(err) }, `keeping the previous config: ${describeError(err)}`);
    return current;
  }
}
