import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import type { Io } from '../src/core/io.js';

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env,
    signal: new AbortController().signal,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('cli', () => {
  it('prints help and exits 0', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out()).toContain('Usage: runner');
  });
});
