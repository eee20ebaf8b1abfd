import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/core/types.js';
import { backoffDelay } from '../../src/lifecycle/backoff.js';
import { firstState, transition, type LoopEvent, type LoopPlan, type LoopState } from '../../src/lifecycle/loop.js';
import type { SessionOutcome } from '../../src/lifecycle/run-session.js';

const PLAN: LoopPlan = {
  tries: 3,
  backoff: { base: 1000, factor: 2, cap: 3000, jitter: 500 },
  once: false,
  random: () => 0.5,
};
const CHECKS = ['clobber', 'purge', 'tools'];

const r = (check: string, status: Result['status'], extra: Partial<Result> = {}): Result =>
  ({
    check,
    status,
    summary: status,
    durationMs: 1,
    ...extra,
  }) as Result;
const ok = (from = 0): LoopEvent => ({ type: 'checks', results: CHECKS.slice(from).map((c) => r(c, 'ok')) });
const failAt = (from: number, at: string): LoopEvent => {
  const i = CHECKS.indexOf(at);
  return { type: 'checks', results: CHECKS.slice(from, i + 1).map((c) => r(c, c === at ? 'failed' : 'ok')) };
};
const noLock: LoopEvent = { type: 'lock', status: { state: 'none' } };
const session = (o: Partial<SessionOutcome> = {}): LoopEvent => ({
  type: 'session',
  outcome: { interrupted: false, attached: true, builds: 1, swept: [], at: { start: 0 }, ...o },
});

/** Feeds events in order; returns every state visited. */
function run(events: LoopEvent[], plan = PLAN, start: LoopState = firstState()): LoopState[] {
  const seen = [start];
  for (const e of events) seen.push(transition(plan, seen[seen.length - 1] as LoopState, e));
  return seen;
}
const names = (states: LoopState[]) =>
  states.map((s) => (s.name === 'preflight' || s.name === 'postflight' ? `${s.name}@${s.from}` : s.name));

