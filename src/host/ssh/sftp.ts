import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path/posix';
import type { SFTPWrapper } from 'ssh2';

// ssh2's callbacks differ in arity; one adapter for all of them
type Cb = (err?: Error | null, value?: any) => void;

function call<T>(fn: (cb: Cb) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** Atomic write: a new temp file beside `path` (O_EXCL), fsync, then posix-rename over `path`. */
export async function sftpWriteFile(sftp: SFTPWrapper, path: string, data: string, mode = 0o644): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.runner-${randomBytes(6).toString('hex')}`);
  const handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode }, cb)).catch((err) => {
    throw withPath(err, `creating ${tmp}`);
  });
  try {
    const buf = Buffer.from(data, 'utf8');
    for (let off = 0; off < buf.length; off += 32768) {
      const len = Math.min(32768, buf.length - off);
      await call<number>((cb) => sftp.write(handle, buf, off, len, off, cb));
    }
    await call<void>((cb) => sftp.ext_openssh_fsync(handle, cb)).catch(() => undefined);
  } finally {
    await call<void>((cb) => sftp.close(handle, cb)).catch(() => undefined);
  }
  await sftpRename(sftp, tmp, path).catch(async (err) => {
    await call<void>((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
    throw err;
  });
}

/** rename(2) semantics (replaces `to`), via the posix-rename@openssh.com extension. */
export async function sftpRename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  await call<void>((cb) => sftp.ext_openssh_rename(from, to, cb)).catch((err) => {
    throw withPath(err, `renaming ${from} to ${to}`);
  });
}

function withPath(err: unknown, doing: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`${doing}: ${message}`, { cause: err });
}
