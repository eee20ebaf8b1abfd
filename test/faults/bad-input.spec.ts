import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { Io } from '../../src/core/io.js';
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
  const io: Io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env,
    signal: new AbortController().signal,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// a real tree that anything which ran by mistake could delete
const victim = join(root, 'victim');
makeDirs(join(victim, 'b'), [['old', 30 * DAY, 100]]);
const before = hashTree(victim);

afterAll(() => {
  process.stdout.write(
    `bad input corpora: ${rejected.configs} configs and ${rejected.inventories} inventories, all rejected with file and line, nothing touched\n`,
  );
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

  // configs that main accepted and that would have deleted the victim's 30-day-old build dir, or more
  it.each([
    [
      'a keep it cannot read ("old:10days" protected nothing)',
      'dirs: [$B]\n      keep: ["old:10days"]',
      '4:14: checks[0].purge.keep[0]: expected NAME-GLOB or NAME-GLOB:DURATION',
    ],
    ['nested base dirs', 'dirs: [$V, $B]', '3:COL: checks[0].purge.dirs[1]: "$B" lies inside dirs[0] "$V"'],
    [
      "a '..' component (the same dir, spelled another way)",
      'dirs: [$B/../b]',
      "3:14: checks[0].purge.dirs[0]: expected an absolute path like /builds/worker (no '.', '..' or empty components, no trailing '/'), got \"$B/../b\": it has a '..' component",
    ],
  ])(
    'purge with %s: apply exits 1 naming file, line and field; the tree is untouched',
    async (_what, options, says) => {
      const fill = (t: string) =>
        t
          .replaceAll('$B', join(victim, 'b'))
          .replaceAll('$V', victim)
          .replace('COL', String(16 + victim.length));
      const config = join(root, 'unsafe.yaml');
      writeFileSync(config, fill(`checks:\n  - purge:\n      ${options}\n      max_age: 1d\n      min_age: 1s\n`));
      const c = capture({ RUNNER_CONFIG: config });
      expect(await runCli(['apply'], c.io)).toBe(1);
      expect(c.err()).toContain(`${config}:${fill(says)}`);
      expect(c.out()).toBe('');
      expect(hashTree(victim)).toBe(before);
    },
  );

  it('the same purge with a keep it can read validates, and check (read-only) reports the victim kept', async () => {
    const config = join(root, 'honest.yaml');
    writeFileSync(
      config,
      `checks:\n  - purge:\n      dirs: [${join(victim, 'b')}]\n      keep: ["old"]\n      max_age: 1d\n      min_age: 1s\n`,
    );
    const c = capture({ RUNNER_CONFIG: config });
    expect(await runCli(['check'], c.io)).toBe(0);
    expect(c.err()).toBe('');
    expect(hashTree(victim)).toBe(before);
  });

  it.each(readdirSync(INVENTORIES))(
    'inventory %s: audit exits 1, names file and line, connects to nothing',
    async (file) => {
      const c = capture();
      expect(
        await runCli(['audit', '-i', join(INVENTORIES, file), '--config', join(CONFIGS, '..', 'none.yaml')], c.io),
      ).toBe(1);
      expect(c.err()).toMatch(new RegExp(`${escape(join(INVENTORIES, file))}:\\d+: `));
      expect(c.out()).toBe('');
      rejected.inventories += 1;
    },
  );
});
