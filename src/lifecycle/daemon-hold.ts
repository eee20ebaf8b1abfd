import type { RunnerConfig } from '../config/load.js';
import { lifecyclePaths, lockPathOf, type Lifecycle } from '../config/lifecycle.js';
import { describeLock, holdsBack, readLock } from '../core/lock.js';
import type { Host } from '../core/types.js';
import { isAlive } from '../host/procfs.js';
import { findWorkerIn } from './worker.js';

/** A pid file holds a pid and a newline. */
const PID_MAX = 64;

/**
 * Why `runner apply --plan` must not act now: the disable lock holds (an active or unreadable lock, as for the
 * daemon), or the daemon runs a worker session (its pid file names a live process, or a worker runs in its
 * basedir). Undefined when it may.
 */
export async function daemonHold(host: Host, config: RunnerConfig, now: Date): Promise<string | undefined> {
  const lockPath = lockPathOf(config.lifecycle);
  const lock = await readLock(host, lockPath, now);
  if (holdsBack(lock))
    return `the disable lock ${lockPath} holds: ${describeLock(lock, lockPath, now)} (runner enable lifts it)`;
  const lc = config.lifecycle as Lifecycle | undefined;
  if (!lc) return undefined;
  const pidFile = lifecyclePaths(lc).pidFile;
  const text = await host.readFile(pidFile, { maxBytes: PID_MAX }).catch(() => null);
  const pid = Number(/^\s*(\d+)\s*$/.exec(text ?? '')?.[1] ?? NaN);
  if (pid > 0 && (await isAlive(pid)))
    return `the daemon's worker session runs: ${pidFile} names pid ${pid}, alive (apply --plan waits for the session to end)`;
  const worker = await findWorkerIn(lc.worker.basedir);
  if (worker !== undefined)
    return `a worker runs in ${lc.worker.basedir} (pid ${worker}): apply --plan does not run beside a build`;
  return undefined;
}
