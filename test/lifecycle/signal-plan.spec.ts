import { describe, expect, it } from 'vitest';
import { initialSession, stepSession, type SessionConfig, type SessionEvent } from '../../src/lifecycle/session.js';
import type { WorkerLogEvent } from '../../src/lifecycle/log-patterns.js';
import { laterSignalPlan, sessionSignalPlan } from '../../src/lifecycle/signal-plan.js';

const CFG: SessionConfig = { via: 'stamp', afterFirstJob: true, attachMs: 1000, deadlineMs: 5000 };

function at(events: ReadonlyArray<SessionEvent | WorkerLogEvent>, cfg = CFG) {
  let [state] = initialSession(cfg);
  for (const e of events)
    [state] = stepSession(cfg, state, typeof e === 'string' ? { type: 'log', event: e, line: e } : e);
  return state;
}

describe('lifecycle/signal-plan: what the signal event says a signal will do', () => {
  it('a signal during a drain already under way says so, with the deadline', () => {
    const draining = at(['armed-stamp', 'attached', 'build-started']);
    expect(sessionSignalPlan(CFG, draining, Date.parse('2030-01-01T00:00:00Z'))).toBe(
      'a drain is already under way (after-first-job, requested): nothing more to ask; exit once the worker has finished its build, or kill its session at the drain deadline, 2030-01-01T00:00:00.000Z',
    );
  });

  it('an idle stamp worker is stopped; a busy one drained; one not attached stopped; one attaching waited for', () => {
    expect(sessionSignalPlan(CFG, at(['armed-stamp', 'attached']))).toMatch(/^stop the idle worker at once/);
    const busy = at(['armed-stamp', 'attached', 'build-started'], { ...CFG, afterFirstJob: false });
    expect(sessionSignalPlan({ ...CFG, afterFirstJob: false }, busy)).toMatch(
      /^drain the worker by touching shutdown\.stamp/,
    );
    expect(
      sessionSignalPlan({ ...CFG, via: 'signal' }, at(['armed-signal', 'attached'], { ...CFG, via: 'signal' })),
    ).toMatch(/^drain the worker by SIGHUP/);
    expect(sessionSignalPlan(CFG, at(['armed-stamp']))).toMatch(/^stop the worker: it has not attached/);
    expect(sessionSignalPlan(CFG, at(['armed-stamp', 'attaching']))).toMatch(
      /^drain the worker once the master has attached it/,
    );
    expect(sessionSignalPlan(CFG, at(['armed-stamp', 'attached', { type: 'timeout', timer: 'deadline' }]))).toMatch(
      /already being stopped \(deadline\)/,
    );
  });

  it('the second signal kills the session, a third exits at once', () => {
    expect(laterSignalPlan(2, true)).toMatch(/^kill the worker's session at once/);
    expect(laterSignalPlan(2, false)).toMatch(/^no worker is running/);
    expect(laterSignalPlan(3, true)).toBe('exit at once (exit 130)');
  });
});
