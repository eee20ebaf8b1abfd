import { execFileSync } from 'node:child_process';
import { existsSync, lchownSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY } from '../helpers/dirs.js';
import { age, expectEnded, hostileSetting, ownedDir, ownedFile, runWithin, writeConfig } from '../helpers/hostile.js';

// Where runner reads, the build user plants a FIFO (a read that never ends) or a symlink to /dev/zero (one that never stops).
const { root, build } = hostileSetting('rt-hostile-reads-');
const base = join(root, 'worker');
const target = join(base, 'm-central');
const DEADLINE = 10_000;

function layOut(): void {
  rmSync(base, { recursive: true, force: true });
  ownedDir(base, build);
  for (const d of ['old-a', 'm-central']) {
    ownedDir(join(base, d, 'build'), build);
    ownedFile(join(base, d, 'log.txt'), build);
    age(join(base, d), 30 * DAY);
  }
}

/** A FIFO or a symlink to /dev/zero at `path`, the build user's. */
function plant(kind: 'fifo' | 'zero', path: string): void {
  rmSync(path, { force: true });
  if (kind === 'fifo') execFileSync('mkfifo', [path]);
  else symlinkSync('/dev/zero', path);
  lchownSync(path, build.uid, build.gid);
}

function feedFile(name: string): string {
  const feed = join(root, name);
  writeFileSync(
    feed,
    JSON.stringify({ result: [{ builddir: 'm-central', lastclobber: Math.floor(Date.now() / 1000), slave: null }] }),
  );
  return feed;
}

/** check and apply both end by themselves, naming `path`; returns apply's output. */
async function bothEndNaming(cfg: string, path: string): Promise<string> {
  let text = '';
  for (const cmd of ['check', 'apply']) {
    text = expectEnded(await runWithin([cmd, '--config', cfg], DEADLINE));
    expect(text, `${cmd} does not name ${path}`).toContain(path);
  }
  return text;
}

describe('hostile build user vs bounded reads (CLI)', () => {
  it.each(['fifo', 'zero'] as const)(
    'a %s as the last-clobber marker: check and apply end with a message naming it',
    async (kind) => {
      layOut();
      plant(kind, join(target, 'last-clobber'));
      const cfg = writeConfig(root, `marker-${kind}`, [
        { clobber: { dir: base, feed: feedFile('feed.json'), host: 'bld-01' } },
      ]);
      await bothEndNaming(cfg, join(target, 'last-clobber'));
      expect(existsSync('/dev/zero')).toBe(true);
    },
    60_000,
  );

  it.each(['fifo', 'zero'] as const)(
    "a %s as purge's active_file: check and apply end naming it, and nothing is purged",
    async (kind) => {
      layOut();
      const active = join(base, '.active');
      plant(kind, active);
      const cfg = writeConfig(root, `active-${kind}`, [
        { purge: { dirs: [base], max_age: '14d', active_file: active } },
      ]);
      const text = await bothEndNaming(cfg, active);
      // without the active list purge cannot know which dir is the running job's
      expect(existsSync(join(base, 'old-a')), text).toBe(true);
    },
    60_000,
  );

  it.each(['fifo', 'zero'] as const)(
    'a %s as the clobber feed file: check and apply end naming it, and nothing is deleted',
    async (kind) => {
      layOut();
      const feed = join(root, `feed-${kind}`);
      plant(kind, feed);
      const cfg = writeConfig(root, `feed-${kind}`, [{ clobber: { dir: base, feed, host: 'bld-01' } }]);
      const text = await bothEndNaming(cfg, feed);
      expect(existsSync(join(target, 'log.txt')), text).toBe(true);
    },
    60_000,
  );

  it('a 2 GB sparse feed file: failed with a size message naming the file, nothing deleted', async () => {
    layOut();
    const feed = join(root, 'huge.json');
    execFileSync('truncate', ['-s', '2G', feed]);
    const cfg = writeConfig(root, 'huge', [{ clobber: { dir: base, feed, host: 'bld-01' } }]);
    const r = await runWithin(['apply', '--config', cfg], DEADLINE);
    const text = expectEnded(r);
    expect(text).toMatch(/^failed +clobber /m);
    const line = text.split('\n').find((l) => l.startsWith('failed')) ?? '';
    expect(line).toContain(feed);
    expect(line).toMatch(/too (large|big)|larger than|exceeds|limit|size/i);
    expect(existsSync(join(target, 'log.txt'))).toBe(true);
    rmSync(feed);
  }, 60_000);
});
