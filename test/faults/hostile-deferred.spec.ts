import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { typeBits } from '../../src/core/pending.js';
import { LocalHost } from '../../src/host/local.js';
import { deferEntries } from '../../src/remediations/pending/defer.js';
import { Ledger } from '../../src/remediations/pending/ledger.js';
import { reapPending } from '../../src/remediations/pending/reap.js';
import type { Decoys } from '../helpers/decoys.js';
import { DAY } from '../helpers/dirs.js';
import { age, expectEnded, hostileSetting, ownedDir, ownedFile, runWithin } from '../helpers/hostile.js';

// The build user owns the worker dir and what purge renamed to .deleteme there, and plants its own .deleteme
// entries, swaps runner's for others and swaps dirs above them between the rename and the background delete.
const { root, build, other, decoys: plant } = hostileSetting('rt-hostile-deferred-');
const host = new LocalHost();
let decoys: Decoys;
let n = 0;
beforeEach(() => void (decoys = plant(`decoy-${n++}`)));

/** As the build user, really (runuser): what it can do to its own dirs, and nothing more. */
function asBuild(script: string, ...args: string[]): void {
  execFileSync('runuser', ['-u', 'rtest-build', '--', 'sh', '-ec', script, 'sh', ...args], { stdio: 'pipe' });
}

/** A state dir of runner's, a worker dir of the build user's with month-old build dirs, renamed by `runner apply --defer-deletes`. */
async function deferred(name: string, dirs: string[]) {
  const state = ownedDir(join(root, name, 'state'), { uid: 0, gid: 0 });
  const base = ownedDir(join(root, name, 'worker'), build);
  for (const d of dirs) {
    ownedDir(join(base, d), build);
    ownedDir(join(base, d, 'obj'), build);
    ownedFile(join(base, d, 'obj', 'out.o'), build, 'object\n');
    age(join(base, d), 30 * DAY);
  }
  const cfg = join(root, name, 'runner.yaml');
  const purge = JSON.stringify({ purge: { dirs: [base], max_age: '7d' } });
  writeFileSync(cfg, `checks:\n  - ${purge}\nlifecycle: { worker: { basedir: /srv/w }, state_dir: ${state} }\n`);
  const r = await runWithin(['apply', '--config', cfg, '--defer-deletes']);
  expectEnded(r);
  expect(`${r.stdout}`).toMatch(/renamed \d+ dirs? .* to be deleted in the background/);
  return { base, state, ledger: await Ledger.open(host, state) };
}

