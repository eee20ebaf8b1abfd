import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lchownSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { IN_CLOSE_NOWRITE, IN_OPEN, onInotify, spinningSwapper, underAttack, type Racer } from '../helpers/attacker.js';
import type { Decoys } from '../helpers/decoys.js';
import { DAY } from '../helpers/dirs.js';
import {
  age,
  apply,
  expectEnded,
  hostileSetting,
  ownedDir,
  ownedFile,
  runWithin,
  writeConfig,
} from '../helpers/hostile.js';

// The build user owns the worker dir and every build dir in it, and attacks purge from there.
const { root, build, decoys: plant } = hostileSetting('rt-hostile-purge-');
const builds = ownedDir(join(root, 'builds'), { uid: 0, gid: 0 });
const base = join(builds, 'worker');
const stash = join(builds, 'stash');
const HONEST = ['old-a', 'old-b'];
let decoys: Decoys;
let n = 0;
beforeEach(() => void (decoys = plant(`decoy-${n++}`)));

/** A fresh worker dir: build dirs a month old, each with some build output, all the build user's. */
function layOut(names: Array<string | Buffer> = []): void {
  rmSync(base, { recursive: true, force: true });
  rmSync(stash, { recursive: true, force: true });
  ownedDir(base, build);
  ownedDir(stash, build);
  for (const name of [...HONEST, ...names]) {
    const dir = typeof name === 'string' ? join(base, name) : Buffer.concat([Buffer.from(`${base}/`), name]);
    ownedDir(dir, build);
    const sub = typeof dir === 'string' ? join(dir, 'obj') : Buffer.concat([dir, Buffer.from('/obj')]);
    ownedDir(sub, build);
    age(dir, 30 * DAY);
  }
}

function config(name: string, extra: object = {}): string {
  return writeConfig(root, name, [{ purge: { dirs: [base], max_age: '14d', min_age: '1h', ...extra } }]);
}

/** The symlink to the decoy the attacker swaps in, owned by the build user. */
function decoyLink(name: string): string {
  const link = join(stash, name);
  symlinkSync(decoys.dir, link);
  lchownSync(link, build.uid, build.gid);
  return link;
}

const output = (r: { stdout: Buffer; stderr: Buffer }) => `${r.stdout}${r.stderr}`;

async function converges(cfg: string): Promise<void> {
  await apply(cfg);
  const again = await apply(cfg);
  expect(again.code, `a second apply changes nothing:\n${output(again)}`).toBe(0);
}

describe('hostile build user vs purge: swaps during apply (CLI)', () => {
  const cfg = config('swap');
  const target = join(base, 'old-x');

  /** One try: the decoy intact, the honest dirs gone; once the attacker stops and its dir is back, purge converges. */
  async function attempt(i: number, attack: () => Promise<Racer>) {
    layOut(['old-x']);
    const [r, stats] = await underAttack(await attack(), () => apply(cfg));
    decoys.expectIntact(`try ${i}`);
    for (const d of HONEST) expect(existsSync(join(base, d)), `try ${i}: ${d} not purged:\n${output(r)}`).toBe(false);
    if (existsSync(target) && lstatSync(target).isSymbolicLink()) rmSync(target);
    for (const parked of ['x-parked', 'x-link'].map((p) => join(stash, p))) {
      if (existsSync(parked) && lstatSync(parked).isDirectory() && !existsSync(target)) renameSync(parked, target);
    }
    await converges(cfg);
    expect(readdirSync(base)).toEqual([]);
    return stats;
  }

  it('a blind swapper renaming a build dir (and its .deleteme) <-> a symlink to a decoy for the whole run (40 tries)', async () => {
    let swaps = 0;
    for (let i = 0; i < 40; i++) {
      const s = await attempt(i, () =>
        spinningSwapper(
          build,
          [
            { path: target, link: decoyLink('x-link'), real: join(stash, 'x-parked') },
            { path: `${target}.deleteme`, link: decoyLink('xd-link'), real: join(stash, 'xd-parked') },
          ],
          i % 2 ? 'exchange' : 'rename',
        ),
      );
      swaps += s.swaps;
    }
    expect(swaps).toBeGreaterThan(40);
  }, 240_000);

  it('a build dir swapped for a symlink to a decoy right after the probe measured it (inotify-timed, 36 tries)', async () => {
    let fired = 0;
    for (let i = 0; i < 36; i++) {
      const s = await attempt(i, () =>
        onInotify({
          dir: target,
          name: '',
          mask: i % 2 ? IN_OPEN : IN_CLOSE_NOWRITE,
          nth: 1 + (Math.floor(i / 2) % 3),
          delayMs: Math.floor(i / 6) % 3,
          actions: [{ op: 'exchange', path: target, with: decoyLink('x-link'), ...build }],
        }),
      );
      fired += s.fired;
    }
    expect(fired, 'the attacker never got its cue').toBeGreaterThan(0);
  }, 240_000);
});

