import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { FileStat, Host } from '../core/types.js';
import { lookupUser } from '../core/users.js';

/**
 * Makes sure only root can change `dir` (the daemon's state_dir, the lock's dir), creating what is missing
 * without following symlinks. OpenSSH StrictModes style: every component from / down must be a real
 * directory (no symlink), owned by root, not writable by group or others; an ancestor that root owns with
 * the sticky bit (like /tmp) is accepted, `dir` itself never. `what` names the setting in the error.
 */
export async function ensureRootDir(host: Host, dir: string, what: string): Promise<void> {
  const names = resolve(dir).split('/').filter(Boolean);
  const chain = ['/', ...names.map((_, i) => `/${names.slice(0, i + 1).join('/')}`)];
  for (const [i, path] of chain.entries()) {
    // each component is checked before anything is created in it: nobody but root can race the mkdir
    const st = (await lstat(host, path)) ?? (await makeDir(host, path));
    const problem = await unsafe(host, st, i === chain.length - 1);
    if (problem)
      throw new ConfigError(
        `${what} ${dir}: ${path} ${problem}; runner keeps its state only where root alone can write`,
      );
  }
}

async function makeDir(host: Host, path: string): Promise<FileStat> {
  // mkdir never follows a symlink at its last component: an existing one fails it, and is checked as found
  const r = await host.run('mkdir', ['-m', '0755', '--', path]);
  const st = await lstat(host, path);
  if (!st) throw new ConfigError(`cannot create ${path}: ${r.stderr.trim() || `mkdir exited ${r.exitCode}`}`);
  return st;
}

async function unsafe(host: Host, st: FileStat, last: boolean): Promise<string | undefined> {
  if (st.type === 'symlink') return 'is a symlink (name the real directory)';
  if (st.type !== 'dir') return 'is not a directory';
  const mode = st.mode.toString(8).padStart(4, '0');
  if (st.uid !== 0) return `is owned by ${await userName(host, st.uid)}, not root (mode ${mode})`;
  const sticky = !last && (st.mode & 0o1000) !== 0;
  if (st.mode & 0o002 && !sticky) return `is world-writable (mode ${mode})`;
  if (st.mode & 0o020 && !sticky) return `is group-writable (mode ${mode})`;
  return undefined;
}

async function lstat(host: Host, path: string): Promise<FileStat | null> {
  return host.lstat(path).catch((err: Error) => {
    throw new ConfigError(`cannot inspect ${path}: ${err.message}`);
  });
}

/** "rtest-build (uid 1001)", or just the uid. */
async function userName(host: Host, uid: number): Promise<string> {
  const name = (await lookupUser(host, uid).catch(() => undefined))?.name;
  return name ? `${name} (uid ${uid})` : `uid ${uid}`;
}
