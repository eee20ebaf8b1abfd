import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { duration, seconds, wholeNumber } from '../src/commands/options.js';
import type { Io } from '../src/core/io.js';
import { VERSION } from '../src/core/version.js';
import { readFileSync } from 'node:fs';

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

  it("prints package.json's version with --version and exits 0", async () => {
    const c = capture();
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(await runCli(['--version'], c.io)).toBe(0);
    expect(c.out()).toBe(`${pkg.version}\n`);
  });

  it.each([
    [['daemon', '--iterations', '0'], '--iterations: expected a whole number ≥ 1, got "0"'],
    [['disable', '--reason', 'x', '--for', 'soon'], '--for: expected a duration like 30m or 2h, got "soon"'],
    [['audit', '-i', '/nonexistent', '--forks', '2.5'], '--forks: expected a whole number ≥ 1, got "2.5"'],
    [['audit', '-i', '/nonexistent', '--timeout', '0'], '--timeout: expected seconds or a duration like 2m, got "0"'],
  ])('refuses a bad number before anything runs, naming the option and the value: %j', async (args, says) => {
    const c = capture();
    expect(await runCli(args, c.io)).toBe(1);
    expect(c.err()).toBe(`runner: ${says}\n`);
  });
});

describe('cli numbers', () => {
  it('reads seconds as plain numbers or durations, and whole numbers only as digits', () => {
    expect(seconds('120', '--timeout')).toBe(120_000);
    expect(seconds('1.5', '--timeout')).toBe(1500);
    expect(seconds('2m', '--timeout')).toBe(120_000);
    expect(duration('1h30m', '--for')).toBe(5_400_000);
    expect(wholeNumber('50', '--forks')).toBe(50);
    expect(() => wholeNumber('1e2', '--forks')).toThrow('--forks: expected a whole number ≥ 1, got "1e2"');
    expect(() => duration('90', '--for')).toThrow('--for: expected a duration like 30m or 2h, got "90"');
  });
});
