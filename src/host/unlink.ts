import { promises as fs } from 'node:fs';

/** Removes whatever is at `path` but a directory (a file, a symlink, a FIFO), never following it; rejects with the errno error. */
export async function unlinkEntry(path: string): Promise<void> {
  await fs.unlink(path);
}
