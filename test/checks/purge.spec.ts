import { planOf } from '../../src/core/types.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { purge } from '../../src/checks/purge/index.js';
import type { PurgePlan } from '../../src/checks/purge/plan.js';
import { PurgeOptions } from '../../src/checks/purge/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import { purge as purgeFix } from '../../src/remediations/purge.js';
import { testContext } from '../helpers/context.js';
import { DAY, HOUR, makeDirs } from '../helpers/dirs.js';
import { mountTmpfs } from '../helpers/mount.js';
import { RecordingHost } from '../helpers/recording-host.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';

const root = sandbox();
const MB = 1_000_000;
// free-space targets are set a few MB past what is free: on a filesystem of their own, other tests' writes cannot move it
const quiet = join(root, 'quiet-fs');
const quietMounted = mountTmpfs(quiet, '64m');

function entry(raw: Record<string, unknown>) {
  return { check: purge, remediation: purgeFix, options: PurgeOptions.parse(raw) };
}

function freeNow(path: string): number {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
}

const names = (plan: unknown) => (plan as PurgePlan).delete.map((i) => i.path.split('/').pop());

describe('checks/purge', () => {
  it('plans dirs past max_age with size, mtime and reason, and leaves younger ones', async () => {
    const base = join(root, 'age');
    makeDirs(base, [
      ['old', 20 * DAY, MB],
      ['older', 30 * DAY, 2 * MB],
      ['young', 2 * DAY, MB],
    ]);
    const r = await runCheck(new RecordingHost(), entry({ dirs: [base], max_age: '14d' }), testContext('check'));
    expect(r.status).toBe('drift');
    const plan = planOf(r) as PurgePlan;
    expect(plan.delete.map((i) => [i.path, i.reason])).toEqual([
      [join(base, 'older'), 'age'],
      [join(base, 'old'), 'age'],
    ]);
    expect(plan.delete[0]?.sizeBytes).toBeGreaterThanOrEqual(2 * MB);
    expect(Date.parse(plan.delete[0]?.mtime ?? '')).toBeLessThan(Date.now() - 29 * DAY);
    expect(r.summary).toContain('delete 2 dirs');
  });

  it('deletes oldest first only until the free-space target is met, measuring only what it needs', async () => {
    const base = join(root, 'space');
    const dirs = Array.from({ length: 40 }, (_, i) => [`d${String(i).padStart(2, '0')}`, (3 + i) * HOUR, MB] as const);
    makeDirs(base, dirs);
    const host = new RecordingHost();
    // about three dirs' worth more than is free now; other writers share this disk, so assert the rule, not a count
    const target = Math.ceil((freeNow(base) + 2.5 * MB) / 1000) * 1000;
    const r = await runCheck(
      host,
      entry({ dirs: [base], free: `${target / 1000}KB`, max_age: 'off' }),
      testContext('check'),
    );
    expect(r.status).toBe('drift');
    const plan = planOf(r) as PurgePlan;
    const oldestFirst = dirs.map(([n]) => n).reverse();
    expect(names(plan)).toEqual(oldestFirst.slice(0, plan.delete.length));
    expect(plan.delete.every((i) => i.reason === 'space')).toBe(true);
    const vol = plan.volumes[0] as PurgePlan['volumes'][number];
    const last = plan.delete[plan.delete.length - 1]?.sizeBytes ?? 0;
    expect(vol.predictedFreeBytes).toBeGreaterThanOrEqual(target);
    expect(vol.predictedFreeBytes - last).toBeLessThan(target);
    expect(host.measured.length).toBeLessThan(40);
  });

  it('never plans kept globs, active dirs or dirs younger than min_age; rel-*:10d only while young', async () => {
    const base = join(root, 'protect');
    makeDirs(base, [
      ['info', 60 * DAY, MB],
      ['rel-old', 30 * DAY, MB],
      ['rel-new', 5 * DAY, MB],
      ['job', 40 * DAY, MB],
      ['job2', 40 * DAY, MB],
      ['fresh', 10 * 60_000, MB],
      ['plain', 40 * DAY, MB],
    ]);
    const activeFile = join(root, 'active.txt');
    writeFileSync(activeFile, `${join(base, 'job2', 'obj')}\n`);
    const huge = Math.ceil((freeNow(base) + 1e12) / 1e9);
    const opts = {
      dirs: [base],
      free: `${huge}GB`,
      max_age: '14d',
      keep: ['info', 'rel-*:10d'],
      active: [join(base, 'job')],
      active_file: activeFile,
    };
    const r = await runCheck(new RecordingHost(), entry(opts), testContext('check'));
    expect(names(planOf(r)).sort()).toEqual(['plain', 'rel-old']);
    const kept = Object.fromEntries((planOf(r) as PurgePlan).protected.map((p) => [p.path.split('/').pop(), p.why]));
    expect(Object.keys(kept).sort()).toEqual(['fresh', 'info', 'job', 'job2', 'rel-new']);
    expect(r.summary).toMatch(/can free .* of .* needed/);
  });

  it('when the target cannot be met, deletes what it may, keeps the protected, and fails saying what is missing', async () => {
    const base = join(root, 'short');
    makeDirs(base, [
      ['info', 60 * DAY, MB],
      ['a', 3 * DAY, MB],
      ['b', 4 * DAY, MB],
    ]);
    const huge = Math.ceil((freeNow(base) + 1e12) / 1e9);
    const r = await runCheck(
      new RecordingHost(),
      entry({ dirs: [base], free: `${huge}GB`, keep: ['info'] }),
      testContext('apply'),
    );
    expect(r.status).toBe('failed');
    expect(r.summary).toMatch(
      /deleted 2 dirs .* but the target cannot be met without protected dirs: .*can free .* of .* needed/,
    );
    expect(readdirSync(base)).toEqual(['info']);
  });

  it('removes leftovers of an interrupted run first, and apply twice changes nothing the second time', async () => {
    const base = join(root, 'idem');
    makeDirs(base, [
      ['gone.deleteme', 1 * HOUR, MB],
      ['old', 20 * DAY, MB],
      ['keep', 2 * DAY, MB],
    ]);
    const host = new RecordingHost();
    const first = await runCheck(host, entry({ dirs: [base] }), testContext('apply'));
    expect(first).toMatchObject({ status: 'changed', summary: expect.stringMatching(/^deleted 2 dirs/) });
    expect(host.removed[0]).toBe(join(base, 'gone.deleteme'));
    expect(readdirSync(base)).toEqual(['keep']);
    const second = await runCheck(host, entry({ dirs: [base] }), testContext('apply'));
    expect(second.status).toBe('ok');
  });

  it('check mode changes nothing on disk', async () => {
    const base = join(root, 'dry');
    makeDirs(base, [
      ['x.deleteme', HOUR, MB],
      ['old', 20 * DAY, MB],
      ['older', 25 * DAY, MB],
    ]);
    const before = hashTree(base);
    const huge = Math.ceil((freeNow(base) + 1e12) / 1e9);
    const r = await runCheck(new RecordingHost(), entry({ dirs: [base], free: `${huge}GB` }), testContext('check'));
    // out of reach: apply would fail, so check says so, with what apply would still do
    expect(r).toMatchObject({ status: 'failed', plan: { delete: expect.any(Array) } });
    expect(r.summary).toMatch(/^the target cannot be met without protected dirs; apply would delete 3 dirs/);
    expect(hashTree(base)).toBe(before);
  });

  it('never follows symlinks: a linked dir is no candidate and targets outside survive', async () => {
    const base = join(root, 'links');
    const outside = join(root, 'links-outside');
    makeDirs(outside, [['precious', 90 * DAY, MB]]);
    makeDirs(base, [['old', 30 * DAY, MB]]);
    symlinkSync(join(outside, 'precious'), join(base, 'old', 'link-out'));
    execFileSync('touch', ['-d', '30 days ago', join(base, 'old')]);
    symlinkSync(join(outside, 'precious'), join(base, 'linked-build'));
    execFileSync('touch', ['-h', '-d', '60 days ago', join(base, 'linked-build')]);
    const r = await runCheck(new RecordingHost(), entry({ dirs: [base] }), testContext('apply'));
    expect(r.status).toBe('changed');
    expect(readdirSync(base)).toEqual(['linked-build']);
    expect(existsSync(join(outside, 'precious', 'obj', 'data'))).toBe(true);
  });

  it('reports a dir it cannot delete, still deletes the others, and fails', async () => {
    const base = join(root, 'stuck');
    makeDirs(base, [
      ['stuck', 30 * DAY, MB],
      ['old', 31 * DAY, MB],
    ]);
    const file = join(base, 'stuck', 'obj', 'data');
    execFileSync('chattr', ['+i', file]);
    const r = await runCheck(new RecordingHost(), entry({ dirs: [base] }), testContext('apply')).finally(() =>
      execFileSync('chattr', ['-R', '-i', base]),
    );
    expect(r.status).toBe('failed');
    expect(r.summary).toContain(`${join(base, 'stuck')}: `);
    expect(r.summary).toContain('Operation not permitted');
    expect(existsSync(join(base, 'old'))).toBe(false);
  });

  it('leaves alone a dir replaced between the probe and the apply', async () => {
    const base = join(root, 'swap');
    makeDirs(base, [['old', 30 * DAY, MB]]);
    const host = new RecordingHost();
    const ctx = testContext('apply');
    const opts = PurgeOptions.parse({ dirs: [base] });
    const finding = await purge.probe(host, opts, ctx);
    if (finding.state !== 'drift') throw new Error('expected drift');
    renameSync(join(base, 'old'), join(root, 'swap-moved'));
    mkdirSync(join(base, 'old'));
    await expect(purgeFix.apply(host, finding.plan, opts, ctx)).rejects.toThrow(/replaced since the probe/);
    expect(existsSync(join(base, 'old'))).toBe(true);
  });

  it('treats base dirs on one filesystem as one pool of free space', async () => {
    expect(quietMounted).toBe(true);
    const [a, b] = [join(quiet, 'pool-a'), join(quiet, 'pool-b')];
    makeDirs(a, [['a1', 5 * HOUR, MB]]);
    makeDirs(b, [['b1', 6 * HOUR, MB]]);
    const target = Math.ceil((freeNow(a) + 0.5 * MB) / 1000);
    const r = await runCheck(new RecordingHost(), entry({ dirs: [a, b], free: `${target}KB` }), testContext('check'));
    const plan = planOf(r) as PurgePlan;
    expect(plan.volumes).toHaveLength(1);
    expect(plan.volumes[0]?.dirs).toEqual([a, b]);
    expect(names(plan)).toEqual(['b1']);
  });

  const base2 = join(root, 'mnt-base');
  const canMount = mountTmpfs(join(base2, 'mounted-build'));
  it.runIf(canMount)('never enters a build dir that is another filesystem, and says so', async () => {
    makeDirs(base2, [['old', 30 * DAY, MB]]);
    writeFileSync(join(base2, 'mounted-build', 'precious'), 'keep');
    execFileSync('touch', ['-d', '90 days ago', join(base2, 'mounted-build')]);
    const r = await runCheck(new RecordingHost(), entry({ dirs: [base2] }), testContext('apply'));
    expect(r.status).toBe('changed');
    expect(r.warnings).toEqual([`${join(base2, 'mounted-build')} is on another filesystem: left alone`]);
    expect(existsSync(join(base2, 'mounted-build', 'precious'))).toBe(true);
  });
});
