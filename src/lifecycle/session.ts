import { IDLE_STOP, isIdle } from './idle.js';
import type { WorkerLogEvent } from './log-patterns.js';

/** One worker session as a pure state machine: log lines, timers, exit and signals in; actions out. */
export type SessionPhase = 'starting' | 'attached' | 'draining' | 'stopping' | 'stopped';
export type DrainReason = 'after-first-job' | 'max-session' | 'interrupt';
/** Why a session counts as a failed try. */
export type SessionFailure = 'refused' | 'attach-timeout' | 'exited-early';
export type Timer = 'attach' | 'session' | 'deadline';

export interface SessionConfig {
  via: 'stamp' | 'signal';
  afterFirstJob: boolean;
  attachMs: number;
  maxSessionMs?: number;
  deadlineMs: number;
}

export interface SessionState {
  /** `starting` also covers reconnecting after a lost connection */
  phase: SessionPhase;
  /** the worker announced it will act on our drain request (its stamp watcher or SIGHUP handler) */
  armed: boolean;
  /** the master is attaching the worker right now */
  handshake: boolean;
  everAttached: boolean;
  builds: number;
  /** a drain we want but cannot request yet: the worker is not armed, or not attached */
  pending?: DrainReason;
  drain?: DrainReason;
  /** the worker logged that it is shutting down gracefully (our request, or the master's) */
  acknowledged?: boolean;
  failure?: SessionFailure;
  /** why we stopped the session ourselves; `idle`: a stamp drain of a worker that had run no build */
  stopped?:
    | 'refused'
    | 'attach-timeout'
    | 'lost'
    | 'deadline'
    | 'drain-failed'
    | 'idle'
    | 'interrupt'
    | 'interrupt-hard';
  interrupted: boolean;
}

export type SessionEvent =
  | { type: 'log'; event: WorkerLogEvent; line: string }
  | { type: 'timeout'; timer: Timer }
  | { type: 'exit' }
  /** the drain request could not be made (e.g. the build user keeps planting a FIFO as shutdown.stamp) */
  | { type: 'drain-failed' }
  | { type: 'interrupt' }
  | { type: 'interrupt-hard' };

export type SessionAction =
  | { type: 'drain'; reason: DrainReason }
  | { type: 'stop'; why: NonNullable<SessionState['stopped']> }
  | { type: 'kill' }
  | { type: 'arm'; timer: Timer; ms: number }
  | { type: 'disarm'; timer: Timer }
  | { type: 'report'; what: string; detail?: string };

export type Step = [SessionState, SessionAction[]];

export function initialSession(cfg: SessionConfig): Step {
  const state: SessionState = {
    phase: 'starting',
    armed: false,
    handshake: false,
    everAttached: false,
    builds: 0,
    interrupted: false,
  };
  return [state, [{ type: 'arm', timer: 'attach', ms: cfg.attachMs }]];
}

export function stepSession(cfg: SessionConfig, s: SessionState, e: SessionEvent): Step {
  if (s.phase === 'stopped') return [s, []];
  switch (e.type) {
    case 'exit':
      return onExit(s);
    case 'drain-failed':
      // left attached, the worker would take the next job on an uncleaned machine: stop it now
      return stop(s, 'drain-failed');
    case 'interrupt':
      return onInterrupt(cfg, s);
    case 'interrupt-hard':
      return [{ ...s, interrupted: true, stopped: 'interrupt-hard', phase: 'stopping' }, [{ type: 'kill' }]];
    case 'timeout':
      return onTimeout(cfg, s, e.timer);
    case 'log':
      return onLog(cfg, s, e.event, e.line);
  }
}

function onExit(s: SessionState): Step {
  const early = !s.everAttached && !s.failure && !s.interrupted;
  const state: SessionState = { ...s, phase: 'stopped', ...(early ? { failure: 'exited-early' as const } : {}) };
  return [state, (['attach', 'session', 'deadline'] as const).map((timer) => ({ type: 'disarm', timer }))];
}

function onInterrupt(cfg: SessionConfig, s: SessionState): Step {
  const t: SessionState = { ...s, interrupted: true };
  // never attached and not being attached: no build can run, nothing to wait for
  if (s.phase === 'starting' && !s.everAttached && !s.handshake) return stop(t, 'interrupt');
  return requestDrain(cfg, t, 'interrupt');
}

function onTimeout(cfg: SessionConfig, s: SessionState, timer: Timer): Step {
  if (timer === 'session') return requestDrain(cfg, s, 'max-session');
  if (timer === 'deadline') return stop(s, 'deadline');
  if (s.phase !== 'starting') return [s, []];
  if (s.interrupted) return stop(s, 'interrupt');
  if (s.everAttached) return stop(s, 'lost');
  return stop({ ...s, failure: 'attach-timeout' }, 'attach-timeout');
}

