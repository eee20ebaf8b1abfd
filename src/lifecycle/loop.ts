import { EXIT, STATUS_BITS } from '../core/outcome.js';
import { halts, type Result } from '../core/types.js';
import { backoffDelay, type Backoff } from './backoff.js';
import { DAEMON_EXIT } from './exit.js';
import type { LockStatus } from '../core/lock.js';
import { holdsBack } from '../core/lock.js';
import type { SessionOutcome } from './run-session.js';
import { sessionEnding, signalledExit } from './ending.js';

/** What the current iteration carries from state to state. */
export interface Iteration {
  n: number;
  /** failed tries so far per step (a check id, or `worker`), reset each iteration */
  tries: Record<string, number>;
  /** exit bits of the iteration (2 changes made, 4 a failure), for --once */
  code: number;
}

export type Phase = 'preflight' | 'postflight';

export type LoopState =
  | { name: 'gate'; it: Iteration; then: 'preflight' | 'starting' }
  | { name: 'disabled'; it: Iteration; lock: LockStatus }
  | { name: Phase; it: Iteration; from: number }
  | { name: 'starting'; it: Iteration }
  | { name: 'failed'; it: Iteration; step: string; why: string; delayMs: number; resume: LoopState }
  | { name: 'halt'; it: Iteration; reason: string }
  /** `signalled`: the loop ended because of a signal (the daemon's final line names it) */
  | { name: 'exit'; code: number; reason: string; signalled?: boolean };

export type LoopEvent =
  | { type: 'lock'; status: LockStatus }
  | { type: 'slept' }
  | { type: 'checks'; results: readonly Result[] }
  | { type: 'session'; outcome: SessionOutcome }
  | { type: 'halted'; ran: boolean; ok: boolean; detail: string }
  | { type: 'interrupted' };

export interface LoopPlan {
  tries: number;
  backoff: Backoff;
  /** halt after this many iterations; undefined = never */
  iterations?: number;
  /** --once: exit after one iteration with its exit code */
  once: boolean;
  random?: () => number;
}

export function firstState(n = 1): LoopState {
  return { name: 'gate', it: { n, tries: {}, code: 0 }, then: 'preflight' };
}

/** The loop as a pure function: each state's effect produces one event, and this picks the next state. */
export function transition(plan: LoopPlan, s: LoopState, e: LoopEvent): LoopState {
  if (s.name === 'exit') return s;
  if (e.type === 'interrupted' && s.name !== 'halt')
    return { name: 'exit', code: EXIT.ok, reason: `no worker was running (${STEP[s.name]})`, signalled: true };
  switch (s.name) {
    case 'gate':
      if (e.type !== 'lock') break;
      if (holdsBack(e.status)) return { name: 'disabled', it: s.it, lock: e.status };
      return s.then === 'preflight' ? { name: 'preflight', it: s.it, from: 0 } : { name: 'starting', it: s.it };
    case 'disabled':
      // time has passed while disabled: run the pre-flight checks again before a worker starts
      if (e.type === 'slept') return { name: 'gate', it: s.it, then: 'preflight' };
      break;
    case 'preflight':
    case 'postflight':
      if (e.type === 'checks') return afterChecks(plan, s, e.results);
      break;
    case 'starting':
      if (e.type === 'session') return afterSession(plan, s.it, e.outcome);
      break;
    case 'failed':
      if (e.type === 'slept') return s.resume;
      break;
    case 'halt':
      if (e.type !== 'halted') break;
      if (!e.ran)
        return { name: 'exit', code: DAEMON_EXIT.halted, reason: `halted (${s.reason}); no halt command configured` };
      return e.ok
        ? { name: 'exit', code: EXIT.ok, reason: `halted (${s.reason}): ${e.detail}` }
        : { name: 'exit', code: DAEMON_EXIT.haltFailed, reason: `halt command failed (${s.reason}): ${e.detail}` };
  }
  throw new Error(`lifecycle: unexpected event '${e.type}' in state '${s.name}'`);
}

// the daemon's host is local: a check that finds it unreachable is a failure of that check (no bit 8)
/** Where the loop was when a signal ended it, for the final line. */
const STEP: Record<Exclude<LoopState['name'], 'exit' | 'halt'>, string> = {
  gate: 'between steps',
  disabled: 'disabled by the lock',
  preflight: 'in pre-flight',
  postflight: 'in post-flight',
  starting: 'starting it',
  failed: 'waiting to retry',
};

const BITS: Record<Result['status'], number> = { ...STATUS_BITS, unreachable: EXIT.failed };

/** Results of entries[from…]: go on, retry exactly at the first failing check, or halt. */
function afterChecks(
  plan: LoopPlan,
  s: { name: Phase; it: Iteration; from: number },
  results: readonly Result[],
): LoopState {
  const bad = results.findIndex((r) => halts(r) || r.status === 'failed' || r.status === 'unreachable');
  const done = bad < 0 ? results : results.slice(0, bad + 1);
  const it = { ...s.it, code: done.reduce((c, r) => c | BITS[r.status], s.it.code) };
  if (bad < 0) return s.name === 'preflight' ? { name: 'gate', it, then: 'starting' } : endOfIteration(plan, it);
  const failed = results[bad] as Result;
  const why = `${s.name} ${failed.check}: ${failed.summary}`;
  if (halts(failed)) return { name: 'halt', it, reason: why };
  return retryOrHalt(plan, it, failed.check, why, { name: s.name, it, from: s.from + bad });
}

function afterSession(plan: LoopPlan, it: Iteration, o: SessionOutcome): LoopState {
  if (o.interrupted) {
    const { end, text } = sessionEnding(o);
    return { name: 'exit', code: signalledExit(end), reason: text, signalled: true };
  }
  // a halt (a reboot, say) cannot fix a config error: it would only come back to it, again and again
  if (o.failure === 'config')
    return { name: 'exit', code: EXIT.nothingRan, reason: `config error: ${o.why}; not halting` };
  if (o.failure) {
    const next = { ...it, code: it.code | EXIT.failed };
    return retryOrHalt(plan, next, 'worker', `worker: ${o.why ?? o.failure}`, {
      name: 'gate',
      it: next,
      then: 'starting',
    });
  }
  return { name: 'postflight', it, from: 0 };
}

function retryOrHalt(plan: LoopPlan, it: Iteration, step: string, why: string, resume: LoopState): LoopState {
  const failures = (it.tries[step] ?? 0) + 1;
  const next: Iteration = { ...it, tries: { ...it.tries, [step]: failures } };
  if (failures >= plan.tries) return { name: 'halt', it: next, reason: `${why} (${failures} of ${plan.tries} tries)` };
  const delayMs = backoffDelay(plan.backoff, failures, plan.random);
  return { name: 'failed', it: next, step, why, delayMs, resume: { ...resume, it: next } as LoopState };
}

function endOfIteration(plan: LoopPlan, it: Iteration): LoopState {
  if (plan.once) return { name: 'exit', code: it.code, reason: `iteration ${it.n} done (--once)` };
  if (plan.iterations !== undefined && it.n >= plan.iterations)
    return { name: 'halt', it, reason: `${it.n} iterations done` };
  return firstState(it.n + 1);
}