describe('lifecycle/loop', () => {
  it('a whole iteration, then the next one', () => {
    const states = run([noLock, ok(), noLock, session(), ok()]);
    expect(names(states)).toEqual(['gate', 'preflight@0', 'gate', 'starting', 'postflight@0', 'gate']);
    expect(states.at(-1)).toMatchObject({ it: { n: 2, tries: {}, code: 0 } });
  });

  it('a check failing twice then passing: resumes exactly at it, skipping none (prior-art defect #3)', () => {
    const states = run([noLock, failAt(0, 'purge'), { type: 'slept' }, failAt(1, 'purge'), { type: 'slept' }, ok(1)]);
    expect(names(states)).toEqual(['gate', 'preflight@0', 'failed', 'preflight@1', 'failed', 'preflight@1', 'gate']);
    expect(states.at(-1)).toMatchObject({ name: 'gate', then: 'starting', it: { tries: { purge: 2 } } });
  });

  it('a late failure resumes at that check too (the original skipped k(k+1)/2 tasks)', () => {
    const states = run([noLock, failAt(0, 'tools'), { type: 'slept' }]);
    expect(states.at(-1)).toMatchObject({ name: 'preflight', from: 2 });
  });

  it('halts after `tries` failures of one check, naming it', () => {
    const states = run([
      noLock,
      failAt(0, 'purge'),
      { type: 'slept' },
      failAt(1, 'purge'),
      { type: 'slept' },
      failAt(1, 'purge'),
    ]);
    expect(states.at(-1)).toMatchObject({ name: 'halt', reason: 'preflight purge: failed (3 of 3 tries)' });
  });

  it('counts tries per check: another check failing starts its own count', () => {
    const states = run([
      noLock,
      failAt(0, 'clobber'),
      { type: 'slept' },
      failAt(0, 'clobber'),
      { type: 'slept' },
      failAt(0, 'purge'),
    ]);
    expect(states.at(-1)).toMatchObject({ name: 'failed', step: 'purge', it: { tries: { clobber: 2, purge: 1 } } });
  });

  it('halts at once on a result with halt: true', () => {
    const states = run([
      noLock,
      { type: 'checks', results: [r('image', 'failed', { halt: true, summary: 'image 41, want 42' })] },
    ]);
    expect(states.at(-1)).toMatchObject({ name: 'halt', reason: 'preflight image: image 41, want 42' });
  });

  it('a failed worker session retries the start (lock re-checked), then halts', () => {
    const refused = session({ failure: 'refused', why: 'refused', attached: false });
    const states = run([
      noLock,
      ok(),
      noLock,
      refused,
      { type: 'slept' },
      noLock,
      refused,
      { type: 'slept' },
      noLock,
      refused,
    ]);
    expect(names(states)).toEqual([
      'gate',
      'preflight@0',
      'gate',
      'starting',
      'failed',
      'gate',
      'starting',
      'failed',
      'gate',
      'starting',
      'halt',
    ]);
    expect(states.at(-1)).toMatchObject({ reason: 'worker: refused (3 of 3 tries)' });
  });

  it('postflight failures retry at the failing check and halt like preflight', () => {
    const states = run([noLock, ok(), noLock, session(), failAt(0, 'tools'), { type: 'slept' }]);
    expect(states.at(-1)).toMatchObject({ name: 'postflight', from: 2 });
  });

  it('the disable lock holds the worker back; after a wait the pre-flight checks run again', () => {
    const lock: LoopEvent = {
      type: 'lock',
      status: { state: 'active', lock: { reason: 'r', by: 'b', since: '2026-01-01T00:00:00Z' } },
    };
    const states = run([noLock, ok(), lock, { type: 'slept' }, lock, { type: 'slept' }, noLock]);
    expect(names(states)).toEqual([
      'gate',
      'preflight@0',
      'gate',
      'disabled',
      'gate',
      'disabled',
      'gate',
      'preflight@0',
    ]);
    expect(transition(PLAN, firstState(), { type: 'lock', status: { state: 'invalid', error: 'not JSON' } }).name).toBe(
      'disabled',
    );
    expect(
      transition(PLAN, firstState(), {
        type: 'lock',
        status: { state: 'expired', lock: { reason: 'r', by: 'b', since: 'x' } },
      }).name,
    ).toBe('preflight');
  });

  it('--once exits after one iteration with its bits: 2 for changes', () => {
    const changed: LoopEvent = {
      type: 'checks',
      results: [r('clobber', 'changed'), r('purge', 'ok'), r('tools', 'ok')],
    };
    const states = run([noLock, changed, noLock, session(), ok()], { ...PLAN, once: true });
    expect(states.at(-1)).toEqual({ name: 'exit', code: 2, reason: 'iteration 1 done (--once)' });
  });

  it('halts after `iterations`, and exits by the halt result: 16 with no command, 17 when it failed, 0 when it ran', () => {
    const plan = { ...PLAN, iterations: 1 };
    const states = run([noLock, ok(), noLock, session(), ok()], plan);
    expect(states.at(-1)).toMatchObject({ name: 'halt', reason: '1 iterations done' });
    const halt = states.at(-1) as LoopState;
    expect(transition(plan, halt, { type: 'halted', ran: false, ok: false, detail: '' })).toMatchObject({
      name: 'exit',
      code: 16,
    });
    expect(transition(plan, halt, { type: 'halted', ran: true, ok: false, detail: 'exited 1' })).toMatchObject({
      name: 'exit',
      code: 17,
    });
    expect(transition(plan, halt, { type: 'halted', ran: true, ok: true, detail: 'exited 0' })).toMatchObject({
      name: 'exit',
      code: 0,
    });
  });

  it('a signal ends the loop with 0 from any state but a running halt', () => {
    for (const events of [[], [noLock], [noLock, failAt(0, 'purge')], [noLock, ok(), noLock]]) {
      const at = run(events).at(-1) as LoopState;
      expect(transition(PLAN, at, { type: 'interrupted' })).toMatchObject({ name: 'exit', code: 0 });
    }
    const halting = run([noLock, { type: 'checks', results: [r('image', 'failed', { halt: true })] }]).at(
      -1,
    ) as LoopState;
    expect(() => transition(PLAN, halting, { type: 'interrupted' })).toThrow(/unexpected event/);
    expect(
      transition(PLAN, run([noLock, ok(), noLock]).at(-1) as LoopState, session({ interrupted: true })),
    ).toMatchObject({ name: 'exit', code: 0 });
  });

  it('after a signal the exit says how the worker really ended: drained 0, killed at the deadline 18, crashed 19', () => {
    const starting = run([noLock, ok(), noLock]).at(-1) as LoopState;
    const ended = (o: Partial<SessionOutcome>) =>
      transition(PLAN, starting, session({ interrupted: true, pid: 7, exit: { code: 0, signal: null }, ...o }));
    expect(ended({ acknowledged: true })).toMatchObject({
      code: 0,
      signalled: true,
      reason: expect.stringMatching(/drained/),
    });
    expect(ended({ stopped: 'deadline' })).toMatchObject({ code: 18, reason: expect.stringMatching(/drain deadline/) });
    expect(ended({ exit: { code: null, signal: 'SIGSEGV' } })).toMatchObject({
      code: 19,
      reason: expect.stringMatching(/crashed/),
    });
  });

  it('a config error in the worker session never halts (a reboot would only meet it again): exit 1', () => {
    const plan = { ...PLAN, tries: 1 };
    const starting = run([noLock, ok(), noLock], plan).at(-1) as LoopState;
    const next = transition(plan, starting, session({ failure: 'config', why: "worker user 'x' does not exist" }));
    expect(next).toEqual({
      name: 'exit',
      code: 1,
      reason: "config error: worker user 'x' does not exist; not halting",
    });
    // any other failure on its last try halts
    expect(transition(plan, starting, session({ failure: 'start-failed', why: 'x' }))).toMatchObject({ name: 'halt' });
  });

  it('backoff: exponential, capped, plus jitter', () => {
    const b = { base: 1000, factor: 2, cap: 3000, jitter: 500 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(b, n, () => 0))).toEqual([1000, 2000, 3000, 3000]);
    expect(backoffDelay(b, 1, () => 0.999)).toBe(1500);
    expect(run([noLock, failAt(0, 'purge')]).at(-1)).toMatchObject({ name: 'failed', delayMs: 1250 });
  });
});
