import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { hashTree } from './tree.js';
import { sh } from './vcs.js';

/** The tracked files of `makeStateRepo`: regular, executable, nested, a space and UTF-8, two symlinks (and `tracked-\xff`). */
export const REGULAR = ['a.txt', 'run.sh', 'dir/c.txt', 'dir/sub/d.txt', 'sp ace/ü.txt', '.hgignore'];
export const LINKS = ['link', 'dlink'];

/** An hg repo of those files, committed; ignores `*.log` and `build/`. */
export function makeStateRepo(dir: string): void {
  sh('/', `hg init -q "${dir}"`);
  mkdirSync(join(dir, 'dir', 'sub'), { recursive: true });
  mkdirSync(join(dir, 'sp ace'));
  for (const f of REGULAR) writeFileSync(join(dir, f), `content of ${f}\n`);
  writeFileSync(join(dir, '.hgignore'), 'syntax: glob\n*.log\nbuild/\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  symlinkSync('a.txt', join(dir, 'link'));
  symlinkSync('dir', join(dir, 'dlink'));
  writeFileSync(Buffer.from(`${dir}/tracked-\xff`, 'latin1'), 'not UTF-8\n'); // a name hg tracks as bytes
  sh(dir, 'hg add -q && hg commit -q -m one');
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** A tracked path that is still a regular file (never a FIFO: reading or appending to one would block), or a dummy. */
function aFile(d: string, r: Rand, from = REGULAR): string {
  const f = join(d, pick(r, from));
  return lstatSync(f, { throwIfNoEntry: false })?.isFile() ? f : join(d, 'not-there', 'x');
}

/** Sets an mtime back on a file or a symlink itself (never its target). */
function setMtime(path: string, secs: number): void {
  lutimesSync(path, secs, secs);
}

/**
 * One change a build might make to a checkout, by name: each says what it does; `hg` ones start hg. A trial
 * applies its picks in this order (one may fail where an earlier one took its file: it is then skipped). Some are
 * invisible to hg's fast path on purpose (same size and mtime second): the native check must agree with hg
 * there too, both calling the checkout clean.
 */
export const MUTATIONS: Record<string, (dir: string, r: Rand) => void> = {
  none: () => {},
  append: (d, r) => appendFileSync(aFile(d, r), 'more\n'),
  'same size, new mtime': (d, r) => flipByte(aFile(d, r), false),
  'same size, mtime kept (hg cannot see it)': (d, r) => flipByte(aFile(d, r), true),
  'touched, unchanged': (d, r) => utimesSync(aFile(d, r), new Date(), new Date()),
  'touched within the same second': (d, r) => {
    const f = join(d, pick(r, [...REGULAR, ...LINKS]));
    setMtime(f, Math.floor(lstatSync(f).mtimeMs / 1000) + 0.75);
  },
  'mtime before 1970': (d, r) => setMtime(aFile(d, r), -5.5),
  'exec bit flipped': (d, r) => {
    const f = aFile(d, r);
    chmodSync(f, lstatSync(f).mode ^ 0o100);
  },
  'group write bit (hg ignores it)': (d, r) => chmodSync(aFile(d, r), 0o664),
  deleted: (d, r) => rmSync(join(d, pick(r, [...REGULAR, ...LINKS]))),
  'file became a dir': (d, r) => {
    const f = aFile(d, r);
    rmSync(f);
    mkdirSync(f);
    writeFileSync(join(f, 'inner'), 'x');
  },
  'file became a symlink of the same size and mtime': (d, r) => {
    const f = aFile(d, r);
    const st = lstatSync(f);
    rmSync(f);
    symlinkSync('x'.repeat(st.size), f);
    setMtime(f, Math.floor(st.mtimeMs / 1000));
  },
  'symlink retargeted, same size and mtime': (d) => {
    const f = join(d, 'link');
    const secs = Math.floor(lstatSync(f).mtimeMs / 1000);
    rmSync(f);
    symlinkSync('b.txt', f);
    setMtime(f, secs);
  },
  'unknown file': (d, r) => writeFileSync(join(d, pick(r, ['', 'dir', 'sp ace']), 'new.txt'), 'new\n'),
  'ignored file': (d, r) => {
    mkdirSync(join(d, 'build'), { recursive: true });
    writeFileSync(join(d, pick(r, ['x.log', 'dir/y.log', 'build/out.o'])), 'ignored\n');
  },
  'name with a newline': (d) => writeFileSync(join(d, 'we\nird'), 'x'),
  'name not UTF-8': (d) => writeFileSync(Buffer.from(`${d}/new-\xfe`, 'latin1'), 'x'),
  'empty dir': (d) => mkdirSync(join(d, 'emptydir'), { recursive: true }),
  'empty nested .hg dir': (d, r) =>
    mkdirSync(join(d, pick(r, ['dir', 'dir/sub', 'sp ace']), '.hg'), { recursive: true }),
  'dir replaced by a symlink to its copy': (d) => {
    renameSync(join(d, 'dir'), join(d, 'dir.real'));
    symlinkSync('dir.real', join(d, 'dir'));
  },
  'hg: nested repo': (d) => sh(d, 'hg init -q nested && echo n > nested/file'),
  'hg: added': (d) => sh(d, 'echo added > added.txt && hg add -q added.txt'),
  'hg: removed': (d, r) => sh(d, `hg rm -q "${pick(r, ['a.txt', 'dir/c.txt', 'link'])}"`),
  'hg: forgotten': (d, r) => sh(d, `hg forget -q "${pick(r, ['a.txt', 'run.sh'])}"`),
  'hg: copied': (d) => sh(d, 'hg cp -q a.txt copy.txt'),
  'hg: every entry ambiguous': (d) => sh(d, 'hg debugrebuilddirstate'),
  // last: nothing after them may read or append to a FIFO (it would block)
  'untracked FIFO': (d) => execFileSync('mkfifo', [join(d, 'pipe')]),
  // not .hgignore: hg opens that one, and blocks on a FIFO until the check's timeout (as it always has)
  'tracked file became a FIFO': (d, r) => {
    const f = aFile(d, r, REGULAR.slice(0, -1));
    rmSync(f);
    execFileSync('mkfifo', [f]);
  },
};

/** Rewrites the last byte of a file (same size; .hgignore's final newline becomes `*`, still valid), keeping its mtime when `keep`. */
function flipByte(path: string, keep: boolean): void {
  const st = lstatSync(path);
  const data = readFileSync(path);
  data[data.length - 1] = (data[data.length - 1] as number) ^ 0x20;
  writeFileSync(path, data);
  if (keep) utimesSync(path, st.atime, st.mtime);
}

/** mulberry32: a small seeded generator, so that a failing trial can be replayed from its seed. */
export function seeded(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Puts every dirstate entry in the state a fresh clone or update leaves a file written in the same second
 * as the dirstate: "mtime unknown, look at the content". The next `hg status` that finds the file clean
 * (its mtime now safely in the past) records that by rewriting .hg/dirstate, and recreates .hg/wcache.
 */
export function makeAmbiguous(path: string, user?: string): void {
  const script = 'hg debugrebuilddirstate && rm -rf .hg/wcache && touch -d "1 hour ago" VERSION';
  sh(path, user ? `runuser -u ${user} -- sh -ec '${script}'` : script);
}

/** Everything hg could write: .hg's own mtime, the dirstate's bytes, and every name, size and mtime under .hg. */
export function hgState(path: string): string {
  const hg = join(path, '.hg');
  return `${lstatSync(hg).mtimeMs} ${readFileSync(join(hg, 'dirstate')).toString('hex')} ${hashTree(hg)}`;
}
