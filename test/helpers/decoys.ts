import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Root-owned things outside every base dir that no attack may change: a dir whose names mirror a build dir's, and a file. */
export interface Decoys {
  dir: string;
  file: string;
  /** every entry's type, mode, owner, size, mtime, content hash or link target, the root included */
  snapshot(): string[];
  /** asserts that nothing in the decoys changed since they were planted */
  expectIntact(what: string): void;
}

/** Plants the decoys in `root` (root-owned, outside every base dir): the names (build, log.txt, cache, obj) are those the attacks point runner at. */
export function plantDecoys(root: string, ageMs = 0): Decoys {
  const dir = join(root, 'decoy');
  const file = join(root, 'decoy-file');
  for (const d of ['', 'build', 'build/obj', 'cache', 'cache/deep', 'obj', 'scripts'])
    mkdirSync(join(dir, d), { recursive: true });
  const files = [
    'build/obj/a.o',
    'log.txt',
    'cache/keep.txt',
    'cache/deep/more.txt',
    'obj/data',
    'buildprops.json',
    'scripts/run.sh',
  ];
  for (const f of files) writeFileSync(join(dir, f), `decoy ${f}\n`);
  writeFileSync(file, 'decoy file\n');
  chownSync(file, 0, 0);
  chmodSync(file, 0o644);
  // an old decoy can pass for an old build dir (a bind mount of it at a build dir's name)
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(dir, t, t);
  const snapshot = () => [...describeTree(dir), ...describeTree(file)];
  const before = snapshot();
  return {
    dir,
    file,
    snapshot,
    expectIntact: (what) => expect(snapshot(), `decoy changed: ${what}`).toEqual(before),
  };
}

/** One line per entry (the root first), never following links. */
function describeTree(root: string, rel = ''): string[] {
  const abs = rel ? join(root, rel) : root;
  const st = lstatSync(abs);
  let what = '';
  if (st.isSymbolicLink()) what = `-> ${readlinkSync(abs)}`;
  else if (st.isFile()) what = createHash('sha256').update(readFileSync(abs)).digest('hex');
  const line = `${rel || '.'} mode=${st.mode.toString(8)} uid=${st.uid} gid=${st.gid} size=${st.size} mtime=${st.mtimeMs} ${what}`;
  if (!st.isDirectory()) return [line];
  const names = readdirSync(abs).sort();
  return [`${line} entries=${names.join(',')}`, ...names.flatMap((n) => describeTree(root, rel ? `${rel}/${n}` : n))];
}
