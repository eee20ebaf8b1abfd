import type { Lifecycle } from './lifecycle.js';
import { formatPath, type Path, type SourceMap } from './errors.js';
import { isWithin } from '../core/path-rules.js';

interface Placed {
  at: Path;
  path: string;
}

/** The dirs the build user owns or runner deletes in: base dirs, checkouts, the share, the worker's basedir. */
function buildTrees(checks: readonly { id: string; options: unknown }[], lc: Lifecycle | undefined): Placed[] {
  const trees: Placed[] = [];
  checks.forEach(({ id, options }, i) => {
    const o = options as { dirs?: string[]; dir?: string; checkouts?: { path: string }[]; share?: string };
    if (id === 'purge') o.dirs?.forEach((path, j) => trees.push({ at: ['checks', i, id, 'dirs', j], path }));
    if (id === 'clobber' && o.dir) trees.push({ at: ['checks', i, id, 'dir'], path: o.dir });
    if (id === 'tools')
      o.checkouts?.forEach((c, j) => trees.push({ at: ['checks', i, id, 'checkouts', j, 'path'], path: c.path }));
    if (id === 'tools' && o.share) trees.push({ at: ['checks', i, id, 'share'], path: o.share });
  });
  if (lc) trees.push({ at: ['lifecycle', 'worker', 'basedir'], path: lc.worker.basedir });
  return trees;
}

/** The files runner itself writes as root: its state dir, lock, pid file, textfile, the processes baseline. */
function ownFiles(checks: readonly { id: string; options: unknown }[], lc: Lifecycle | undefined): Placed[] {
  const own: Placed[] = [];
  checks.forEach(({ id, options }, i) => {
    const baseline = (options as { baseline?: string }).baseline;
    if (id === 'processes' && baseline) own.push({ at: ['checks', i, id, 'baseline'], path: baseline });
  });
  if (!lc) return own;
  own.push({ at: ['lifecycle', 'state_dir'], path: lc.state_dir });
  for (const key of ['lock', 'textfile'] as const) if (lc[key]) own.push({ at: ['lifecycle', key], path: lc[key] });
  if (lc.worker.pid_file) own.push({ at: ['lifecycle', 'worker', 'pid_file'], path: lc.worker.pid_file });
  return own;
}

/** Runner's own files must stay out of build trees: the build user could swap them for a symlink, purge could delete them. */
export function ownFilesInBuildTrees(
  src: SourceMap,
  checks: readonly { id: string; options: unknown }[],
  lc: Lifecycle | undefined,
): string[] {
  const trees = buildTrees(checks, lc);
  return ownFiles(checks, lc).flatMap((f) => {
    const tree = trees.find((t) => isWithin(f.path, t.path));
    if (!tree) return [];
    const why = `lies inside ${formatPath(tree.at)} ${JSON.stringify(tree.path)}: runner's own files must stay out of the build trees`;
    return [`${src.where(f.at)}: ${formatPath(f.at)}: ${JSON.stringify(f.path)} ${why}`];
  });
}
