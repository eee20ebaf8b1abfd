import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { settleHg } from '../../fixtures/tools.js';
import { factsArgv } from '../../src/checks/tools/commands.js';
import { parseFacts } from '../../src/checks/tools/facts.js';
import { tools } from '../../src/checks/tools/index.js';
import { parseHgStatus } from '../../src/checks/tools/parse.js';
import { ToolsOptions } from '../../src/checks/tools/schema.js';
import { decodeBytes } from '../../src/core/bytes.js';
import { LocalHost } from '../../src/host/local.js';
import { VCS_ENV } from '../../src/host/vcs-run.js';
import { testContext } from '../helpers/context.js';
import { MUTATIONS, makeStateRepo, seeded } from '../helpers/hg-states.js';
import { sandbox } from '../helpers/tmp.js';
import { headOf, sh } from '../helpers/vcs.js';

const host = new LocalHost();
const T = sandbox('runner-hg-native-');
const src = join(T, 'src');
const template = join(T, 'template');
const TRIALS = Number(process.env.HG_NATIVE_TRIALS ?? 150);
const SEED = Number(process.env.HG_NATIVE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const NAMES = Object.keys(MUTATIONS);
let node = '';

/** The native read of a checkout (no hg): its facts, or why it asks hg. */
async function native(path: string) {
  const r = await host.run('sh', factsArgv(path, 'hg', 'files'), { cwd: '/', env: VCS_ENV });
  expect(r.exitCode, r.stderr).toBe(0);
  return parseFacts(r.stdout, 'hg');
}

/** What the tools check plans for the checkout (check mode, pinned to its own revision: no remote look-up). */
async function planned(path: string): Promise<{ dirty: number; clean: string[] }> {
  // a short timeout: a state that made hg block (a FIFO it opens) must fail this trial, not stall the suite
  const opts = ToolsOptions.parse({ checkouts: [{ path, vcs: 'hg', repo: src, revision: node }], timeout: '30s' });
  const found = await tools.probe(host, opts, testContext('check'));
  const plan = found.state === 'drift' ? found.plan.checkouts[0] : undefined;
  return { dirty: plan?.dirty ?? 0, clean: plan?.clean ?? [] };
}

/** The truth: real `hg status -mardu -0`, as the check used to ask it. */
function hgStatus(path: string): string[] {
  const env = { ...process.env, ...VCS_ENV };
  const out = execFileSync('hg', ['status', '-mardu', '-0'], {
    cwd: path,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  return parseHgStatus(decodeBytes(out));
}

beforeAll(() => {
  makeStateRepo(src);
  sh(T, 'hg clone -q src template');
  settleHg(template);
  node = headOf(template, 'hg');
});

describe('tools: the native hg clean check says what hg status says', () => {
  it('a settled clean checkout is judged clean without hg', async () => {
    expect(await native(template)).toMatchObject({ state: 'repository', node, dirty: [] });
  });

  it(
    `${TRIALS} random working-copy states (seed ${SEED}): native "clean" only where hg is clean, and the plan is hg's`,
    async () => {
      const tally = new Map<string, number>();
      for (let i = 0; i < TRIALS; i++) {
        const r = seeded(SEED + i);
        const picks = [
          ...new Set(
            Array.from({ length: Math.floor(r() * 4) }, () => NAMES[Math.floor(r() * NAMES.length)] as string),
          ),
        ];
        const dir = join(T, `trial-${i}`);
        execFileSync('cp', ['-a', template, dir]);
        const applied = NAMES.filter((n) => picks.includes(n)).filter((n) => {
          try {
            (MUTATIONS[n] as (d: string, r: () => number) => void)(dir, r);
            return true;
          } catch {
            return false; // an earlier pick took its file
          }
        });
        const said = await native(dir);
        const plan = await planned(dir);
        const truth = hgStatus(dir);
        const trial = `trial ${i} (seed ${SEED + i}): ${applied.join(', ') || 'no change'}; hg says ${JSON.stringify(truth)}`;
        if (said.state === 'repository') expect(truth, `${trial}; native said clean`).toEqual([]);
        expect(plan, trial).toEqual({ dirty: truth.length, clean: truth.slice(0, 50) });
        const key =
          said.state === 'ask-hg' ? `asked hg (${said.why}), hg ${truth.length ? 'dirty' : 'clean'}` : 'native clean';
        tally.set(key, (tally.get(key) ?? 0) + 1);
        execFileSync('rm', ['-rf', dir]);
      }
      if (process.env.HG_NATIVE_TALLY) console.info(JSON.stringify([...tally].sort(), null, 1));
      // both ways were taken often: a check that always asked hg, or never did, would prove nothing
      expect(tally.get('native clean') ?? 0, JSON.stringify([...tally])).toBeGreaterThanOrEqual(TRIALS / 10);
      expect(
        [...tally.keys()].filter((k) => k.endsWith('hg dirty')).length,
        JSON.stringify([...tally]),
      ).toBeGreaterThan(3);
      expect([...tally.keys()].some((k) => k.endsWith('hg clean') && k.startsWith('asked'))).toBe(true);
    },
    TRIALS * 4000,
  );

  it('a dirstate-v2 checkout is left to hg, and still judged right', async () => {
    const v2 = join(T, 'v2');
    // this hg has no Rust: v2 needs its slow path allowed, for the check's own hg status too (the repo's hgrc)
    const slow = 'storage.dirstate-v2.slow-path=allow';
    sh(T, `hg clone -q --config format.use-dirstate-v2=yes --config ${slow} src v2`);
    sh(v2, `printf '[storage]\\ndirstate-v2.slow-path = allow\\n' >> .hg/hgrc`);
    settleHg(v2);
    expect(sh(v2, 'cat .hg/requires')).toContain('dirstate-v2');
    expect(await native(v2)).toEqual({ state: 'ask-hg', why: 'dirstate-v2' });
    expect(await planned(v2)).toEqual({ dirty: 0, clean: [] });
  });
});
