/** argv that runs `argv` as `user`: runuser when we are root (no PAM prompt, no sudoers needed), else sudo -n. */
export function asUser(user: string, root: boolean, argv: readonly string[]): string[] {
  return root ? ['runuser', '-u', user, '--', ...argv] : ['sudo', '-n', '-u', user, '--', ...argv];
}
