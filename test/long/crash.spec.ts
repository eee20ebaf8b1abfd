import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { makeToolsCheckouts, makeToolsSources, toolsConfig, type ToolsCheckout } from '../../fixtures/tools.js';
import { RUNNER_BIN, runner } from '../helpers/cli.js';
import { sandbox } from '../helpers/tmp.js';

const root = sandbox('runner-crash-');
const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const TRIALS = Number(process.env.CRASH_TRIALS ?? 70);
const TOOLS_TRIALS = Number(process.env.CRASH_TOOLS_TRIALS ?? 30);
const DAY = 86_400_000;

/** mulberry32: a small seeded PRNG, so a failing trial can be replayed with FAULT_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 24 build dirs of 60 files: half past max_age (purge), a third with a clobber request. Returns every file. */
function worker(dir: string): { base: string; config: string; files: string[] } {
  rmSync(dir, { recursive: true, force: true });
  const base = join(dir, 'builds');
  const files: string[] = [];
  const rows: object[] = [];
  for (let d = 0; d < 24; d++) {
    const name = `b${String(d).padStart(2, '0')}`;
    for (const sub of ['build', 'objdir', 'dist']) mkdirSync(join(base, name, sub), { recursive: true });
    for (let f = 0; f < 60; f++) {
      const rel = `${name}/${['build', 'objdir', 'dist'][f % 3]}/f${f}`;
      writeFileSync(join(base, rel), 'x'.repeat(200));
      files.push(rel);
    }
    writeFileSync(join(base, name, 'last-clobber'), '100\n');
    if (d % 3 === 0) rows.push({ builddir: name, lastclobber: 200, slave: null });
    const t = (Date.now() - (d % 2 ? 30 : 2) * DAY) / 1000;
    utimesSync(join(base, name), t, t);
  }
  const feed = join(dir, 'feed.json');
  writeFileSync(feed, JSON.stringify({ result: rows }));
  const config = join(dir, 'runner.yaml');
  writeFileSync(
    config,
    `checks:\n  - clobber: { dir: ${base}, feed: ${feed}, skip: [] }\n  - purge: { dirs: [${base}], max_age: 14d }\n`,
  );
  return { base, config, files };
}

/**
 * Starts `runner apply` and SIGKILLs it after `ms`; resolves when it is gone. `group`: runner and the rm, hg or
 * git it runs, as a power cut or systemd's stop would (a lone kill lets an orphaned rm finish the delete).
 */
function applyKilledAfter(config: string, ms: number, group: boolean): Promise<void> {
  const child = spawn(process.execPath, [RUNNER_BIN, 'apply', '-c', config], { stdio: 'ignore', detached: group });
  const timer = setTimeout(() => {
    try {
      process.kill(group ? -(child.pid as number) : (child.pid as number), 'SIGKILL');
    } catch {
      // it ended just before the timer: nothing left to kill
    }
  }, ms);
  return new Promise((resolve) => child.on('exit', () => (clearTimeout(timer), resolve())));
}

/** Whether a kill left `.deleteme` entries: purge's in the base dir, or clobber's inside a build dir. */
function leftovers(base: string): boolean {
  const top = readdirSync(base);
  return top.some(
    (n) =>
      n.endsWith('.deleteme') || (!n.includes('.') && readdirSync(join(base, n)).some((e) => e.endsWith('.deleteme'))),
  );
}

/** Under its real name, every entry of a build dir is whole: deletion only ever happens to `.deleteme` renames. */
function halfDeleted(base: string, files: readonly string[]): string[] {
  return files.filter((rel) => {
    const [dir, entry] = rel.split('/');
    return existsSync(join(base, dir as string, entry as string)) && !existsSync(join(base, rel));
  });
}

