import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typeBits } from '../../src/core/pending.js';
import { LocalHost } from '../../src/host/local.js';
import type { Pin } from '../../src/host/pinned.js';
import { deferEntries, type Deferrable } from '../../src/remediations/pending/defer.js';
import { Ledger } from '../../src/remediations/pending/ledger.js';
import { reapPending } from '../../src/remediations/pending/reap.js';
import { pendingDeletions } from '../../src/remediations/pending/summary.js';
import { clobber } from '../../src/checks/clobber/index.js';
import { ClobberOptions } from '../../src/checks/clobber/schema.js';
import { temp } from '../../src/checks/temp/index.js';
import { TempOptions } from '../../src/checks/temp/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import { clobber as clobberFix } from '../../src/remediations/clobber.js';
import { temp as tempFix } from '../../src/remediations/temp.js';
import { testContext } from '../helpers/context.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';

const root = sandbox('runner-pending-');
const host = new LocalHost();

function pinOf(path: string): Pin {
  const st = lstatSync(path);
  return { path, dev: st.dev, ino: st.ino };
}

function entryOf(dir: string, name: string, bytes = 1): Deferrable {
  const st = lstatSync(join(dir, name));
  const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
  return { name, dev: st.dev, ino: st.ino, uid: st.uid, type: typeBits(type), bytes };
}

/** A tree of `dirs` × `files` small files (rm of it takes a while). */
function tree(path: string, dirs: number, files: number): void {
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(path, `d${d}`), { recursive: true });
    for (let f = 0; f < files; f++) writeFileSync(join(path, `d${d}`, `f${f}`), 'x');
  }
}

const ledgerFile = (state: string) => JSON.parse(readFileSync(join(state, 'pending.json'), 'utf8'));

