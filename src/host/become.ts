/** argv that runs `argv` as `user`: runuser when we are root (no PAM prompt, no sudoers needed), else sudo -n. */
export function asUser(user: string, root: boolean, argv: readonly string[]): string[] {
  return root ? ['runuser', '-u', user, '--', ...argv] : ['sudo', '-n', '-u', user, '--', ...argv];
}

/**
 * Runs its args as root in a private mount namespace where dir $1 is bind-mounted read-only, so nothing the
 * command starts can write there (hg's dirstate, caches). Where no namespace may be made (a container without
 * CAP_SYS_ADMIN) or $1 is no plain dir (missing, a symlink), the command runs as it would without.
 */
const READ_ONLY = `d=$1; shift
if unshare --mount --propagation private true 2>/dev/null; then
  exec unshare --mount --propagation private sh -c 'if [ -d "$1" ] && [ ! -h "$1" ]; then mount --bind -o ro -- "$1" "$1"; fi; shift; exec "$@"' sh "$d" "$@"
fi
exec "$@"`;

/** argv that runs `argv` (root's own, so give it runuser for a user) with `dir` read-only: see READ_ONLY. */
export function readOnlyArgv(dir: string, argv: readonly string[]): string[] {
  return ['sh', '-c', READ_ONLY, 'runner-read-only', dir, ...argv];
}
