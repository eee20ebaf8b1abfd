import { describe, expect, it } from 'vitest';
import type { WorkerLogEvent } from '../../src/lifecycle/log-patterns.js';
import {
  initialSession,
  stepSession,
  type SessionAction,
  type SessionConfig,
  type SessionEvent,
  type SessionState,
} from '../../src/lifecycle/session.js';

const CFG: SessionConfig = { via: 'signal', afterFirstJob: true, attachMs: 1000, deadlineMs: 5000 };

/** Runs events through the machine; returns the final state and every action, reports left out. */
function play(
  events: ReadonlyArray<SessionEvent | WorkerLogEvent>,
  cfg = CFG,
): { state: SessionState; actions: SessionAction[] } {
  let [state, actions] = initialSession(cfg);
  const all = [...actions];
  for (const e of events) {
    const event: SessionEvent = typeof e === 'string' ? { type: 'log', event: e, line: e } : e;
    [state, actions] = stepSession(cfg, state, event);
    all.push(...actions);
  }
  return { state, actions: all.filter((a) => a.type !== 'report') };
}

const exit: SessionEvent = { type: 'exit' };
const timeout = (timer: 'attach' | 'session' | 'deadline'): SessionEvent => ({ type: 'timeout', timer });

describe('lifecycle/session', () => {
  it('a normal session: armed, attached, first build → drain, then the exit', () => {
    const { state, actions } = play([
      'armed-signal',
      'attaching',
      'attaching',
      'attached',
      'build-started',
      'command-started',
      'draining',
      exit,
    ]);
    expect(actions).toEqual([
      { type: 'arm', timer: 'attach', ms: 1000 },
      { type: 'disarm', timer: 'attach' },
      { type: 'arm', timer: 'deadline', ms: 5000 },
      { type: 'drain', reason: 'after-first-job' },
      { type: 'disarm', timer: 'attach' },
      { type: 'disarm', timer: 'session' },
      { type: 'disarm', timer: 'deadline' },
    ]);
    expect(state).toMatchObject({ phase: 'stopped', everAttached: true, builds: 1, drain: 'after-first-job' });
    expect(state.failure).toBeUndefined();
  });

  it('never sends SIGHUP before the worker set up its handler (it would kill it): the drain waits for the arming line', () => {
    const early = play(['attached', 'build-started']);
    expect(early.actions.some((a) => a.type === 'drain')).toBe(false);
    expect(early.state).toMatchObject({ phase: 'draining', pending: 'after-first-job' });
    const armed = play(['attached', 'build-started', 'armed-signal']);
    expect(armed.actions.filter((a) => a.type === 'drain')).toEqual([{ type: 'drain', reason: 'after-first-job' }]);
  });

  it('ignores the other drain method arming (a stamp watcher is no use to a signal drain)', () => {
    const { actions, state } = play(['armed-stamp', 'attached', 'build-started']);
    expect(actions.some((a) => a.type === 'drain')).toBe(false);
    expect(state.armed).toBe(false);
  });

  it('counts a startCommand as the build start only when no ping came first', () => {
    expect(play(['armed-signal', 'attached', 'command-started']).state.builds).toBe(1);
    expect(play(['armed-signal', 'attached', 'build-started', 'command-started', 'command-started']).state.builds).toBe(
      1,
    );
  });

  it('without after_first_job, drains at max_session and keeps counting builds', () => {
    const cfg = { ...CFG, afterFirstJob: false, maxSessionMs: 60_000 };
    const { actions, state } = play(
      ['armed-signal', 'attached', 'build-started', 'build-started', timeout('session')],
      cfg,
    );
    expect(actions).toContainEqual({ type: 'arm', timer: 'session', ms: 60_000 });
    expect(actions.filter((a) => a.type === 'drain')).toEqual([{ type: 'drain', reason: 'max-session' }]);
    expect(state.builds).toBe(2);
  });

  it('an unauthorized login is fatal at once: stop, a failed try', () => {
    const { actions, state } = play(['armed-signal', 'refused', 'lost', 'refused', exit]);
    expect(actions.filter((a) => a.type === 'stop')).toEqual([{ type: 'stop', why: 'refused' }]);
    expect(state).toMatchObject({ phase: 'stopped', failure: 'refused' });
  });

  it('no attach in time: stop, a failed try', () => {
    const { actions, state } = play(['armed-signal', 'lost', timeout('attach'), exit]);
    expect(actions).toContainEqual({ type: 'stop', why: 'attach-timeout' });
    expect(state.failure).toBe('attach-timeout');
  });

  it('an exit before attaching is a failed try; after attaching it is not', () => {
    expect(play(['armed-signal', exit]).state.failure).toBe('exited-early');
    const killed = play(['armed-signal', 'attached', 'build-started', exit]).state;
    expect(killed.failure).toBeUndefined();
    expect(killed.phase).toBe('stopped');
  });

  it('a lost connection re-arms the attach timer; never coming back stops the session, but not as a failure', () => {
    const back = play(['armed-signal', 'attached', 'lost', 'attached']);
    expect(back.state.phase).toBe('attached');
    const gone = play(['armed-signal', 'attached', 'lost', timeout('attach'), exit]);
    expect(gone.actions).toContainEqual({ type: 'stop', why: 'lost' });
    expect(gone.state.failure).toBeUndefined();
  });

  it('the drain deadline stops the whole session', () => {
    const { actions, state } = play(['armed-signal', 'attached', 'build-started', timeout('deadline'), exit]);
    expect(actions).toContainEqual({ type: 'stop', why: 'deadline' });
    expect(state.stopped).toBe('deadline');
  });

  it('a drain that cannot be requested (a stamp the build user keeps re-planting) stops the session now, not at the deadline', () => {
    const { state, actions } = play(['armed-signal', 'attached', 'build-started', { type: 'drain-failed' }]);
    expect(actions.filter((a) => a.type === 'drain' || a.type === 'stop')).toEqual([
      { type: 'drain', reason: 'after-first-job' },
      { type: 'stop', why: 'drain-failed' },
    ]);
    expect(state).toMatchObject({ phase: 'stopping', stopped: 'drain-failed' });
    expect(state.failure).toBeUndefined(); // the iteration goes on to post-flight: the build did run
  });

  it('a signal drains an attached worker, and just stops one still starting', () => {
    const attached = play(['armed-signal', 'attached', { type: 'interrupt' }, exit]);
    expect(attached.actions.filter((a) => a.type === 'drain')).toEqual([{ type: 'drain', reason: 'interrupt' }]);
    expect(attached.state).toMatchObject({ interrupted: true, phase: 'stopped' });
    expect(attached.state.failure).toBeUndefined();
    const starting = play(['armed-signal', { type: 'interrupt' }, exit]);
    expect(starting.actions).toContainEqual({ type: 'stop', why: 'interrupt' });
    expect(starting.state.failure).toBeUndefined();
  });

  it('a signal while the master is attaching the worker waits for the attach, then drains (leaving mid-attach wedges a 3.7 master)', () => {
    const attaching = play(['armed-signal', 'attaching', { type: 'interrupt' }]);
    expect(attaching.actions.some((a) => a.type === 'stop' || a.type === 'drain')).toBe(false);
    expect(attaching.state.pending).toBe('interrupt');
    const done = play(['armed-signal', 'attaching', { type: 'interrupt' }, 'attached', exit]);
    expect(done.actions.filter((a) => a.type === 'drain' || a.type === 'stop')).toEqual([
      { type: 'drain', reason: 'interrupt' },
    ]);
    expect(done.state).toMatchObject({ interrupted: true, drain: 'interrupt' });
    const never = play(['armed-signal', 'attaching', { type: 'interrupt' }, timeout('attach'), exit]);
    expect(never.actions).toContainEqual({ type: 'stop', why: 'interrupt' });
    expect(never.state.failure).toBeUndefined();
  });

  it('a drain wanted while reconnecting waits for the worker to be attached again', () => {
    const cfg = { ...CFG, maxSessionMs: 60_000 };
    const lost = play(['armed-signal', 'attached', 'lost', timeout('session')], cfg);
    expect(lost.actions.some((a) => a.type === 'drain')).toBe(false);
    const back = play(['armed-signal', 'attached', 'lost', timeout('session'), 'attached'], cfg);
    expect(back.actions.filter((a) => a.type === 'drain')).toEqual([{ type: 'drain', reason: 'max-session' }]);
    expect(back.state.phase).toBe('draining');
  });

  it('a signal during a drain asks nothing more; a second signal kills the session', () => {
    const { actions } = play([
      'armed-signal',
      'attached',
      'build-started',
      { type: 'interrupt' },
      { type: 'interrupt-hard' },
      exit,
    ]);
    expect(actions.filter((a) => a.type === 'drain' || a.type === 'kill')).toEqual([
      { type: 'drain', reason: 'after-first-job' },
      { type: 'kill' },
    ]);
  });

  it('via stamp, an idle worker is stopped by SIGTERM, never left 10 s to take a build; a busy one drains by stamp', () => {
    const cfg: SessionConfig = { ...CFG, via: 'stamp' };
    const idle = play(['armed-stamp', 'attached', { type: 'interrupt' }, exit], cfg);
    expect(idle.actions.filter((a) => a.type === 'drain' || a.type === 'stop')).toEqual([
      { type: 'stop', why: 'idle' },
    ]);
    expect(idle.state).toMatchObject({ stopped: 'idle', drain: 'interrupt', interrupted: true });
    // a signal while the master attaches it: stopped (not drained) once attached
    const attaching = play(['armed-stamp', 'attaching', { type: 'interrupt' }, 'attached'], cfg);
    expect(attaching.actions.filter((a) => a.type === 'stop')).toEqual([{ type: 'stop', why: 'idle' }]);
    const maxSession = play(['armed-stamp', 'attached', timeout('session')], { ...cfg, maxSessionMs: 1 });
    expect(maxSession.actions).toContainEqual({ type: 'stop', why: 'idle' });
    const busy = play(['armed-stamp', 'attached', 'build-started', { type: 'interrupt' }], cfg);
    expect(busy.actions.filter((a) => a.type === 'drain' || a.type === 'stop')).toEqual([
      { type: 'drain', reason: 'after-first-job' },
    ]);
    // by signal an idle worker drains at once anyway: SIGHUP
    const bySignal = play(['armed-signal', 'attached', { type: 'interrupt' }]);
    expect(bySignal.actions.filter((a) => a.type === 'drain' || a.type === 'stop')).toEqual([
      { type: 'drain', reason: 'interrupt' },
    ]);
  });

  it('records whether the worker acknowledged the drain (the final line tells drained from crashed by it)', () => {
    expect(play(['armed-signal', 'attached', 'build-started', 'draining', exit]).state.acknowledged).toBe(true);
    expect(play(['armed-signal', 'attached', 'build-started', exit]).state.acknowledged).toBeUndefined();
  });

  it('ignores everything once stopped', () => {
    const { state } = play(['armed-signal', 'attached', exit]);
    expect(stepSession(CFG, state, { type: 'log', event: 'refused', line: '' })).toEqual([state, []]);
  });
});
