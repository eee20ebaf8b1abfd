import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY, makeDirs } from '../helpers/dirs.js';
import { expectEnded, hostileSetting, runWithin, writeConfig } from '../helpers/hostile.js';
import { hashTree } from '../helpers/tree.js';

// Configs that would point a deletion at the system or at a place it cannot reason about: refused before anything runs.
const { root } = hostileSetting('rt-hostile-config-');

/** A case's own world: a worker dir with old build dirs (one nested), a victim dir beside it, an empty feed. */
function world(name: string) {
  const dir = join(root, name);
  const base = join(dir, 'builds', 'worker');
  makeDirs(join(base, 'sub'), [['old', 30 * DAY, 100]]);
  makeDirs(base, [['old', 30 * DAY, 100]]);
  makeDirs(join(dir, 'victim'), [['old', 30 * DAY, 100]]);
  const feed = join(dir, 'feed.json');
  writeFileSync(feed, JSON.stringify({ result: [{ builddir: 'old', lastclobber: 1, slave: null }] }));
  return { dir, base, feed };
}

type World = ReturnType<typeof world>;

// `check` for the system paths: were the refusal missing, a check (read-only, nothing measured with max_age off) is harmless
describe('hostile configs are refused through the CLI (exit 1, the field named, nothing runs)', () => {
  it.each([
    ['purge.dirs: [/]', 'check', () => ({ purge: { dirs: ['/'], max_age: 'off' } }), 'purge.dirs'],
    ['clobber.dir: /', 'check', (w: World) => ({ clobber: { dir: '/', feed: w.feed, host: 'bld-01' } }), 'clobber.dir'],
    ['purge.dirs: [/usr]', 'check', () => ({ purge: { dirs: ['/usr'], max_age: 'off' } }), 'purge.dirs'],
    [
      'a .. in a purge dir',
      'apply',
      (w: World) => ({ purge: { dirs: [`${w.base}/../../victim`], max_age: '14d' } }),
      'purge.dirs',
    ],
    [
      'a .. in the clobber dir',
      'apply',
      (w: World) => ({ clobber: { dir: `${w.base}/../../victim`, feed: w.feed, host: 'bld-01' } }),
      'clobber.dir',
    ],
    [
      'nested purge dirs',
      'apply',
      (w: World) => ({ purge: { dirs: [w.base, join(w.base, 'sub')], max_age: '14d' } }),
      'purge.dirs',
    ],
    [
      'keep: ["rel-*:10days"]',
      'apply',
      (w: World) => ({ purge: { dirs: [w.base], keep: ['rel-*:10days'] } }),
      'purge.keep',
    ],
  ])('%s', async (name, cmd, check, field) => {
    const w = world(name.replace(/\W+/g, '-'));
    const cfg = writeConfig(w.dir, 'runner', [check(w)]);
    const before = hashTree(w.dir);
    const r = await runWithin([cmd, '--config', cfg]);
    const text = expectEnded(r);
    expect(r.code, text).toBe(1);
    expect(r.stderr.toString()).toContain(cfg);
    expect(r.stderr.toString()).toContain(field);
    expect(r.stdout.toString(), 'nothing ran').toBe('');
    expect(hashTree(w.dir), 'nothing changed').toBe(before);
  });
});
