import { hostname } from 'node:os';
import { configPath, loadConfig } from '../config/load.js';
import { lifecyclePaths, type Lifecycle } from '../config/lifecycle.js';
import { ConfigError, RunnerError } from '../core/errors.js';
import type { Io } from '../core/io.js';
import { describeLock, readLock } from '../core/lock.js';
import { LocalHost } from '../host/local.js';
import { cmdlineOf, isAlive } from '../host/procfs.js';
import { pendingDeletions } from '../lifecycle/pending-deletions.js';
import type { RunSnapshot } from '../report/snapshot.js';
import { renderStatus, statusView, type StatusView } from '../report/status.js';

/** last_run.json holds every check's plan of the iteration: generous, but bounded */
const SNAPSHOT_MAX_BYTES = 16 << 20;

/** Exit codes: 0 the daemon is running, 3 it is not (as `systemctl status`), 1 the status could not be read. */
export const STATUS_EXIT = { running: 0, notRunning: 3 } as const;

/** `runner status [--format human|json]`: the daemon's state as last_run.json and the lock tell it, for a person or a script. */
export async function status(flags: { config?: string; format?: string }, io: Io): Promise<number> {
  const file = configPath(flags.config, io.env);
  const config = await loadConfig(file);
  const lc = config.lifecycle as Lifecycle | undefined;
  if (!lc)
    throw new ConfigError(`${file}: runner status needs a lifecycle: section (where the daemon keeps its state)`);
  const host = new LocalHost(hostname());
  const paths = lifecyclePaths(lc);
  const now = new Date();
  const snap = await readSnapshot(host, paths.lastRun);
  const lock = await readLock(host, paths.lock, now);
  const view: StatusView = statusView({
    config: file,
    lastRun: paths.lastRun,
    snap,
    running: snap !== null && (await isDaemon(snap.pid)),
    lock: { path: paths.lock, status: lock, summary: describeLock(lock, paths.lock, now) },
    pending: await pendingDeletions(host, config),
    now,
  });
  io.stdout.write(flags.format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : renderStatus(view, now));
  await host.close();
  return view.running ? STATUS_EXIT.running : STATUS_EXIT.notRunning;
}

async function readSnapshot(host: LocalHost, path: string): Promise<RunSnapshot | null> {
  const text = await host.readFile(path, { maxBytes: SNAPSHOT_MAX_BYTES });
  if (text === null) return null;
  try {
    const snap = JSON.parse(text) as RunSnapshot;
    if (snap.version !== 1 || typeof snap.state !== 'string') throw new Error('not a version 1 snapshot');
    return snap;
  } catch (err) {
    throw new RunnerError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The pid of last_run.json is a running `runner daemon` (not a pid reused since by something else). */
async function isDaemon(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return false;
  const argv = (await cmdlineOf(pid)) ?? [];
  return argv.includes('daemon') && argv.some((a) => /(^|\/)runner(\.[cm]?js)?$/.test(a));
}