describe('deferred deletion: the ledger, the rename, the background delete', () => {
  it('renames and records; a taken .deleteme name gets one of its own; pending entries carried inside a renamed dir are forgotten', async () => {
    const dir = join(root, 'defer');
    const state = join(dir, 'state');
    mkdirSync(join(dir, 'base', 'b1', 'obj'), { recursive: true });
    mkdirSync(join(dir, 'base', 'b2'), { recursive: true });
    mkdirSync(join(dir, 'base', 'b2.deleteme')); // someone's, not runner's: never renamed over
    mkdirSync(state);
    const ledger = await Ledger.open(host, state);
    const b1 = join(dir, 'base', 'b1');
    // a clobber of b1 first: obj pending inside it
    expect(await deferEntries(host, ledger, pinOf(b1), [entryOf(b1, 'obj')], { by: 'clobber' })).toEqual([
      { status: 'gone' },
    ]);
    expect(readdirSync(b1)).toEqual(['obj.deleteme']);
    const base = join(dir, 'base');
    const out = await deferEntries(host, ledger, pinOf(base), [entryOf(base, 'b1', 10), entryOf(base, 'b2', 20)], {
      by: 'purge',
    });
    expect(out).toEqual([{ status: 'gone' }, { status: 'gone' }]);
    const names = readdirSync(base).sort();
    expect(names).toEqual(['b1.deleteme', 'b2.deleteme', expect.stringMatching(/^b2~[0-9a-f]{8}\.deleteme$/)]);
    expect(existsSync(join(base, 'b2.deleteme'))).toBe(true);
    // what the ledger holds, on disk: the two dirs, not obj (its size counts in b1's)
    const recorded = ledgerFile(state).entries;
    expect(recorded.map((e: { name: string }) => e.name)).toEqual(['b1.deleteme', names[2]]);
    expect(recorded[1]).toMatchObject({ was: 'b2', by: 'purge', bytes: 20, type: 0o040000, uid: 0 });
    expect(await pendingDeletions(host, state)).toEqual({
      path: join(state, 'pending.json'),
      entries: 2,
      bytes: 30,
    });
    const r = await reapPending(host, ledger, () => true, { idle: true });
    expect(r.deleted.map((e) => e.was)).toEqual(['b1', 'b2']);
    expect(readdirSync(base)).toEqual(['b2.deleteme']); // never recorded: left alone
    expect(ledgerFile(state).entries).toEqual([]);
  });

  it('a stop kills the deletion under way; the record stays (counted as 0 bytes) and the next pass finishes it', async () => {
    const dir = join(root, 'stop');
    const base = join(dir, 'base');
    const state = join(dir, 'state');
    mkdirSync(state, { recursive: true });
    tree(join(base, 'big'), 400, 80);
    const ledger = await Ledger.open(host, state);
    await deferEntries(host, ledger, pinOf(base), [entryOf(base, 'big', 5_000_000)], { by: 'purge' });
    const trash = join(base, 'big.deleteme');
    const full = lstatSync(trash).nlink;
    const stop = new AbortController();
    const pass = reapPending(host, ledger, () => true, { idle: true, stop: stop.signal });
    while ((lstatSync(trash, { throwIfNoEntry: false })?.nlink ?? 0) >= full)
      await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    const r = await pass;
    expect(r).toMatchObject({ deleted: [], refused: [], failed: [], stopped: true });
    expect(existsSync(trash)).toBe(true);
    expect(lstatSync(trash).nlink).toBeLessThan(full);
    // the rm is gone with the stop: the tree stays as it was
    const left = lstatSync(trash).nlink;
    await new Promise((r) => setTimeout(r, 300));
    expect(lstatSync(trash).nlink).toBe(left);
    expect(ledgerFile(state).entries).toMatchObject([{ name: 'big.deleteme', bytes: 0 }]);
    const again = await reapPending(host, await Ledger.open(host, state), () => true);
    expect(again.deleted.map((e) => e.name)).toEqual(['big.deleteme']);
    expect(existsSync(trash)).toBe(false);
  });

  it('clobber and temp with a ledger: rename only, converge on the re-probe, and a second apply changes nothing', async () => {
    const dir = join(root, 'converge');
    const state = join(dir, 'state');
    mkdirSync(state, { recursive: true });
    const ledger = await Ledger.open(host, state);
    const ctx = { ...testContext('apply'), pending: ledger };
    // clobber: a requested build dir; its marker moves although its entries are only renamed
    const build = join(dir, 'builds', 'm-central');
    mkdirSync(join(build, 'obj'), { recursive: true });
    writeFileSync(join(build, 'obj', 'a.o'), 'o');
    writeFileSync(join(build, 'last-clobber'), '100\n');
    const feed = join(dir, 'feed.json');
    writeFileSync(feed, JSON.stringify({ result: [{ builddir: 'm-central', lastclobber: 200, slave: null }] }));
    const clobberEntry = {
      check: clobber,
      remediation: clobberFix,
      options: ClobberOptions.parse({ dir: join(dir, 'builds'), feed, host: 'h' }),
    };
    const c = await runCheck(host, clobberEntry, ctx);
    expect(c).toMatchObject({ status: 'changed', summary: expect.stringContaining('to be deleted in the background') });
    expect(readdirSync(build).sort()).toEqual(['last-clobber', 'obj.deleteme']);
    expect(readFileSync(join(build, 'last-clobber'), 'utf8')).toBe('200\n');
    // temp: an old file of the build user, renamed by root, recorded as to be deleted as its owner
    const user = ensureUser('rtest-build');
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp, { mode: 0o1777 });
    chmodSync(tmp, 0o1777);
    chmodSync(dir, 0o755);
    chmodSync(root, 0o755);
    writeFileSync(join(tmp, 'job.log'), 'log');
    chownSync(join(tmp, 'job.log'), user.uid, user.gid);
    const old = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(join(tmp, 'job.log'), old, old);
    const tempEntry = {
      check: temp,
      remediation: tempFix,
      options: TempOptions.parse({ paths: [`${tmp}/*`], users: ['rtest-build'] }),
    };
    const t = await runCheck(host, tempEntry, ctx);
    expect(t).toMatchObject({
      status: 'changed',
      summary: 'renamed 1 entries (4.1 kB) to be deleted in the background',
    });
    expect(readdirSync(tmp)).toEqual(['job.log.deleteme']);
    expect(ledger.entries().map((e) => [e.by, e.was, e.owner?.uid])).toEqual([
      ['clobber', 'obj', undefined],
      ['temp', 'job.log', user.uid],
    ]);
    for (const entry of [clobberEntry, tempEntry]) expect((await runCheck(host, entry, ctx)).status).toBe('ok');
    expect((await reapPending(host, ledger, () => true)).deleted).toHaveLength(2);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(build)).toEqual(['last-clobber']);
  });

  it('a ledger that is not one is an error naming the file', async () => {
    const state = join(root, 'bad');
    mkdirSync(state);
    writeFileSync(join(state, 'pending.json'), '{"version": 1, "entries": [{"name": "x"}]}');
    await expect(Ledger.open(host, state)).rejects.toThrow(/pending\.json: not a ledger of pending deletions/);
    writeFileSync(join(state, 'pending.json'), 'nope');
    await expect(Ledger.open(host, state)).rejects.toThrow(/pending\.json: not JSON/);
  });
});
