import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** A hash of a whole tree: every name, type, size, mtime, mode and symlink target (never followed). */
export function hashTree(root: string): string {
  const h = createHash('sha256');
  walk(root, '', (rel, line) => h.update(`${rel}\0${line}\n`));
  return h.digest('hex');
}

/** The tree as sorted relative paths, for asserting exactly what is left. */
export function listTree(root: string, depth = Infinity): string[] {
  const out: string[] = [];
  walk(root, '', (rel) => out.push(rel), depth);
  return out.sort();
}

function walk(root: string, rel: string, visit: (rel: string, line: string) => void, depth = Infinity): void {
  const abs = rel ? join(root, rel) : root;
  for (const name of readdirSync(abs).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, r));
    const link = st.isSymbolicLink() ? readlinkSync(join(root, r)) : '';
    visit(r, `${st.mode} ${st.size} ${st.mtimeMs} ${st.uid} ${link}`);
    if (st.isDirectory() && depth > 1) walk(root, r, visit, depth - 1);
  }
}