function onLog(cfg: SessionConfig, s: SessionState, event: WorkerLogEvent, line: string): Step {
  switch (event) {
    case 'armed-stamp':
    case 'armed-signal':
      if (event !== (cfg.via === 'stamp' ? 'armed-stamp' : 'armed-signal')) return [s, []];
      return flush(cfg, { ...s, armed: true }, []);
    case 'attaching':
      return [s.phase === 'starting' ? { ...s, handshake: true } : s, []];
    case 'attached':
      return onAttached(cfg, s);
    case 'refused':
      if (s.phase === 'stopping') return [s, []];
      return stop({ ...s, failure: 'refused' }, 'refused', line);
    case 'lost':
      if (s.phase !== 'attached' && s.phase !== 'draining') return [{ ...s, handshake: false }, []];
      return [
        { ...s, phase: 'starting', handshake: false },
        [
          { type: 'report', what: 'lost', detail: line },
          { type: 'arm', timer: 'attach', ms: cfg.attachMs },
        ],
      ];
    case 'build-started':
      return onBuild(cfg, s);
    case 'command-started':
      return s.builds === 0 ? onBuild(cfg, s) : [s, []];
    case 'draining':
      return [{ ...s, acknowledged: true }, [{ type: 'report', what: 'drain-acknowledged', detail: line }]];
    case 'stopping':
      return [s, []];
  }
}

function onAttached(cfg: SessionConfig, s: SessionState): Step {
  if (s.phase !== 'starting') return [s, []];
  const first = !s.everAttached;
  const actions: SessionAction[] = [
    { type: 'disarm', timer: 'attach' },
    { type: 'report', what: first ? 'attached' : 're-attached' },
  ];
  if (first && cfg.maxSessionMs !== undefined) actions.push({ type: 'arm', timer: 'session', ms: cfg.maxSessionMs });
  if (first && !s.armed) actions.push({ type: 'report', what: 'warning', detail: notArmed(cfg) });
  const phase = s.drain || s.pending ? 'draining' : 'attached';
  if (s.pending) actions.push({ type: 'arm', timer: 'deadline', ms: cfg.deadlineMs });
  return flush(cfg, { ...s, phase, everAttached: true, handshake: false }, actions);
}

function onBuild(cfg: SessionConfig, s: SessionState): Step {
  const t = { ...s, builds: s.builds + 1 };
  const [next, actions] = cfg.afterFirstJob && t.builds === 1 ? requestDrain(cfg, t, 'after-first-job') : [t, []];
  return [next, [{ type: 'report', what: 'build-started', detail: `build ${t.builds}` }, ...actions]];
}

/**
 * Asks the worker to finish its build and stop; once per session, under the deadline. Only when it is both
 * armed (before that, SIGHUP kills it) and attached (a worker leaving in the middle of being attached wedges
 * a buildbot 3.7 master: it refuses every later connection of that worker name); until then the drain waits.
 */
function requestDrain(cfg: SessionConfig, s: SessionState, reason: DrainReason): Step {
  if (s.drain || s.pending || s.phase === 'stopping') return [s, []];
  const report: SessionAction = { type: 'report', what: 'draining', detail: reason };
  if (s.phase === 'starting') return [{ ...s, pending: reason }, [report]];
  const deadline: SessionAction = { type: 'arm', timer: 'deadline', ms: cfg.deadlineMs };
  return flush(cfg, { ...s, phase: 'draining', pending: reason }, [report, deadline]);
}

/**
 * Sends the pending drain once the worker can take it (the deadline was armed when the drain was wanted).
 * An idle worker draining by stamp is stopped instead: it notices the stamp only within 10 s, and could take a
 * build meanwhile; SIGTERM stops it at once and loses nothing, since it runs no build.
 */
function flush(cfg: SessionConfig, s: SessionState, actions: SessionAction[]): Step {
  const { pending, ...rest } = s;
  if (!pending || s.phase === 'starting' || s.phase === 'stopping') return [s, actions];
  if (isIdle(cfg, s)) {
    const [next, stopping] = stop({ ...rest, drain: pending }, 'idle', IDLE_STOP);
    return [next, [...actions, ...stopping]];
  }
  if (!s.armed) return [s, actions];
  return [{ ...rest, phase: 'draining', drain: pending }, [...actions, { type: 'drain', reason: pending }]];
}

function stop(s: SessionState, why: NonNullable<SessionState['stopped']>, detail?: string): Step {
  if (s.phase === 'stopping') return [s, []];
  const report: SessionAction = { type: 'report', what: 'stopping', detail: detail ? `${why}: ${detail}` : why };
  return [{ ...s, phase: 'stopping', stopped: why }, [report, { type: 'stop', why }]];
}

function notArmed(cfg: SessionConfig): string {
  const want = cfg.via === 'stamp' ? "allow_shutdown = 'file'" : "allow_shutdown = 'signal'";
  return `the worker attached without arming its ${cfg.via} drain: check ${want} in buildbot.tac; drains will wait for the deadline`;
}
