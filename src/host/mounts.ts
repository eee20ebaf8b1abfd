import type { ReadHost } from '../core/types.js';

/**
 * Every mount point of the host's mount namespace, from /proc/self/mountinfo: a bind mount of a dir of the
 * same filesystem is a mount point too, though its device number equals its parent's.
 */
export async function mountPoints(host: ReadHost): Promise<Set<string>> {
  // cat's own /proc/self: the mount namespace the host's commands (rm, mv) run in; procfs, so nobody plants it
  const r = await host.run('cat', ['/proc/self/mountinfo']);
  if (r.exitCode !== 0)
    throw new Error(`reading /proc/self/mountinfo on ${host.name}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return new Set(
    r.stdout.split('\n').flatMap((line) => {
      const field = line.split(' ')[4];
      return field ? [unescapeMount(field)] : [];
    }),
  );
}

/** mountinfo writes space, tab, newline and backslash in paths as octal escapes. */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mount point at `path` or below it, if any: such a tree is never deleted whole. */
export function mountUnder(mounts: ReadonlySet<string>, path: string): string | undefined {
  if (mounts.has(path)) return path;
  const prefix = `${path}/`;
  for (const m of mounts) if (m.startsWith(prefix)) return m;
  return undefined;
}
