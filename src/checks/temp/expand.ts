import { join } from 'node:path/posix';
import { matchesGlob } from '../../core/glob.js';
import type { FileStat, ReadHost } from '../../core/types.js';
import type { Pin } from '../../host/pinned.js';

/** An entry a `paths` glob matched, with the device of the dir holding it (to spot mount points). */
export interface Match {
  path: string;
  stat: FileStat;
  parentDev: number;
  /** the dir it was found in, as probed: apply acts only inside that very dir */
  parent: Pin;
}

const MAGIC = /[*?[]/;

/**
 * Expands an absolute glob one component at a time through the Host: a literal component costs one lstat,
 * a wildcard one readdir. Only real directories are entered: a symlink on the way is never followed.
 */
export async function expand(host: ReadHost, pattern: string, warnings: string[]): Promise<Match[]> {
  const parts = pattern.split('/').filter(Boolean);
  const root = await host.lstat('/');
  let level: Match[] = root
    ? [{ path: '/', stat: root, parentDev: root.dev, parent: { path: '/', dev: root.dev, ino: root.ino } }]
    : [];
  for (const part of parts) {
    const next: Match[] = [];
    for (const dir of level) {
      if (dir.stat.type !== 'dir') {
        if (dir.stat.type === 'symlink') warnings.push(`${dir.path} is a symlink: not followed for ${pattern}`);
        continue;
      }
      next.push(...(await children(host, dir, part)));
    }
    level = next;
  }
  return level;
}

async function children(host: ReadHost, dir: Match, part: string): Promise<Match[]> {
  const parent = { path: dir.path, dev: dir.stat.dev, ino: dir.stat.ino };
  if (!MAGIC.test(part)) {
    const path = join(dir.path, part);
    const stat = await host.lstat(path);
    return stat ? [{ path, stat, parentDev: dir.stat.dev, parent }] : [];
  }
  const entries = (await host.readdir(dir.path)) ?? [];
  return entries
    .filter((e) => matchesGlob(e.name, part))
    .map(({ name, ...stat }) => ({ path: join(dir.path, name), stat, parentDev: dir.stat.dev, parent }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}
