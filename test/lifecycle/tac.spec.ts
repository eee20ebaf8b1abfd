import { describe, expect, it } from 'vitest';
import { parseAllowShutdown } from '../../src/lifecycle/tac.js';

const tac = (line: string) =>
  `basedir = '.'\n${line}\ns = Worker(h, p, numcpus=numcpus, allow_shutdown=allow_shutdown)\n`;

describe('lifecycle/tac: allow_shutdown read from buildbot.tac as data, never run', () => {
  it('reads the literals create-worker writes', () => {
    expect(parseAllowShutdown(tac("allow_shutdown = 'file'"))).toEqual({
      value: 'file',
      shown: "allow_shutdown = 'file'",
    });
    expect(parseAllowShutdown(tac('allow_shutdown = "signal"  # SIGHUP'))).toMatchObject({ value: 'signal' });
    expect(parseAllowShutdown(tac('allow_shutdown = None'))).toEqual({ value: null, shown: 'allow_shutdown = None' });
    expect(parseAllowShutdown(tac('maxretries = None'))).toMatchObject({
      value: null,
      shown: expect.stringMatching(/no allow_shutdown line/),
    });
  });

  it('anything it cannot know is an error naming the line, never a guess', () => {
    expect(parseAllowShutdown(tac("allow_shutdown = os.environ['X']"))).toEqual({
      error: `line 2: "allow_shutdown = os.environ['X']" is not a top-level allow_shutdown = 'file', 'signal' or None`,
    });
    expect(parseAllowShutdown(tac("if x:\n    allow_shutdown = 'file'"))).toHaveProperty('error');
    expect(parseAllowShutdown(tac("allow_shutdown = 'file'\nallow_shutdown = None"))).toEqual({
      error: "allow_shutdown is set to different values: 'file', None",
    });
    expect(parseAllowShutdown(tac('allow_shutdown = constructor'))).toHaveProperty('error');
    expect(parseAllowShutdown(tac("allow_shutdown = 'file'\nallow_shutdown = 'file'"))).toMatchObject({
      value: 'file',
    });
  });
});
