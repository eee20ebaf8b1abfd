import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFileName, preparePlanDir, writePlans } from '../../src/audit/plan-out.js';
import type { PlanFile } from '../../src/core/plan-file.js';
import { sandbox } from '../helpers/tmp.js';

const T = sandbox('runner-plan-out-');
const plan = { version: 1, checks: [] } as unknown as PlanFile;

describe('audit --plan-out files', () => {
  it('names a plan after its inventory host; a name that could leave DIR or hide in it is refused', () => {
    for (const ok of ['bld-01', 'web.example.com', 'a..b', 'host_1:22']) expect(planFileName(ok)).toBe(`${ok}.json`);
    for (const bad of ['', '.', '..', 'a/b', '../x', 'a\\b', 'a\nb', 'a\x00b', 'a\x7fb', 'a\x1bb'])
      expect(() => planFileName(bad), JSON.stringify(bad)).toThrow(/cannot name a plan file/);
  });

  it('creates DIR 0700; refuses a file or a symlink there', async () => {
    const dir = join(T, 'new');
    await preparePlanDir(dir, ['bld-01']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await preparePlanDir(dir, ['bld-01']); // an existing dir is fine
    writeFileSync(join(T, 'file'), '');
    await expect(preparePlanDir(join(T, 'file'), [])).rejects.toThrow(/exists and is not a directory/);
    symlinkSync(dir, join(T, 'link'));
    await expect(preparePlanDir(join(T, 'link'), [])).rejects.toThrow(/\(a symlink\)|symbolic link/);
  });

  it('replaces a plan atomically (a planted symlink is replaced, never written through) and removes stale ones', async () => {
    const dir = join(T, 'plans');
    mkdirSync(dir);
    const decoy = join(T, 'decoy');
    writeFileSync(decoy, 'untouched\n');
    symlinkSync(decoy, join(dir, 'bld-01.json'));
    writeFileSync(join(dir, 'bld-02.json'), 'yesterday\n');
    writeFileSync(join(dir, 'other.json'), 'not audited now\n');
    const done = await writePlans(
      dir,
      new Map<string, PlanFile | { none: string } | undefined>([
        ['bld-01', plan],
        ['bld-02', { none: 'no drift' }],
        ['bld-03', { none: 'runner_checks overrides its config' }],
        ['bld-04', undefined],
      ]),
    );
    expect(done).toEqual({
      written: ['bld-01'],
      removed: ['bld-02'],
      none: ['bld-03: runner_checks overrides its config'],
    });
    expect(readFileSync(decoy, 'utf8')).toBe('untouched\n');
    expect(lstatSync(join(dir, 'bld-01.json')).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'bld-01.json'), 'utf8'))).toEqual(plan);
    expect(readFileSync(join(dir, 'other.json'), 'utf8')).toBe('not audited now\n');
  });
});
