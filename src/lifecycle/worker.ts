import { join } from 'node:path';
import { cmdlineOf, cwdOf, isAlive, listProcesses } from '../host/procfs.js';
import { readRegularFile } from '../host/read-bounded.js';
import { sendSignal } from '../host/kill.js';
import { mtimeOf, touchIn } from '../host/touch.js';
import { unlinkEntry } from '../host/unlink.js';

/** twistd.pid holds a pid and a newline */
const PID_FILE_MAX = 64;

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
    const gone = await unlinkEntry(file).then(
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

/** A buildbot worker (or twistd) process whose working directory is `basedir`, other than `except`. */
export async function findWorkerIn(basedir: string, except: readonly number[] = []): Promise<number | undefined> {
  for (const p of await listProcesses()) {
    if (except.includes(p.pid)) continue;
    if ((await cwdOf(p.pid)) !== basedir) continue;
    if (looksLikeWorker(await cmdlineOf(p.pid))) return p.pid;
  }
  return undefined;
}

export function looksLikeWorker(argv: readonly string[] | undefined): boolean {
  return (argv ?? []).some((a) => /(^|\/)(twistd3?|buildbot-worker|buildslave)$/.test(a) || a.endsWith('buildbot.tac'));
}

/**
 * Asks for a graceful shutdown: touch shutdown.stamp newer than the worker's baseline, or SIGHUP the worker.
 * The stamp lies in the build user's basedir: host/touch pins the basedir and never touches through a planted
 * file; one is replaced by a fresh file of ours (`replaced` says what it was). Throws when no drain could be requested.
 */
export async function requestDrain(
  via: 'stamp' | 'signal',
  pid: number,
  basedir: string,
  baselineMs: number,
): Promise<{ done: string; replaced?: string }> {
  if (via === 'signal') {
    sendSignal(pid, 'SIGHUP');
    return { done: `sent SIGHUP to worker ${pid}` };
  }
  const stamp = stampPath(basedir);
  // the worker fires only when the mtime is greater than the one it saw at start
  const when = new Date(Math.max(Date.now(), baselineMs + 1000));
  const { replaced } = await touchIn(basedir, 'shutdown.stamp', when);
  if (replaced === undefined) return { done: `touched ${stamp}` };
  return { done: `touched ${stamp} (a new file)`, replaced: `${replaced}; replaced it by a regular file` };
}

export function stampPath(basedir: string): string {
  return join(basedir, 'shutdown.stamp');
}

/** The stamp's mtime now (0 when absent), the baseline a later touch must beat; followed as the worker's own getmtime() does. */
export async function stampBaseline(basedir: string): Promise<number> {
  return mtimeOf(stampPath(basedir));
}
