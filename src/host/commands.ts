/** argv of the helper commands both hosts run, so local and remote behave alike. */

/** rm never follows symlinks; --one-file-system skips anything mounted below each path. */
export function removeArgv(paths: readonly string[]): string[] {
  return ['-rf', '--one-file-system', '--', ...paths];
}

/** Makes the dirs of one filesystem under `paths` writable, so their entries can be unlinked. */
export function unlockDirsArgv(paths: readonly string[]): string[] {
  return [...paths, '-xdev', '-type', 'd', '!', '-perm', '-u=rwx', '-exec', 'chmod', 'u+rwx', '{}', '+'];
}

/** Disk usage in bytes, one line per argument, never leaving each argument's filesystem. */
export function diskUsageArgv(paths: readonly string[]): string[] {
  return ['-s', '-x', '-B1', '-0', '--', ...paths];
}

/** Parses `du -s -B1 -0` output ("bytes<TAB>path" NUL-terminated); a path du could not read counts as 0. */
export function parseDiskUsage(stdout: string, paths: readonly string[]): Map<string, number> {
  const sizes = new Map<string, number>(paths.map((p) => [p, 0]));
  for (const line of stdout.split('\0')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const path = line.slice(tab + 1);
    if (sizes.has(path)) sizes.set(path, Number(line.slice(0, tab)));
  }
  return sizes;
}

/**
 * `argv` under coreutils timeout: after `ms` its whole process group gets SIGTERM, and SIGKILL `graceMs` later
 * (timeout leads its own group, so the command's children go too). Exit 124 = timed out, 137 = had to be killed.
 */
export function timeoutArgv(ms: number, argv: readonly string[], graceMs = 30_000): string[] {
  return ['timeout', '-k', `${Math.ceil(graceMs / 1000)}s`, `${Math.ceil(ms / 1000)}s`, ...argv];
}

/**
 * `argv` in a pid namespace of its own that dies with it: everything it starts goes too, even children that
 * left its process group or session (puppet runs each exec in a new session). Needs root, like puppet itself.
 */
export function isolatedArgv(argv: readonly string[]): string[] {
  return ['unshare', '--pid', '--fork', '--kill-child', ...argv];
}

/** Exit codes of coreutils timeout that mean the deadline passed. */
export const TIMED_OUT: readonly number[] = [124, 137];
