import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import type { Io } from '../src/core/io.js';
import { sandbox } from './helpers/tmp.js';

const root = sandbox('runner-nagios-cli-');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: {},
    signal: new AbortController().signal,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('--format nagios when nothing can run: RUNNER UNKNOWN on stdout, exit 3 (else exit 1 on stderr)', () => {
  const empty = join(root, 'empty.yaml');
  writeFileSync(empty, 'checks: []\n');

  it.each([
    [
      ['check', '-f', 'nagios', '-c', '/nonexistent/runner.yaml'],
      'cannot read config /nonexistent/runner.yaml: no such file',
    ],
    [['check', '--format=nagios', '-c', empty], `nothing to run: ${empty} configures no checks`],
    [
      ['check', '-f', 'nagios', '-c', empty, '--only', 'purge'],
      `--only names checks not configured in ${empty}: purge`,
    ],
    [['apply', '-f', 'nagios', '--bogus'], "error: unknown option '--bogus'"],
  ])('%j', async (args, says) => {
    const plugin = capture();
    expect(await runCli(args, plugin.io)).toBe(3);
    expect(plugin.out()).toMatch(new RegExp(`^RUNNER UNKNOWN - ${says.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(plugin.out().endsWith('\n')).toBe(true);

    const human = capture();
    const plain = args.filter((a, i) => a !== '--format=nagios' && a !== '-f' && args[i - 1] !== '-f');
    expect(await runCli(plain, human.io)).toBe(1);
    expect(human.out()).toBe('');
    if (!says.startsWith('error:')) expect(human.err()).toContain(`runner: ${says}`);
  });
});