describe('hostile build user vs the background deleter', () => {
  it('a recorded entry swapped for a symlink to a decoy, a FIFO, or a dir of its own is left alone, and so is everything it planted', async () => {
    const { base, state, ledger } = await deferred('swapped', ['b-link', 'b-fifo', 'b-dir', 'b-honest']);
    expect(readdirSync(base).sort()).toEqual([
      'b-dir.deleteme',
      'b-fifo.deleteme',
      'b-honest.deleteme',
      'b-link.deleteme',
    ]);
    const stash = ownedDir(join(root, 'swapped', 'stash'), build);
    asBuild(
      `cd "$1"
       mv b-link.deleteme "$2/link-real"; ln -s "$3" b-link.deleteme
       mv b-fifo.deleteme "$2/fifo-real"; mkfifo b-fifo.deleteme
       mv b-dir.deleteme "$2/dir-real"; mkdir b-dir.deleteme; ln -s "$3" b-dir.deleteme/decoy; echo mine > b-dir.deleteme/mine
       ln -s "$3" planted.deleteme; mkfifo planted-fifo.deleteme; mkdir planted-dir.deleteme
       ln -s "$3" b-honest.deleteme/obj/into-decoy`,
      base,
      stash,
      decoys.dir,
    );
    const r = await reapPending(host, ledger, () => true, { idle: true });

    expect(r.deleted.map((e) => e.was)).toEqual(['b-honest']);
    // in the ledger's order, which is the plan's (oldest first): compare as sets
    expect(r.refused.map((x) => [x.entry.was, x.why]).sort()).toEqual(
      ['b-dir', 'b-fifo', 'b-link'].map((w) => [
        w,
        'not the entry runner renamed (device, inode, owner or type differ)',
      ]),
    );
    decoys.expectIntact('planted .deleteme entries and swapped records');
    expect(readdirSync(base).sort()).toEqual([
      'b-dir.deleteme',
      'b-fifo.deleteme',
      'b-link.deleteme',
      'planted-dir.deleteme',
      'planted-fifo.deleteme',
      'planted.deleteme',
    ]);
    expect(lstatSync(join(base, 'b-link.deleteme')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(base, 'b-fifo.deleteme')).isFIFO()).toBe(true);
    expect(readdirSync(join(base, 'b-dir.deleteme')).sort()).toEqual(['decoy', 'mine']);
    expect(readdirSync(stash).sort()).toEqual(['dir-real', 'fifo-real', 'link-real']); // moved away: not runner's any more
    // forgotten: never tried again
    expect(JSON.parse(readFileSync(join(state, 'pending.json'), 'utf8')).entries).toEqual([]);
  });

  it('a dir above the pending entries swapped for a symlink to a decoy: nothing is deleted through it', async () => {
    const dir = join(root, 'above');
    const state = ownedDir(join(dir, 'state'), { uid: 0, gid: 0 });
    const base = ownedDir(join(dir, 'worker'), build);
    const builddir = ownedDir(join(base, 'b1'), build);
    // a clobber's entries of b1: the decoy has the same names
    for (const name of ['build', 'cache']) ownedDir(join(builddir, name), build);
    const ledger = await Ledger.open(host, state);
    const st = lstatSync(builddir);
    const entries = ['build', 'cache'].map((name) => {
      const e = lstatSync(join(builddir, name));
      return { name, dev: e.dev, ino: e.ino, uid: e.uid, type: typeBits('dir'), bytes: 4096 };
    });
    await deferEntries(host, ledger, { path: builddir, dev: st.dev, ino: st.ino }, entries, { by: 'clobber' });
    expect(readdirSync(builddir).sort()).toEqual(['build.deleteme', 'cache.deleteme']);
    // the decoy gets the .deleteme names too, so only the pin (and the identities) can tell them apart
    execFileSync('sh', ['-c', 'cd "$1" && mkdir build.deleteme cache.deleteme', 'sh', decoys.dir]);
    const before = decoys.snapshot();
    asBuild('mv "$1" "$1-real"; ln -s "$2" "$1"', builddir, decoys.dir);

    const r = await reapPending(host, ledger, () => true);
    expect(r.deleted).toEqual([]);
    expect(r.refused.map((x) => x.why)).toEqual([
      `${builddir} is reached through a symlink (or was moved) since the probe: left alone`,
      `${builddir} is reached through a symlink (or was moved) since the probe: left alone`,
    ]);
    expect(decoys.snapshot()).toEqual(before);
    expect(readdirSync(`${builddir}-real`).sort()).toEqual(['build.deleteme', 'cache.deleteme']);
  });

  it('a bind mount of a decoy inside a pending tree (same filesystem): refused, the decoy survives', async () => {
    const { base, ledger } = await deferred('mounted', ['b-mnt', 'b-plain']);
    const at = join(base, 'b-mnt.deleteme', 'obj');
    execFileSync('mount', ['--bind', decoys.dir, at]);
    try {
      const r = await reapPending(host, ledger, () => true, { idle: true });
      expect(r.refused.map((x) => [x.entry.was, x.why])).toEqual([['b-mnt', `holds a mount point (${at})`]]);
      expect(r.deleted.map((e) => e.was)).toEqual(['b-plain']);
      decoys.expectIntact('a bind mount inside a pending tree');
    } finally {
      execFileSync('umount', ['-l', at]);
    }
  });

  it('temp: deleted as the owner, so another user’s file put into a pending dir stays, with the dir that holds it', async () => {
    const dir = join(root, 'temp');
    const state = ownedDir(join(dir, 'state'), { uid: 0, gid: 0 });
    const tmp = ownedDir(join(dir, 'tmp'), { uid: 0, gid: 0 }, 0o1777);
    const job = ownedDir(join(tmp, 'job-1'), build, 0o777);
    ownedFile(join(job, 'scratch'), build);
    const ledger = await Ledger.open(host, state);
    const st = lstatSync(tmp);
    const e = lstatSync(job);
    const owner = { user: 'rtest-build', uid: build.uid };
    await deferEntries(
      host,
      ledger,
      { path: tmp, dev: st.dev, ino: st.ino },
      [{ name: 'job-1', dev: e.dev, ino: e.ino, uid: e.uid, type: typeBits('dir'), bytes: 8192 }],
      { by: 'temp', owner },
    );
    const pending = join(tmp, 'job-1.deleteme');
    mkdirSync(join(pending, 'theirs'));
    ownedFile(join(pending, 'theirs', 'keep'), other);
    lchownSync(join(pending, 'theirs'), other.uid, other.gid);
    symlinkSync(decoys.file, join(pending, 'to-decoy'));
    lchownSync(join(pending, 'to-decoy'), build.uid, build.gid);

    const r = await reapPending(host, ledger, () => true, { idle: true });
    expect(r.failed.map((f) => f.why)).toEqual([expect.stringMatching(/^not all of it could be deleted/)]);
    expect(readdirSync(pending)).toEqual(['theirs']);
    expect(readFileSync(join(pending, 'theirs', 'keep'), 'utf8')).toBe('x\n');
    expect(existsSync(join(pending, 'scratch'))).toBe(false);
    decoys.expectIntact('a symlink in a pending temp dir');
  });
});
