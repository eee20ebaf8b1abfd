import { dirname } from 'node:path/posix';
import { CommandError } from '../../core/errors.js';
import type { Host } from '../../core/types.js';

/**
 * Dirs the tools fix creates for a checkout's user, without ever chowning or chmodding a path that someone
 * else could swap for a symlink: when anyone but root can write on the way to the dir, the user creates it
 * (runuser), so it is theirs from the start; only when every dir on the way is root's alone does root create
 * it and hand it over with `chown -h` (nobody can put anything there between the two commands).
 * `handOver`: the user must own the new dir (a temp clone, the share dir); otherwise root keeps it.
 * `parents`: create missing parents and leave an existing dir alone; otherwise the dir must not exist.
 */
export async function makeDir(
  host: Host,
  dir: string,
  user: string | undefined,
  opts: { parents: boolean; handOver: boolean },
): Promise<void> {
  if (opts.parents && (await host.lstat(dir))) return;
  const argv = opts.parents ? ['-p', '--', dir] : ['-m', '0755', '--', dir];
  const why = user === undefined ? undefined : await swappable(host, dir);
  if (user === undefined || why === undefined) {
    await mustRun(host, 'mkdir', argv, undefined, `creating ${dir}`);
    if (user !== undefined && opts.handOver)
      await mustRun(host, 'chown', ['-h', `${user}:`, '--', dir], undefined, `handing ${dir} to ${user}`);
    return;
  }
  const doing = `creating ${dir} as ${user} (root does not, since ${why}; ${dirname(dir)} must be writable by ${user})`;
  await mustRun(host, 'mkdir', argv, user, doing);
}

/** Why someone other than root could rename or replace a dir on the way to `path`; undefined when nobody can. */
export async function swappable(host: Host, path: string): Promise<string | undefined> {
  const parts = path.split('/').filter(Boolean);
  let prev = '';
  let prevMode = 0;
  for (let i = 0; i <= parts.length; i++) {
    const at = `/${parts.slice(0, i).join('/')}`;
    const st = await host.lstat(at);
    // mkdir -p would take a dir someone else made in the meantime: a missing dir needs a parent no one else writes
    if (st === null) return prevMode & 0o022 ? `${prev} is writable by others` : undefined;
    if (st.type !== 'dir') return `${at} is a ${st.type}`;
    if (st.uid !== 0) return `${at} belongs to uid ${st.uid}`;
    // a sticky dir (/tmp): others may add entries but cannot rename or replace root's
    if (st.mode & 0o022 && !(st.mode & 0o1000)) return `${at} is writable by others`;
    [prev, prevMode] = [at, st.mode];
  }
  return undefined;
}

async function mustRun(
  host: Host,
  file: string,
  argv: string[],
  user: string | undefined,
  doing: string,
): Promise<void> {
  const r = await host.run(file, argv, { cwd: '/', ...(user ? { user } : {}) });
  if (r.exitCode !== 0) throw new CommandError([file, ...argv], r.exitCode, r.stderr.trim(), doing);
}