describe('faults: kill -9 during apply', () => {
  it(`always leaves whole dirs or .deleteme leftovers, and the next apply converges (seed ${SEED}, ${TRIALS} trials)`, async () => {
    const rand = prng(SEED);
    const calib = worker(join(root, 'calibrate'));
    const t0 = performance.now();
    expect((await runner(['apply', '-c', calib.config])).code).toBe(2);
    const full = performance.now() - t0;
    let midDelete = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const w = worker(join(root, `t${trial % 4}`));
      const delay = Math.round(full * (0.15 + 0.9 * rand()));
      await applyKilledAfter(w.config, delay, true);
      expect(halfDeleted(w.base, w.files), `trial ${trial}, killed after ${delay} ms`).toEqual([]);
      if (leftovers(w.base)) midDelete += 1;
      // 0 or 2 means every check ended ok or changed, i.e. its re-probe found no drift: converged
      const again = await runner(['apply', '-c', w.config]);
      expect([0, 2], `trial ${trial} did not converge: ${again.stdout}${again.stderr}`).toContain(again.code);
    }
    process.stdout.write(
      `crash trials: ${TRIALS}, ${midDelete} of them killed mid-delete (.deleteme leftovers of purge or clobber found)\n`,
    );
  }, 1_800_000);
});

/** True when `path` holds a working checkout (hg or git can read its revision), false for anything half-made. */
function wholeCheckout(c: ToolsCheckout): boolean {
  try {
    if (c.vcs === 'git')
      execFileSync('git', ['-c', `safe.directory=${c.path}`, '-C', c.path, 'rev-parse', '--verify', 'HEAD'], {
        stdio: 'pipe',
      });
    else
      execFileSync('hg', ['-R', c.path, 'log', '-r', '.', '-T', '{node}'], {
        stdio: 'pipe',
        env: { ...process.env, HGPLAIN: '1' },
      });
    return true;
  } catch {
    return false;
  }
}

describe('faults: kill -9 during tools updates', () => {
  it(`never leaves a half-made checkout at its path, and the next apply converges (seed ${SEED}, ${TOOLS_TRIALS} trials)`, async () => {
    const rand = prng(SEED + 1);
    const calib = join(root, 'tools-calibrate');
    const config = (dir: string, checkouts: ToolsCheckout[]) => {
      const file = join(dir, 'runner.yaml');
      writeFileSync(file, `checks:\n${toolsConfig(checkouts)}`);
      return file;
    };
    const first = makeToolsCheckouts(calib, makeToolsSources(calib), { drifted: true });
    rmSync(first[0]?.path as string, { recursive: true });
    const t0 = performance.now();
    expect((await runner(['apply', '-c', config(calib, first)])).code).toBe(2);
    const full = performance.now() - t0;
    let interrupted = 0;
    for (let trial = 0; trial < TOOLS_TRIALS; trial++) {
      const dir = join(root, `tools-${trial % 3}`);
      rmSync(dir, { recursive: true, force: true });
      const checkouts = makeToolsCheckouts(dir, makeToolsSources(dir), { drifted: true });
      // every other trial has a checkout to clone from scratch, the rest only pull, update and clean
      if (trial % 2 === 0) rmSync(checkouts[trial % 4 < 2 ? 0 : 1]?.path as string, { recursive: true });
      const cfg = config(dir, checkouts);
      const delay = Math.round(full * (0.1 + 0.9 * rand()));
      // runner alone: a git killed mid-checkout leaves an index.lock that git, and runner, leave to a person
      await applyKilledAfter(cfg, delay, false);
      for (const c of checkouts) {
        if (existsSync(c.path))
          expect(wholeCheckout(c), `trial ${trial}, killed after ${delay} ms: ${c.path} is half-made`).toBe(true);
      }
      if (readdirSync(join(dir, 'tools')).some((n) => n.includes('.runner-'))) interrupted += 1;
      const again = await runner(['apply', '-c', cfg]);
      expect([0, 2], `trial ${trial} did not converge: ${again.stdout}${again.stderr}`).toContain(again.code);
      expect(
        readdirSync(join(dir, 'tools')).filter((n) => n.includes('.runner-')),
        'leftover temp clones',
      ).toEqual([]);
    }
    process.stdout.write(
      `tools crash trials: ${TOOLS_TRIALS}, ${interrupted} of them killed with a temp clone beside the checkout\n`,
    );
  }, 1_800_000);
});
