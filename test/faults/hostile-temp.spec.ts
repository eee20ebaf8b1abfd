import {
  chmodSync,
  existsSync,
  lchownSync,
  lstatSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { IN_CLOSE_NOWRITE, IN_OPEN, onInotify, spinningSwapper, underAttack, type Racer } from '../helpers/attacker.js';
import type { Decoys } from '../helpers/decoys.js';
import { HOUR } from '../helpers/dirs.js';
import { age, apply, check, hostileSetting, ownedDir, ownedFile, writeConfig } from '../helpers/hostile.js';

// /tmp-like: root-owned and sticky; the build user's entries in it are old, so temp wants them gone.
const { root, build, other, decoys: plant } = hostileSetting('rt-hostile-temp-');
const tmp = join(root, 'tmp');
const stash = join(root, 'stash');
let decoys: Decoys;
let n = 0;
beforeEach(() => void (decoys = plant(`decoy-${n++}`)));

function fresh(): void {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(stash, { recursive: true, force: true });
  ownedDir(tmp, { uid: 0, gid: 0 }, 0o1777);
  ownedDir(stash, build);
}

/** An old dir of the build user holding an old file (the file aged before the dir, which its creation touched). */
function oldDir(path: string, mode = 0o755): string {
  ownedDir(path, build, mode);
  age(ownedFile(join(path, 'junk'), build), 2 * HOUR);
  age(path, 2 * HOUR);
  return path;
}

const output = (r: { stdout: Buffer; stderr: Buffer }) => `${r.stdout}${r.stderr}`;

describe('hostile build user vs temp: a dir above the matched entry swapped during apply (CLI)', () => {
  const cfg = writeConfig(root, 'above', [
    { temp: { paths: [`${tmp}/*/cache`], users: ['rtest-build'], older_than: '1m' } },
  ]);
  const job1 = join(tmp, 'job1');

  /** One try: job1 and job2 each hold an old cache; the attacker swaps job1 for a symlink to a decoy holding a `cache`. */
  async function attempt(i: number, attack: (link: string) => Promise<Racer>) {
    fresh();
    for (const job of [job1, join(tmp, 'job2')]) {
      ownedDir(job, build);
      oldDir(join(job, 'cache'));
    }
    const link = join(stash, 'job1-link');
    symlinkSync(decoys.dir, link);
    lchownSync(link, build.uid, build.gid);
    const [r, stats] = await underAttack(await attack(link), () => apply(cfg));
    decoys.expectIntact(`try ${i}`);
    expect(existsSync(join(tmp, 'job2', 'cache')), `try ${i}: job2/cache not deleted:\n${output(r)}`).toBe(false);
    if (lstatSync(job1, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(job1);
    for (const parked of [join(stash, 'job1-parked'), link]) {
      if (!existsSync(job1) && lstatSync(parked, { throwIfNoEntry: false })?.isDirectory()) renameSync(parked, job1);
    }
    await apply(cfg);
    expect(existsSync(join(job1, 'cache')), `try ${i}: job1/cache not deleted once the attack stopped`).toBe(false);
    expect((await apply(cfg)).code, 'a second apply changes nothing').toBe(0);
    return stats;
  }

  it('a blind swapper renaming job1 <-> a symlink to a decoy for the whole run (40 tries)', async () => {
    let swaps = 0;
    for (let i = 0; i < 40; i++) {
      const s = await attempt(i, (link) =>
        spinningSwapper(build, [{ path: job1, link, real: join(stash, 'job1-parked') }], i % 2 ? 'exchange' : 'rename'),
      );
      swaps += s.swaps;
    }
    expect(swaps).toBeGreaterThan(40);
  }, 240_000);

  it('job1 swapped right after the probe read job1/cache (inotify-timed, 30 tries)', async () => {
    let fired = 0;
    for (let i = 0; i < 30; i++) {
      const s = await attempt(i, (link) =>
        onInotify({
          dir: job1,
          name: 'cache',
          mask: i % 2 ? IN_OPEN : IN_CLOSE_NOWRITE,
          nth: 1 + (Math.floor(i / 2) % 3),
          delayMs: Math.floor(i / 6) % 3,
          actions: [{ op: 'exchange', path: job1, with: link, ...build }],
        }),
      );
      fired += s.fired;
    }
    expect(fired, 'the attacker never wrote its file in time').toBeGreaterThan(0);
  }, 240_000);
});

describe("hostile build user vs temp: another user's file in a matched dir after the scan (CLI)", () => {
  const cfg = writeConfig(root, 'other', [{ temp: { paths: [`${tmp}/*`], users: ['rtest-build'], older_than: '1m' } }]);
  const shared = join(tmp, 'shared');
  const theirs = join(shared, 'theirs');

  function layOut(): void {
    fresh();
    oldDir(shared, 0o777);
    // mkdir applies the umask: make the dir really world-writable
    chmodSync(shared, 0o777);
    age(shared, 2 * HOUR);
    oldDir(join(tmp, 'solo'));
  }

  it("written between `runner check` and `runner apply`: the other user's file survives, the build user's dir next to it goes", async () => {
    layOut();
    expect(output(await check(cfg))).toContain(shared);
    age(ownedFile(theirs, other, 'theirs\n'), 0);
    const r = await apply(cfg);
    expect(readFileSync(theirs, 'utf8'), output(r)).toBe('theirs\n');
    expect(existsSync(join(tmp, 'solo'))).toBe(false);
    expect((await apply(cfg)).code).toBe(0);
    decoys.expectIntact('other user between check and apply');
  });

  it('written right after the apply probe read the dir, its mtime then reset by the build user (inotify-timed, 30 tries)', async () => {
    let fired = 0;
    for (let i = 0; i < 30; i++) {
      layOut();
      const ns = Number(statSync(shared, { bigint: true }).mtimeNs);
      const racer = await onInotify({
        dir: shared,
        name: '',
        mask: i % 2 ? IN_OPEN : IN_CLOSE_NOWRITE,
        nth: 1 + (Math.floor(i / 2) % 2),
        actions: [
          { op: 'write', path: theirs, data: 'theirs\n', ...other },
          { op: 'utime', path: shared, ns, ...build },
        ],
      });
      const [r, stats] = await underAttack(racer, () => apply(cfg));
      // a cue taken from the delete itself comes too late: the write then fails (no dir) and proves nothing
      const landed = stats.fired && !stats.errors;
      if (landed) fired += 1;
      if (landed)
        expect(
          existsSync(theirs) && readFileSync(theirs, 'utf8'),
          `try ${i}: the other user's file was deleted:\n${output(r)}`,
        ).toBe('theirs\n');
      expect(existsSync(join(tmp, 'solo')), `try ${i}: solo not deleted:\n${output(r)}`).toBe(false);
      expect((await apply(cfg)).code, `try ${i}: a second apply changes nothing`).toBe(0);
    }
    expect(fired, 'the attacker never wrote its file in time').toBeGreaterThan(0);
    decoys.expectIntact('other user mid-apply');
  }, 240_000);
});
