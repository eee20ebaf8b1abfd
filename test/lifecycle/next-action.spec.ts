import { describe, expect, it } from 'vitest';
import { LifecycleOptions } from '../../src/config/lifecycle.js';
import { nextAction, type NextContext } from '../../src/lifecycle/next-action.js';

const LC = LifecycleOptions.parse({ worker: { basedir: '/builds/worker' }, drain: { deadline: '1h' }, iterations: 2 });
const NOW = new Date('2026-12-05T10:00:00.000Z');
const at = (o: Partial<NextContext>) =>
  nextAction({ event: 'x', state: undefined, fields: {}, lc: LC, now: NOW, iteration: 1, signalled: false, ...o });

describe('lifecycle/next-action: what runner status says comes next', () => {
  it('per state, with the time when it is known', () => {
    expect(at({ state: 'attached' })).toEqual({ action: 'drain when the first build starts' });
    expect(at({ state: 'draining' })).toMatchObject({ at: '2026-12-05T11:00:00.000Z' });
    expect(at({ state: 'failed', fields: { step: 'purge', delayMs: 60_000 } })).toEqual({
      action: 'retry purge',
      at: '2026-12-05T10:01:00.000Z',
    });
    expect(at({ state: 'postflight' })).toEqual({ action: 'start iteration 2 with its pre-flight checks' });
    expect(at({ state: 'postflight', iteration: 2 })).toEqual({ action: 'halt: 2 iterations done' });
    expect(at({ state: 'halt' })).toEqual({ action: 'exit 16: no halt command is configured' });
    expect(at({ event: 'build-started' })).toBeUndefined(); // keeps the last one
  });

  it('after a signal: what the signal does, then only the exit', () => {
    expect(at({ event: 'signal', signalled: true, fields: { then: 'stop the idle worker' } })).toEqual({
      action: 'stop the idle worker',
    });
    expect(at({ state: 'stopped', signalled: true })).toEqual({ action: 'exit once the running step ends' });
    expect(at({ state: 'exit', signalled: true })).toEqual({ action: 'none: the daemon has exited' });
  });
});
