import { isIdle } from './idle.js';
import type { LoopState } from './loop.js';
import type { SessionConfig, SessionState } from './session.js';

/** What the first signal does to a running worker session, for the `signal` event's line. Pure. */
export function sessionSignalPlan(cfg: SessionConfig, s: SessionState, deadlineAt?: number): string {
  if (s.phase === 'stopping' || s.phase === 'stopped')
    return `the worker's session is already being stopped (${s.stopped ?? 'it exited'}); then exit`;
  const drain = s.drain ?? s.pending;
  if (drain) {
    const by = deadlineAt === undefined ? '' : `, ${new Date(deadlineAt).toISOString()}`;
    const asked = s.drain ? 'requested' : 'waiting for the worker to be attached and armed';
    return `a drain is already under way (${drain}, ${asked}): nothing more to ask; exit once the worker has finished its build, or kill its session at the drain deadline${by}`;
  }
  if (s.phase === 'starting' && !s.everAttached && !s.handshake)
    return 'stop the worker: it has not attached, so no build runs; then exit';
  if (s.phase === 'starting')
    return 'drain the worker once the master has attached it (leaving mid-attach wedges the master); then exit';
  if (isIdle(cfg, s)) return 'stop the idle worker at once (SIGTERM: no build has started); then exit';
  const how = cfg.via === 'stamp' ? 'touching shutdown.stamp (noticed within 10 s)' : 'SIGHUP';
  return `drain the worker by ${how}: a running build finishes first; then exit`;
}

/** What a signal does once the first has been handled: the second kills the session, a third exits at once. */
export function laterSignalPlan(count: number, inSession: boolean): string {
  if (count >= 3) return 'exit at once (exit 130)';
  return inSession
    ? "kill the worker's session at once (SIGKILL), then exit 130"
    : 'no worker is running: exit 130 once the running step ends';
}

/** What a first signal does outside a worker session. */
export function loopSignalPlan(state: LoopState['name']): string {
  if (state === 'preflight' || state === 'postflight')
    return `no worker is running: finish the running ${state} check, then exit`;
  if (state === 'halt') return 'the halt command has been decided on: it runs, then the daemon exits';
  if (state === 'starting') return 'the worker is being started: stop it, then exit';
  return 'no worker is running: exit now';
}
