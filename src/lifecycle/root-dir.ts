import { promises as fs, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { readRegularFile } from '../host/read-bounded.js';

/**
 * Makes sure only root can change `dir` (the daemon's state_dir, the lock's dir), creating what is missing
 * without following symlinks. OpenSSH StrictModes style: every component from / down must be a real
 * directory (no symlink), owned by root, not writable by group or others; an ancestor that root owns with
 * the sticky bit (like /tmp) is accepted, `dir` itself never. `what` names the setting in the error.
 */
export async function ensureRootDir(dir: string, what: string): Promise<void> {
  const names = resolve(dir).split('/').filter(Boolean);
  const chain = ['/', ...names.map((_, i) => `/${names.slice(0, i + 1).join('/')}`)];
  for (const [i, path] of chain.entries()) {
    // each component is checked before anything is created in it: nobody but root can race the mkdir
    const st = (await lstatOrNull(path)) ?? (await makeDir(path));
    const problem = await unsafe(st, i === chain.length - 1);
    if (problem)
      throw new ConfigError(
        `${what} ${dir}: ${path} ${problem}; runner keeps its state only where root alone can write`,
      );
  }
}

async function makeDir(path: string): Promise<Stats> {
  // mkdir never follows a symlink at its last component: an existing one is EEXIST, checked below
  await fs.mkdir(path, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw new ConfigError(`cannot create ${path}: ${err.message}`);
  });
  return fs.lstat(path);
}

async function unsafe(st: Stats, last: boolean): Promise<string | undefined> {
  if (st.isSymbolicLink()) return 'is a symlink (name the real directory)';
  if (!st.isDirectory()) return 'is not a directory';
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  if (st.uid !== 0) return `is owned by ${await userName(st.uid)}, not root (mode ${mode})`;
  const sticky = !last && (st.mode & 0o1000) !== 0;
  if (st.mode & 0o002 && !sticky) return `is world-writable (mode ${mode})`;
  if (st.mode & 0o020 && !sticky) return `is group-writable (mode ${mode})`;
  return undefined;
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  return fs.lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new ConfigError(`cannot inspect ${path}: ${err.message}`);
  });
}

/** "rtest-build (uid 1001)" from /etc/passwd, or just the uid. */
async function userName(uid: number): Promise<string> {
  const passwd = (await readRegularFile('/etc/passwd').catch(() => null))?.toString('utf8') ?? '';
  const name = passwd
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[2] === String(uid))?.[0];
  return name ? `${name} (uid ${uid})` : `uid ${uid}`;
}
