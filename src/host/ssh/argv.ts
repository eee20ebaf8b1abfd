import type { RunOptions } from '../../core/types.js';
import { asUser, readOnlyArgv } from '../become.js';
import { commandLine, quoteArg } from '../quote.js';

/** The remote command line for `run`: `sudo -n` for become, runuser/sudo for `user`, readOnly (as root only), env, timeout and cwd. */
export function remoteCommand(
  argv: readonly string[],
  opts: RunOptions,
  login: { user: string; become: boolean },
): string {
  let out = [...argv];
  const root = login.become || login.user === 'root';
  if (opts.readOnly !== undefined && root) {
    // the namespace is made as root, and only then does runuser drop to the user
    out = readOnlyArgv(opts.readOnly, opts.user ? asUser(opts.user, true, out) : out);
    if (login.become) out = ['sudo', '-n', '--', ...out];
  } else if (opts.user)
    out = login.become ? ['sudo', '-n', '-u', opts.user, '--', ...out] : asUser(opts.user, root, out);
  else if (login.become) out = ['sudo', '-n', '--', ...out];
  if (opts.env && Object.keys(opts.env).length)
    out = ['env', ...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`), ...out];
  // the remote command must die on time even if the connection stalls: TERM, then KILL 2s later
  if (opts.timeoutMs) out = ['timeout', '-k', '2', (opts.timeoutMs / 1000).toFixed(3), ...out];
  const line = commandLine(out);
  return opts.cwd === undefined ? line : `cd ${quoteArg(opts.cwd)} && exec ${line}`;
}
