import { mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clobber } from '../../src/checks/clobber/index.js';
import { ClobberOptions } from '../../src/checks/clobber/schema.js';
import { purge } from '../../src/checks/purge/index.js';
import type { PurgePlan } from '../../src/checks/purge/plan.js';
import { PurgeOptions } from '../../src/checks/purge/schema.js';
import { exitCodeFor } from '../../src/core/outcome.js';
import { runCheck, runChecks } from '../../src/core/run-check.js';
import { planOf } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { clobber as clobberFix } from '../../src/remediations/clobber.js';
import { purge as purgeFix } from '../../src/remediations/purge.js';
import { testContext } from '../helpers/context.js';
import { DAY, makeDirs } from '../helpers/dirs.js';
import { sandbox } from '../helpers/tmp.js';

// a typo in a base dir must not read as "nothing to do": it fails, naming the path, unless missing_ok says so
const root = sandbox();
const host = new LocalHost('test');
const purgeEntry = (raw: object) => ({ check: purge, remediation: purgeFix, options: PurgeOptions.parse(raw) });
const feedFile = join(root, 'feed.json');
writeFileSync(feedFile, JSON.stringify({ result: [] }));
const clobberEntry = (raw: object) => ({
  check: clobber,
  remediation: clobberFix,
  options: ClobberOptions.parse({ host: 'bld-01', feed: feedFile, ...raw }),
});

describe('missing base dirs', () => {
  it('purge: a base dir that does not exist fails naming it, in check and apply, and the others still purge', async () => {
    const real = join(root, 'purge-real');
    makeDirs(real, [
      ['old', 20 * DAY, 1000],
      ['young', 1 * DAY, 1000],
    ]);
    const typo = join(root, 'purge-wrokers');
    const raw = { dirs: [real, typo] };
    const checked = await runCheck(host, purgeEntry(raw), testContext('check'));
    expect(checked.status).toBe('failed');
    expect(checked.summary).toContain(`base dir ${typo} does not exist (purge.dirs; missing_ok: true`);
    expect(checked.summary).toContain('apply would delete 1 dir');
    expect((planOf(checked) as PurgePlan).delete.map((i) => i.name)).toEqual(['old']);
    expect(exitCodeFor([{ host: 'h', results: [checked] }])).toBe(4);
    const applied = await runCheck(host, purgeEntry(raw), testContext('apply'));
    expect(applied.status).toBe('failed');
    expect(applied.summary).toContain(`did not converge: deleted 1 dir`);
    expect(applied.summary).toContain(`base dir ${typo} does not exist`);
    expect(readdirSync(real)).toEqual(['young']);
  });

  it('purge: missing_ok makes an absent base dir a warning; a file or symlink there still fails', async () => {
    const absent = join(root, 'purge-absent');
    const ok = await runCheck(host, purgeEntry({ dirs: [absent], missing_ok: true }), testContext('check'));
    expect(ok).toMatchObject({
      status: 'ok',
      warnings: [`${absent} does not exist (missing_ok): nothing to purge there`],
    });
    const file = join(root, 'purge-file');
    writeFileSync(file, 'x');
    const link = join(root, 'purge-link');
    mkdirSync(join(root, 'purge-target'));
    symlinkSync(join(root, 'purge-target'), link);
    for (const [path, type] of [
      [file, 'file'],
      [link, 'symlink'],
    ]) {
      const r = await runCheck(host, purgeEntry({ dirs: [path], missing_ok: true }), testContext('check'));
      expect(r).toMatchObject({ status: 'failed', summary: `base dir ${path} is a ${type}, not a directory` });
    }
  });

  it('clobber: a build root that does not exist fails naming it, unless missing_ok', async () => {
    const typo = join(root, 'clobber-wrokers');
    const r = await runCheck(host, clobberEntry({ dir: typo }), testContext('check'));
    expect(r).toMatchObject({
      status: 'failed',
      summary: `build root ${typo} does not exist (clobber.dir; missing_ok: true if that is expected)`,
    });
    const ok = await runCheck(host, clobberEntry({ dir: typo, missing_ok: true }), testContext('apply'));
    expect(ok).toMatchObject({
      status: 'ok',
      summary: `${typo} does not exist (missing_ok): nothing to clobber there`,
    });
    writeFileSync(join(root, 'clobber-file'), 'x');
    const file = await runCheck(
      host,
      clobberEntry({ dir: join(root, 'clobber-file'), missing_ok: true }),
      testContext('check'),
    );
    expect(file).toMatchObject({ status: 'failed', summary: expect.stringContaining('is a file, not a directory') });
  });
});

describe('apply says how its plan differs from the first probe', () => {
  it('purge after clobber: a build dir clobber emptied is young again, and purge says it needed fewer', async () => {
    const base = join(root, 'flow');
    makeDirs(base, [
      ['a-old', 30 * DAY, 1000],
      ['b-old', 25 * DAY, 1000],
      ['c-old', 20 * DAY, 1000],
    ]);
    writeFileSync(join(base, 'b-old', 'last-clobber'), '100\n');
    const then = (Date.now() - 25 * DAY) / 1000;
    utimesSync(join(base, 'b-old'), then, then);
    writeFileSync(
      feedFile.replace('feed', 'flow-feed'),
      JSON.stringify({ result: [{ builddir: 'b-old', lastclobber: 200, slave: null }] }),
    );
    const entries = [
      clobberEntry({ dir: base, feed: feedFile.replace('feed', 'flow-feed') }),
      purgeEntry({ dirs: [base], max_age: '14d' }),
    ];
    const checked = await runChecks(host, entries, testContext('check'));
    expect((planOf(checked.results[1]!) as PurgePlan).delete).toHaveLength(3);
    const applied = await runChecks(host, entries, testContext('apply'));
    expect(applied.results.map((r) => r.status)).toEqual(['changed', 'changed']);
    // clobber emptied b-old (its mtime is now): purge, probed again after it, deletes 2 of the 3 first planned
    expect(applied.results[1]?.summary).toMatch(
      /^deleted 2 dirs \(.*\); needed 2 of the 3 dirs first planned.*, since clobber ran first$/,
    );
    expect(readdirSync(base)).toEqual(['b-old']);
    const again = await runChecks(host, entries, testContext('apply'));
    expect(again.results.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(again.results[1]?.summary).not.toContain('first planned');
  });
});