describe('hostile build user vs purge: bind mounts of a decoy (CLI, root)', () => {
  const bind = (from: string, at: string) => execFileSync('mount', ['--bind', from, at]);
  // runner may have renamed the dir holding the mount: unmount whatever is mounted under the sandbox, deepest first
  const unmount = () => {
    const points = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
    for (const m of points
      .filter((p) => p.startsWith(`${root}/`))
      .sort()
      .reverse())
      execFileSync('umount', ['-l', m]);
  };
  afterAll(unmount);

  it('a same-filesystem bind mount of a decoy inside an old build dir: the decoy content survives', async () => {
    layOut(['old-dir']);
    const at = ownedDir(join(base, 'old-dir', 'cache'), build);
    bind(decoys.dir, at);
    age(join(base, 'old-dir'), 30 * DAY);
    try {
      const r = await apply(config('bind-inside'));
      decoys.expectIntact('bind mount inside a build dir');
      for (const d of HONEST) expect(existsSync(join(base, d)), `${d} not purged:\n${output(r)}`).toBe(false);
    } finally {
      unmount();
    }
  });

  it('a build dir that is itself a bind mount of a decoy: the decoy survives, it is named, the others go', async () => {
    layOut(['old-mnt']);
    decoys = plant('decoy-old', 30 * DAY);
    bind(decoys.dir, join(base, 'old-mnt'));
    try {
      const r = await apply(config('bind-point'));
      decoys.expectIntact('build dir is a bind mount point');
      expect(output(r)).toContain(join(base, 'old-mnt'));
      for (const d of HONEST) expect(existsSync(join(base, d)), `${d} not purged:\n${output(r)}`).toBe(false);
    } finally {
      unmount();
    }
  });
});

describe('hostile build user vs purge: the active job dir written differently (CLI)', () => {
  const alias = join(root, 'alias');
  it.each([
    ['a double slash', () => `${base}//job`],
    ['a /./', () => `${base}/./job`],
    ['a trailing slash', () => `${base}/job/`],
    ['a symlinked parent', () => `${alias}/job`],
    ['a symlink in the base dir', () => `${base}/current`],
  ])('active_file naming the job dir with %s: it is not purged, the others are', async (_, written) => {
    layOut(['job']);
    if (!existsSync(alias)) symlinkSync(base, alias);
    symlinkSync(join(base, 'job'), join(base, 'current'));
    const activeFile = join(root, 'active');
    writeFileSync(activeFile, `${written()}\n`);
    const cfg = config('active', { active_file: activeFile });
    const r = await apply(cfg);
    expect(existsSync(join(base, 'job', 'obj')), `${written()} did not protect the job dir:\n${output(r)}`).toBe(true);
    for (const d of HONEST) expect(existsSync(join(base, d))).toBe(false);
    const again = await apply(cfg);
    expect(again.code, output(again)).toBe(0);
    decoys.expectIntact('active');
  });
});

describe('hostile build user vs purge: names it chose (CLI)', () => {
  it('a 250-byte build dir name among old dirs: every old dir is purged, that one too', async () => {
    layOut(['a'.repeat(250)]);
    const r = await apply(config('long'));
    expect(readdirSync(base), output(r)).toEqual([]);
    expect((await apply(config('long'))).code).toBe(0);
  });

  it('build dir names that are not UTF-8 (bytes ff fe) are purged', async () => {
    layOut([Buffer.from([0x6f, 0x6c, 0x64, 0xff, 0xfe]), Buffer.from([0xc3, 0x28, 0x2d, 0x62, 0x61, 0x64])]);
    const r = await apply(config('bytes'));
    expect(readdirSync(base), output(r)).toEqual([]);
    expect((await apply(config('bytes'))).code).toBe(0);
  });

  it('names with terminal escapes (ESC [31m, CR, LF, BEL) are purged, and check and apply print no raw control bytes', async () => {
    layOut(['esc-\x1b[31m-red', 'cr-\rover', 'lf-\nnext', 'bel-\x07ding', 'clear-\x1b[2J']);
    const cfg = config('escapes');
    const runs = [await runWithin(['check', '--config', cfg]), await runWithin(['apply', '--config', cfg])];
    expect(readdirSync(base), output(runs[1] as never)).toEqual([]);
    for (const r of runs) {
      const text = expectEnded(r);
      expect(
        text.includes('\x1b') || text.includes('\r') || text.includes('\x07'),
        `raw control bytes in:\n${JSON.stringify(text)}`,
      ).toBe(false);
      expect(/[\x00-\x09\x0b-\x1f\x7f]/.test(text), JSON.stringify(text)).toBe(false);
      // a raw LF inside a name would start a line that is neither a status, a detail nor the recap
      for (const line of text.split('\n'))
        expect(line, JSON.stringify(text)).toMatch(
          /^(|(ok|drift|changed|failed|skipped) .*| {8,}.*|(check|apply): .*)$/,
        );
    }
    expect((await apply(cfg)).code).toBe(0);
  });
});
