import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import type { Io } from '../src/commands/io.js';
import { DAY, makeDirs } from './helpers/dirs.js';
import { sandbox } from './helpers/tmp.js';
import { hashTree } from './helpers/tree.js';

const BAD = fileURLToPath(new URL('../fixtures/config/bad/', import.meta.url));

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
  it.each(readdirSync(BAD))('apply with the bad config %s exits 1, names file and line, and runs nothing', async (file) => {
    // a real tree the config's neighbours could delete if anything ran
    const root = sandbox();
    makeDirs(join(root, 'b'), [['old', 30 * DAY, 100]]);
    const before = hashTree(root);
    const c = capture({ RUNNER_CONFIG: join(BAD, file) });
    expect(await runCli(['apply'], c.io)).toBe(1);
    expect(c.err()).toMatch(new RegExp(`${join(BAD, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
    expect(c.out()).toBe('');
    expect(hashTree(root)).toBe(before);
  });

  it('prints help and exits 0', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out()).toContain('Usage: runner');
  });
});
