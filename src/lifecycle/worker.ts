import { spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { RunnerError } from '../core/errors.js';
import { openForWrite, UnsafeFileError } from '../host/append.js';
import { readRegularFile } from '../host/read-bounded.js';
import { cmdlineOf, findWorkerIn, isAlive, looksLikeWorker, sessionMembers } from './procfs.js';

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A worker process the daemon started, leader of its own session (setsid). */
export interface WorkerProcess {
  pid: number;
  exited: Promise<WorkerExit>;
  /** the last lines it wrote on stdout/stderr (buildbot writes its log to twistd.log, so normally none) */
  output(): string;
}

export interface SpawnSpec {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

const KEEP_OUTPUT = 4096;
/** twistd.pid holds a pid and a newline */
const PID_FILE_MAX = 64;

/** Starts the worker as leader of a new session, so everything it leaves behind shares its session id. */
export function spawnWorker(spec: SpawnSpec): Promise<WorkerProcess> {
  const [file, ...args] = spec.argv as [string, ...string[]];
  const child = spawn(file, args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-KEEP_OUTPUT));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // 'exit', not 'close': processes left in the session may hold its stdout open for a long time
  const exited = new Promise<WorkerExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`cannot start worker '${spec.argv.join(' ')}': ${err.message}`)));
    child.once('spawn', () => resolve({ pid: child.pid as number, exited, output: () => output.trim() }));
  });
}

/**
 * Clears the way for a start: a stale twistd.pid (empty, garbage, dead or recycled pid, or not a regular
 * file at all: the build user may plant a FIFO or a symlink to /dev/zero) is removed by unlink, which never
 * follows. Returns why the worker must not start when one is already running for this basedir (never two
 * workers), or `refused` when the way cannot be cleared.
 */
export async function clearStalePid(
  basedir: string,
): Promise<{ removed?: string; running?: string; refused?: string }> {
  const file = join(basedir, 'twistd.pid');
  const read = await readRegularFile(file, { maxBytes: PID_FILE_MAX }).catch((err: Error) => err);
  let removed: string | undefined;
  if (read !== null) {
    const text = read instanceof Error ? undefined : read.toString('utf8');
    const pid = text === undefined ? undefined : /^\s*(\d+)\s*$/.exec(text)?.[1];
    if (pid && (await isAlive(Number(pid))) && looksLikeWorker(await cmdlineOf(Number(pid)))) {
      return { running: `a worker is already running for ${basedir} (pid ${pid}, from twistd.pid)` };
    }
    const gone = await fs.unlink(file).then(
      () => undefined,
      (err: Error) => err,
    );
    if (gone) return { refused: `cannot remove ${file}: ${gone.message}` };
    const why =
      read instanceof Error
        ? read.message
        : pid
          ? `pid ${pid} is not a running worker`
          : `not a pid: ${JSON.stringify(text?.slice(0, 20))}`;
    removed = `removed stale ${file} (${why})`;
  }
  const other = await findWorkerIn(basedir, [process.pid]);
  if (other !== undefined) return { running: `a worker is already running in ${basedir} (pid ${other})` };
  return removed ? { removed } : {};
}

/** SIGTERM to every process of the session, then SIGKILL to what is left after `graceMs`. Returns the pids signalled. */
export async function stopSession(
  sid: number,
  graceMs: number,
  pollMs = 100,
): Promise<{ terminated: number[]; killed: number[] }> {
  const terminated = await signalAll(await sessionMembers(sid), 'SIGTERM');
  const until = Date.now() + graceMs;
  let left = terminated.length ? await sessionMembers(sid) : [];
  while (left.length && Date.now() < until) {
    await sleep(pollMs);
    left = await sessionMembers(sid);
  }
  const killed = await killSession(sid);
  return { terminated, killed };
}

/** SIGKILL to every process of the session, until none is left. */
export async function killSession(sid: number, pollMs = 50): Promise<number[]> {
  const killed: number[] = [];
  for (let left = await sessionMembers(sid); left.length; left = await sessionMembers(sid)) {
    killed.push(...(await signalAll(left, 'SIGKILL')).filter((p) => !killed.includes(p)));
    await sleep(pollMs);
  }
  return killed;
}

async function signalAll(pids: readonly number[], signal: NodeJS.Signals): Promise<number[]> {
  const sent: number[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      sent.push(pid);
    } catch {
      // already gone
    }
  }
  return sent;
}

/**
 * Asks for a graceful shutdown: touch shutdown.stamp newer than the worker's baseline, or SIGHUP the worker.
 * The stamp lies in the build user's basedir: the basedir is pinned (opened O_NOFOLLOW, then reached as
 * /proc/self/fd/N, so swapping it for a symlink cannot redirect us) and the stamp touched through an fd
 * opened O_NOFOLLOW, never by path; anything else planted there is unlinked and replaced by a fresh file
 * of ours (`replaced` says what it was). Throws when no drain could be requested.
 */
export async function requestDrain(
  via: 'stamp' | 'signal',
  pid: number,
  basedir: string,
  baselineMs: number,
): Promise<{ done: string; replaced?: string }> {
  if (via === 'signal') {
    process.kill(pid, 'SIGHUP');
    return { done: `sent SIGHUP to worker ${pid}` };
  }
  const stamp = stampPath(basedir);
  // the worker fires only when the mtime is greater than the one it saw at start
  const when = new Date(Math.max(Date.now(), baselineMs + 1000));
  const dir = await fs
    .open(basedir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
    .catch((err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ELOOP' || err.code === 'ENOTDIR'
          ? 'is a symlink or not a directory'
          : `cannot be opened (${err.message})`;
      throw new RunnerError(`cannot touch ${stamp}: ${basedir} ${why}`);
    });
  const pinned = `/proc/self/fd/${dir.fd}/shutdown.stamp`;
  try {
    await touch(pinned, stamp, when, 0);
    return { done: `touched ${stamp}` };
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    await fs
      .unlink(pinned)
      .catch(() => fs.rmdir(pinned))
      .catch(() => {});
    // O_EXCL: only a file this call creates is touched; a racing re-plant makes it fail
    await touch(pinned, stamp, when, constants.O_EXCL).catch((again: Error) => {
      throw new RunnerError(`cannot replace ${stamp} (${err.message}): ${again.message}`);
    });
    return { done: `touched ${stamp} (a new file)`, replaced: `${err.message}; replaced it by a regular file` };
  } finally {
    await dir.close();
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

export function stampPath(basedir: string): string {
  return join(basedir, 'shutdown.stamp');
}

/** The stamp's mtime now (0 when absent), the baseline a later touch must beat. */
export async function stampBaseline(basedir: string): Promise<number> {
  // stat follows a symlink as the worker's own getmtime() does; it never opens, so a FIFO cannot hang it
  return (await fs.stat(stampPath(basedir)).catch(() => undefined))?.mtimeMs ?? 0;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
