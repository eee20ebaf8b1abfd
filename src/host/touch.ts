import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { RunnerError } from '../core/errors.js';
import { openForWrite, UnsafeFileError } from './append.js';

/**
 * Sets the mtime of `name` in `dir`, a dir someone else controls, creating the file when missing. `dir` is
 * pinned (opened O_NOFOLLOW, then reached as /proc/self/fd/N, so swapping it for a symlink cannot redirect
 * us) and the file touched through an fd opened O_NOFOLLOW, never by path; anything else planted there is
 * unlinked and replaced by a fresh file of ours (`replaced` says what it was). Throws when nothing was touched.
 */
export async function touchIn(dir: string, name: string, when: Date): Promise<{ replaced?: string }> {
  const shown = join(dir, name);
  const pin = await fs
    .open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
    .catch((err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ELOOP' || err.code === 'ENOTDIR'
          ? 'is a symlink or not a directory'
          : `cannot be opened (${err.message})`;
      throw new RunnerError(`cannot touch ${shown}: ${dir} ${why}`);
    });
  const pinned = `/proc/self/fd/${pin.fd}/${name}`;
  try {
    await touch(pinned, shown, when, 0);
    return {};
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    await fs
      .unlink(pinned)
      .catch(() => fs.rmdir(pinned))
      .catch(() => {});
    // O_EXCL: only a file this call creates is touched; a racing re-plant makes it fail
    await touch(pinned, shown, when, constants.O_EXCL).catch((again: Error) => {
      throw new RunnerError(`cannot replace ${shown} (${err.message}): ${again.message}`);
    });
    return { replaced: err.message };
  } finally {
    await pin.close();
  }
}

async function touch(path: string, shown: string, when: Date, flags: number): Promise<void> {
  const handle = await openForWrite(path, constants.O_CREAT | flags, 0o644, shown);
  try {
    await handle.utimes(when, when);
  } finally {
    await handle.close();
  }
}

/** The mtime of what `path` names (0 when absent): stat follows a symlink, and never opens, so a FIFO cannot hang it. */
export async function mtimeOf(path: string): Promise<number> {
  return (await fs.stat(path).catch(() => undefined))?.mtimeMs ?? 0;
}
