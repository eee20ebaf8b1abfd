import { constants, promises as fs } from 'node:fs';
import { RunnerError } from '../core/errors.js';
import { fileKind } from './file-type.js';

/** A path runner was to write is a symlink, FIFO, directory, device or hard link: nothing was written through it. */
export class UnsafeFileError extends RunnerError {
  override name = 'UnsafeFileError';
}

/**
 * Opens `path` for writing, locally, never through something planted there: O_NOFOLLOW (a symlink is an
 * error), O_NONBLOCK (a FIFO cannot hang the open), then fstat of what was opened must be a regular file
 * with a single link (a hard link could be any other file of the same filesystem). Errors name `shown`
 * (the path people know when `path` goes through a pinned /proc/self/fd/N).
 */
export async function openForWrite(path: string, flags: number, mode = 0o600, shown = path): Promise<fs.FileHandle> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(
      path,
      flags | constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY,
      mode,
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UnsafeFileError(`${shown} is a symlink: runner never writes through one`);
    if (code === 'ENXIO') throw new UnsafeFileError(`${shown} is a FIFO or socket, not a regular file: not written`);
    if (code === 'EISDIR') throw new UnsafeFileError(`${shown} is a directory, not a regular file: not written`);
    throw new RunnerError(`cannot write ${shown}: ${(err as Error).message}`, { cause: err });
  }
  const st = await handle.stat();
  const wrong = !st.isFile()
    ? `is ${fileKind(st)}, not a regular file`
    : st.nlink > 1
      ? `has ${st.nlink} hard links`
      : undefined;
  if (wrong) {
    await handle.close();
    throw new UnsafeFileError(`${shown} ${wrong}: not written`);
  }
  return handle;
}

/** Appends to a file runner keeps (events.jsonl), created with `mode` when missing; never through a planted file. */
export async function appendNoFollow(path: string, data: string, mode = 0o600): Promise<void> {
  const handle = await openForWrite(path, constants.O_APPEND | constants.O_CREAT, mode);
  try {
    await handle.writeFile(data, 'utf8');
  } finally {
    await handle.close();
  }
}
