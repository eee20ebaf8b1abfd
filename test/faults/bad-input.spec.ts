import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { Io } from '../../src/commands/io.js';
import { DAY, makeDirs } from '../helpers/dirs.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';

const CONFIGS = fileURLToPath(new URL('../../fixtures/config/bad/', import.meta.url));
const INVENTORIES = fileURLToPath(new URL('../../fixtures/inventory/malformed/', import.meta.url));
const root = sandbox();
const rejected = { configs: 0, inventories: 0 };

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env, signal: new AbortController().signal };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// a real tree that anything which ran by mistake could delete
const victim = join(root, 'victim');
makeDirs(join(victim, 'b'), [['old', 30 * DAY, 100]]);
const before = hashTree(victim);

afterAll(() => {
  process.stdout.write(`bad input corpora: ${rejected.configs} configs and ${rejected.inventories} inventories, all rejected with file and line, nothing touched\n`);
});

describe('faults: bad input corpora through the real CLI', () => {
  it.each(readdirSync(CONFIGS))('config %s: apply exits 1, names file and line, runs nothing', async (file) => {
    const c = capture({ RUNNER_CONFIG: join(CONFIGS, file) });
    expect(await runCli(['apply'], c.io)).toBe(1);
    expect(c.err()).toMatch(new RegExp(`${escape(join(CONFIGS, file))}:\\d+(:\\d+)?: `));
    expect(c.out()).toBe('');
    expect(hashTree(victim)).toBe(before);
    rejected.configs += 1;
  });

  it.each(readdirSync(INVENTORIES))('inventory %s: audit exits 1, names file and line, connects to nothing', async (file) => {
    const c = capture();
    expect(await runCli(['audit', '-i', join(INVENTORIES, file), '--config', join(CONFIGS, '..', 'none.yaml')], c.io)).toBe(1);
    expect(c.err()).toMatch(new RegExp(`${escape(join(INVENTORIES, file))}:\\d+: `));
    expect(c.out()).toBe('');
    rejected.inventories += 1;
  });
});
