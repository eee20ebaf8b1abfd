import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  lchownSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  IN_ACCESS,
  IN_CLOSE_NOWRITE,
  IN_OPEN,
  onInotify,
  spinningSwapper,
  underAttack,
  type Racer,
} from '../helpers/attacker.js';
import type { Decoys } from '../helpers/decoys.js';
import { age, apply, ownedDir, ownedFile, hostileSetting, writeConfig } from '../helpers/hostile.js';

// The build user swaps its build dir for a symlink to a root-owned decoy while runner clobbers it.
const { root, build, decoys: plant } = hostileSetting('rt-hostile-clobber-');
let decoys: Decoys;
let n = 0;
beforeEach(() => void (decoys = plant(`decoy-${n++}`)));
const builds = ownedDir(join(root, 'builds'), { uid: 0, gid: 0 });
const base = join(builds, 'worker');
const stash = join(builds, 'stash');
const target = join(base, 'm-central');
const link = join(stash, 'm-central-link');
const feed = join(root, 'feed.json');
const config = writeConfig(root, 'clobber', [{ clobber: { dir: base, feed, host: 'bld-01' } }]);
const HONEST = join(base, 'try');
const LEFT = ['buildprops.json', 'last-clobber', 'scripts'];

/** A fresh worker: two build dirs with marker 100, a request at `at` for both, the attacker's symlink ready in its stash. */
function layOut(at: number, marker = '100\n'): void {
  rmSync(base, { recursive: true, force: true });
  rmSync(stash, { recursive: true, force: true });
  ownedDir(base, build);
  ownedDir(stash, build);
  for (const d of [target, HONEST]) {
    for (const sub of ['', 'build', 'build/obj', 'scripts']) ownedDir(join(d, sub), build);
    for (const f of ['build/obj/a.o', 'log.txt', 'buildprops.json']) ownedFile(join(d, f), build);
    ownedFile(join(d, 'last-clobber'), build, marker);
  }
  symlinkSync(decoys.dir, link);
  lchownSync(link, build.uid, build.gid);
  writeFileSync(
    feed,
    JSON.stringify({
      result: [
        { builddir: 'm-central', lastclobber: at, slave: null },
        { builddir: 'try', lastclobber: at, slave: null },
      ],
    }),
  );
}

/** Puts the real dir back under its name when the attack left the symlink there. */
function restore(): void {
  if (!lstatSync(target).isSymbolicLink()) return;
  renameSync(target, `${link}.tmp`);
  renameSync(link, target);
  renameSync(`${link}.tmp`, link);
}

function expectClobbered(dir: string, at: number, output = ''): void {
  expect(readdirSync(dir).sort(), `${dir} not clobbered:\n${output}`).toEqual(LEFT);
  expect(readFileSync(join(dir, 'last-clobber'), 'utf8'), `${dir}/last-clobber`).toBe(`${at}\n`);
}

/** One try: the attack during an apply; the decoy intact; the honest dir clobbered; after the attack, apply converges. */
async function attempt(at: number, attack: () => Promise<Racer>): Promise<{ swaps: number; fired: number }> {
  layOut(at);
  const racer = await attack();
  const [attacked, stats] = await underAttack(racer, () => apply(config));
  decoys.expectIntact(`request ${at}`);
  expect(existsSync(join(decoys.dir, 'last-clobber')), 'last-clobber written into the decoy').toBe(false);
  expectClobbered(HONEST, at, `exit ${attacked.code}: ${attacked.stdout}${attacked.stderr}`);
  restore();
  const after = await apply(config);
  expectClobbered(target, at, `exit ${after.code}: ${after.stdout}${after.stderr}`);
  expect((await apply(config)).code, 'a second apply changes nothing').toBe(0);
  return stats;
}

describe('hostile build user vs clobber (CLI)', () => {
  const cues = [IN_OPEN, IN_ACCESS, IN_CLOSE_NOWRITE];
  it('build dir swapped for a symlink to a decoy right after the probe reads last-clobber (inotify-timed, 36 tries)', async () => {
    for (let i = 0; i < 36; i++) {
      const stats = await attempt(1000 + i, () =>
        onInotify({
          dir: target,
          name: 'last-clobber',
          mask: cues[i % 3] as number,
          delayMs: Math.floor(i / 3) % 3,
          actions: [{ op: 'exchange', path: target, with: link, ...build }],
        }),
      );
      expect(stats.fired, `try ${i}: the probe never read ${target}/last-clobber`).toBe(1);
    }
  }, 240_000);

  it('a blind swapper renaming the build dir <-> a symlink to a decoy with rename(2) for the whole run (40 tries)', async () => {
    let swaps = 0;
    for (let i = 0; i < 40; i++) {
      const s = await attempt(2000 + i, () =>
        spinningSwapper(build, [{ path: target, link, real: join(stash, 'parked') }], i % 2 ? 'exchange' : 'rename'),
      );
      swaps += s.swaps;
    }
    expect(swaps).toBeGreaterThan(40);
  }, 240_000);

  it('a far-future last-clobber (year 2100) is named in a warning and a current request is still honoured', async () => {
    const now = Math.floor(Date.now() / 1000);
    layOut(now, '4102444800\n');
    age(target, 60_000);
    const r = await apply(config);
    const text = `${r.stdout}${r.stderr}`;
    expect(
      text.split('\n').some((l) => l.includes('warning:') && l.includes(target)),
      `no warning names ${target}/last-clobber:\n${text}`,
    ).toBe(true);
    expectClobbered(target, now);
    expect((await apply(config)).code, 'a second apply changes nothing').toBe(0);
    decoys.expectIntact('far-future marker');
  });
});
