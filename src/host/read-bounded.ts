import { constants, promises as fs } from 'node:fs';
import { encodeBytes } from '../core/bytes.js';
import { RunnerError } from '../core/errors.js';
import { fileKind } from './file-type.js';

/** Default cap of a file read: markers, pid files, locks, summaries, configs are small. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

export interface BoundedRead {
  /** at most this many bytes; a bigger file is an error naming it */
  maxBytes?: number;
}

/**
 * Reads a regular file that someone else may control, locally: O_NOFOLLOW (a symlink is an error, never
 * followed) and O_NONBLOCK (a FIFO or device cannot hang the open), then fstat of what was opened: anything
 * but a regular file is an error naming the path, and at most `maxBytes` are read. null when it does not exist.
 */
export async function readRegularFile(path: string, opts: BoundedRead = {}): Promise<Buffer | null> {
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(
      encodeBytes(path),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY,
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'ELOOP') throw new RunnerError(`${path} is a symlink: runner never follows one here`);
    throw new RunnerError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new RunnerError(`${path} is ${fileKind(st)}, not a regular file: not read`);
    // procfs files report size 0: read until EOF, never past the cap
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, max + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > max) throw new RunnerError(`${path} is larger than ${max} bytes: not read`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
