import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every path under `root` with its type, mode, size, mtime and owner: what a read-only run must leave as it
 * was. The mtime of `.hg` and `.git` themselves is left out: hg status and git status create and remove
 * their lock files there on every read (runner's too), which changes nothing in the checkout.
 */
export function snapshot(root: string, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const st = lstatSync(path);
    const mtime = name === '.hg' || name === '.git' ? '' : st.mtimeMs;
    out.set(path, `${st.mode.toString(8)} ${st.size} ${mtime} ${st.uid}`);
    if (st.isDirectory()) snapshot(path, out);
  }
  return out;
}

/** The paths that differ between two snapshots (added, removed or changed), sorted. */
export function changedPaths(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}
