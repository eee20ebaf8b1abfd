import { constants, promises as fs } from 'node:fs';
import { RunnerError } from '../core/errors.js';
import { fileKind } from './file-type.js';

/** A regular file open for following (a log): reads at a position, so its writer may append, truncate or rotate. */
export interface FollowedFile {
  readonly ino: number;
  /** its size when opened */
  readonly size: number;
  sizeNow(): Promise<number>;
  /** at most `max` bytes from `pos` */
  read(pos: number, max: number): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Opens a log someone else may control: O_NOFOLLOW|O_NONBLOCK, then fstat of what was opened, so a symlink
 * or FIFO planted there is an error naming it, never followed or waited on. undefined when there is none yet.
 */
export async function openFollowed(path: string): Promise<FollowedFile | undefined> {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
  const handle = await fs.open(path, flags).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ELOOP') throw new RunnerError(`${path} is a symlink: not followed`);
    throw new RunnerError(`cannot read ${path}: ${err.message}`);
  });
  if (!handle) return undefined;
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new RunnerError(`${path} is ${fileKind(st)}, not a regular file: not followed`);
  }
  return {
    ino: st.ino,
    size: st.size,
    sizeNow: async () => (await handle.stat()).size,
    read: async (pos, max) => {
      const buf = Buffer.alloc(max);
      const { bytesRead } = await handle.read(buf, 0, max, pos);
      return buf.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

/** The inode now at `path`, undefined when none: lstat never opens, so whatever is planted there cannot block it. */
export async function inodeAt(path: string): Promise<number | undefined> {
  return (await fs.lstat(path).catch(() => undefined))?.ino;
}
