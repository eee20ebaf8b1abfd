import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClobberOptions, type ClobberPlan } from '../../src/checks/clobber/schema.js';
import { clobber } from '../../src/checks/clobber/index.js';
import { purge } from '../../src/checks/purge/index.js';
import type { PurgePlan } from '../../src/checks/purge/plan.js';
import { PurgeOptions } from '../../src/checks/purge/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import { LocalHost } from '../../src/host/local.js';
import { clobber as clobberFix } from '../../src/remediations/clobber.js';
import { purge as purgeFix } from '../../src/remediations/purge.js';
import { testContext } from '../helpers/context.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree, listTree } from '../helpers/tree.js';

const DAY = 86_400_000;
const root = sandbox('runner-prop-');
const host = new LocalHost('prop');
const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);

const Name = fc.constantFrom(
  'info',
  'rel-a',
  'rel-b',
  'tb-rel-x',
  'try-1',
  'try-2',
  'm-c',
  'job',
  'scripts',
  'x.deleteme',
  'a b',
  "q'uote",
  '-dash',
);
const Dir = fc.record({
  name: Name,
  ageDays: fc.integer({ min: 0, max: 40 }),
  marker: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: null }),
  link: fc.constantFrom('none', 'inside', 'outside'),
});
const Row = fc.record({
  builddir: fc.oneof(Name, fc.constantFrom('../outside', '/etc', '..', '.', '', 'a/b', 'x\u0000y', '../../etc/passwd')),
  lastclobber: fc.integer({ min: 0, max: 3000 }),
  slave: fc.constantFrom(null, 'me', 'other'),
});
type CaseValue = typeof Case extends fc.Arbitrary<infer T> ? T : never;
const Case = fc.record({
  dirs: fc.uniqueArray(Dir, { selector: (d) => d.name, minLength: 1, maxLength: 10 }),
  rows: fc.array(Row, { maxLength: 8 }),
  active: fc.option(Name, { nil: null }),
  maxAgeDays: fc.integer({ min: 1, max: 30 }),
  linkedDirInBase: fc.boolean(),
});

/** Lays a case out on disk: base/<dirs> with files, an outside dir that nothing may touch, symlinks to both. */
function layOut(dir: string, c: CaseValue) {
  rmSync(dir, { recursive: true, force: true });
  const [base, outside] = [join(dir, 'base'), join(dir, 'outside')];
  mkdirSync(join(outside, 'precious'), { recursive: true });
  writeFileSync(join(outside, 'precious', 'data'), 'do not delete');
  for (const d of c.dirs) {
    const p = join(base, d.name);
    mkdirSync(join(p, 'obj'), { recursive: true });
    writeFileSync(join(p, 'obj', 'a.o'), 'x');
    writeFileSync(join(p, 'buildprops.json'), '{}');
    if (d.marker !== null) writeFileSync(join(p, 'last-clobber'), `${d.marker}\n`);
    if (d.link !== 'none') symlinkSync(d.link === 'outside' ? join(outside, 'precious') : join(base), join(p, 'link'));
    const t = (Date.now() - d.ageDays * DAY - 60_000) / 1000;
    utimesSync(p, t, t);
  }
  if (c.linkedDirInBase) symlinkSync(join(outside, 'precious'), join(base, 'linked'));
  return { base, outside };
}

describe('faults: deletion safety (property-based)', () => {
  it(`deletes nothing outside the plans, never a protected dir, never outside the base (seed ${SEED})`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(Case, async (c) => {
        const dir = join(root, `case-${n++}`);
        const { base, outside } = layOut(dir, c);
        const outsideHash = hashTree(outside);
        const active = c.active ? [join(base, c.active)] : [];
        const purgeOpts = PurgeOptions.parse({
          dirs: [base],
          max_age: `${c.maxAgeDays}d`,
          keep: ['info', 'rel-*:10d'],
          active,
          min_age: '1d',
        });
        const feed = join(dir, 'feed.json');
        writeFileSync(feed, JSON.stringify({ result: c.rows }));
        const clobberOpts = ClobberOptions.parse({ dir: base, feed, host: 'me' });

        const ctx = testContext('apply');
        const cf = await clobber.probe(host, clobberOpts, ctx);
        const allowed = new Set<string>();
        if (cf.state === 'drift') {
          for (const a of (cf.plan as ClobberPlan).actions) for (const e of a.delete) allowed.add(join(a.path, e));
        }
        const before = listTree(base);
        await runCheck(host, { check: clobber, remediation: clobberFix, options: clobberOpts }, ctx);
        const pf = await purge.probe(host, purgeOpts, ctx);
        const planned = pf.state === 'drift' ? (pf.plan as PurgePlan).delete.map((i) => i.path) : [];
        for (const p of planned) allowed.add(p);
        await runCheck(host, { check: purge, remediation: purgeFix, options: purgeOpts }, ctx);

        // the plan never names a protected dir
        for (const p of planned) {
          const name = p.slice(base.length + 1);
          expect(name === 'info' || p === active[0] || name === 'linked').toBe(false);
        }
        // everything that vanished was planned, or lies inside something planned
        const after = new Set(listTree(base));
        for (const rel of before) {
          if (after.has(rel) || rel.endsWith('last-clobber')) continue;
          const abs = join(base, rel);
          const covered = [...allowed].some((a) => abs === a || abs.startsWith(`${a}/`));
          expect(covered, `${abs} vanished without being planned`).toBe(true);
        }
        expect(hashTree(outside)).toBe(outsideHash);
      }),
      { seed: SEED, numRuns: Number(process.env.FAULT_RUNS ?? 60) },
    );
  });
});
