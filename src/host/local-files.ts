import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  type Stats,
} from 'node:fs';
import { mkdir, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import type { FileType } from '../core/types.js';
import { fileKind, fileTypeOf } from './file-type.js';

/*
 * The controller's own files, named by the operator: config, inventory, vars files, --limit @file, key files,
 * reports. Not the build user's: symlinks and pipes (`-i <(…)`) are followed as the operator meant them; reads
 * are still bounded, so a mistaken /dev/zero fails instead of filling memory.
 */

/** More than this in a config, inventory or vars file is a mistake, not data. */
export const LOCAL_MAX_BYTES = 16 * 1024 * 1024;

const READ = constants.O_RDONLY | constants.O_NOCTTY;

/** Is anything there (a symlink's target counts)? Never throws, as existsSync. */
export function exists(path: string): boolean {
  return existsSync(path);
}

/** stat, following symlinks; null when nothing is there. */
export function statPath(path: string, what: string): { type: FileType; mode: number } | null {
  try {
    const st = statSync(path);
    return { type: fileTypeOf(st), mode: st.mode };
  } catch (err) {
    if (isMissing(err)) return null;
    throw cannotRead(what, (err as Error).message);
  }
}

/** The names in a directory (no . or ..), unsorted. */
export function listDir(path: string, what: string): string[] {
  try {
    return readdirSync(path);
  } catch (err) {
    throw cannotRead(what, isMissing(err) ? 'no such file' : (err as Error).message);
  }
}

/** The utf-8 text of a file; `what` names it in errors ("config /etc/runner/runner.yaml"). */
export function readTextSync(path: string, what: string): string {
  let fd: number;
  try {
    fd = openSync(path, READ);
  } catch (err) {
    throw cannotRead(what, isMissing(err) ? 'no such file' : (err as Error).message);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw cannotRead(what, `it is ${fileKind(st)}`);
    const b = new Bounded(what);
    let buf = b.next();
    while (b.took(buf, readSync(fd, buf, 0, buf.length, null)) > 0) buf = b.next();
    return b.text();
  } finally {
    closeSync(fd);
  }
}

/** The same, without blocking the event loop (the daemon's signals stay live on a slow file). */
export async function readText(path: string, what: string, maxBytes = LOCAL_MAX_BYTES): Promise<string> {
  const handle = await open(path, READ).catch((err: unknown) => {
    throw cannotRead(what, isMissing(err) ? 'no such file' : (err as Error).message);
  });
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw cannotRead(what, `it is ${fileKind(st)}`);
    const b = new Bounded(what, maxBytes);
    let buf = b.next();
    while (b.took(buf, (await handle.read(buf, 0, buf.length, null)).bytesRead) > 0) buf = b.next();
    return b.text();
  } finally {
    await handle.close();
  }
}

/** The operator's own aliases for the streams it started runner with: written to, never replaced. */
const STREAM_ALIAS = /^(\/dev\/(stdout|stderr|fd\/\d+)|\/proc\/self\/fd\/\d+)$/;

/**
 * Atomic: a temp file beside `path`, then rename; the temp file is removed when either step fails. A character
 * device or FIFO at the path itself (`-o /dev/null`), or a stream alias (`-o /dev/stdout`), is written to; a
 * symlink is replaced, never written through: a link planted in /tmp must not aim root's report at /dev/sda.
 */
export async function writeText(path: string, text: string): Promise<void> {
  if (STREAM_ALIAS.test(path)) return writeFile(path, text);
  if (await writeIntoSpecial(path, text)) return;
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes into a character device or FIFO that is at `path` itself (O_NOFOLLOW); false for anything else. */
async function writeIntoSpecial(path: string, text: string): Promise<boolean> {
  let there: Stats;
  try {
    there = lstatSync(path);
  } catch {
    return false;
  }
  if (!there.isCharacterDevice() && !there.isFIFO()) return false;
  const handle = await open(path, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NOCTTY);
  try {
    const st = await handle.stat();
    if (!st.isCharacterDevice() && !st.isFIFO()) throw new Error(`${path}: changed while being opened`);
    await handle.writeFile(text);
    return true;
  } finally {
    await handle.close();
  }
}

/** Creates `path` with `text` only if nothing is there (O_EXCL: not even a dangling symlink); false if something is. */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  try {
    await writeFile(path, text, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Chunks read so far, never more than `max` (LOCAL_MAX_BYTES unless told). */
class Bounded {
  private readonly chunks: Buffer[] = [];
  private total = 0;
  constructor(
    private readonly what: string,
    private readonly max = LOCAL_MAX_BYTES,
  ) {}

  /** a buffer for the next read: never room for more than one byte past the cap */
  next(): Buffer {
    return Buffer.alloc(Math.min(64 * 1024, this.max + 1 - this.total));
  }

  /** keeps the `n` bytes read into `buf`; returns n (0 at the end) */
  took(buf: Buffer, n: number): number {
    this.chunks.push(buf.subarray(0, n));
    this.total += n;
    if (this.total > this.max) throw cannotRead(this.what, `larger than ${this.max} bytes`);
    return n;
  }

  text(): string {
    return Buffer.concat(this.chunks, this.total).toString('utf8');
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function cannotRead(what: string, why: string): ConfigError {
  return new ConfigError(`cannot read ${what}: ${why}`);
}

/** `dir` as a private dir of ours: created 0700 when absent; anything else there (a file, a symlink) is refused. */
export async function ensurePrivateDir(dir: string, what: string): Promise<void> {
  const there = lstatSync(dir, { throwIfNoEntry: false });
  if (there === undefined) return void (await mkdir(dir, { mode: 0o700 }));
  if (!there.isDirectory()) throw new ConfigError(`${what} ${dir}: exists and is not a directory (${fileKind(there)})`);
}

/** Removes the file `path` if it is there (never a dir); true when it removed one. */
export async function removeIfPresent(path: string): Promise<boolean> {
  const there = lstatSync(path, { throwIfNoEntry: false });
  if (there === undefined || there.isDirectory()) return false;
  await unlink(path);
  return true;
}
