import { describe, expect, it } from 'vitest';
import { sessionEnding, signalledExit } from '../../src/lifecycle/ending.js';
import type { SessionOutcome } from '../../src/lifecycle/run-session.js';

const o = (x: Partial<SessionOutcome>): SessionOutcome => ({
  interrupted: true,
  attached: true,
  builds: 1,
  swept: [],
  at: { start: 0 },
  pid: 42,
  exit: { code: 0, signal: null },
  ...x,
});

describe('lifecycle/ending: how a session really ended, and the exit code after a signal', () => {
  it.each([
    [{ acknowledged: true }, 'drained', 0, /^the worker was drained: it exited 0 \(1 build started\)$/],
    [{ stopped: 'idle' as const, builds: 0 }, 'idle', 0, /idle: stopped at once by SIGTERM/],
    [{ attached: false, stopped: 'interrupt' as const }, 'not-attached', 0, /had not attached/],
    [
      { stopped: 'deadline' as const, exit: { code: 0, signal: null } },
      'killed',
      18,
      /killed at the drain deadline, not drained/,
    ],
    [{ stopped: 'drain-failed' as const }, 'killed', 18, /no drain could be requested/],
    [
      { exit: { code: null, signal: 'SIGKILL' as const } },
      'crashed',
      19,
      /crashed: it was killed by SIGKILL before draining/,
    ],
    [{ acknowledged: true, exit: { code: 1, signal: null } }, 'crashed', 19, /crashed: it exited 1 while draining/],
    [{ exit: { code: 0, signal: null } }, 'crashed', 19, /crashed: it exited 0 before draining/],
    [{ pid: undefined, failure: 'start-failed' as const, why: 'nope' }, 'not-started', 0, /did not start: nope/],
  ])('%o → %s, exit %d', (x, end, code, text) => {
    const e = sessionEnding(o(x));
    expect(e.end).toBe(end);
    expect(signalledExit(e.end)).toBe(code);
    expect(e.text).toMatch(text);
  });
});
