import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { configPath, loadConfig } from '../config/load.js';
import { describeError, RunnerError } from '../core/errors.js';
import { LocalHost } from '../host/local.js';
import { describeLock, formatLock, makeLock, readLock } from '../core/lock.js';
import { ensureRootDir } from '../lifecycle/root-dir.js';
import { lockPathOf } from '../config/lifecycle.js';
import type { Io } from '../core/io.js';

export interface LockFlags {
  config?: string;
  lock?: string;
}

/** `runner disable --reason TEXT [--for 2h]`: the daemon starts no worker until `runner enable` (or the time is up). */
export async function disable(flags: LockFlags & { reason: string; for?: number }, io: Io): Promise<number> {
  const path = await lockFile(flags, io);
  const lock = makeLock(flags.reason, whoAmI(io), new Date(), flags.for);
  // the daemon trusts the lock: it is written only where the build user cannot remove or replace it
  const host = new LocalHost();
  await ensureRootDir(host, dirname(path), 'the lock dir');
  await host.writeFile(path, formatLock(lock));
  io.stdout.write(`${describeLock({ state: 'active', lock }, path, new Date())}\n(${path})\n`);
  return 0;
}

/** `runner enable`: removes the lock; says what it removed. */
export async function enable(flags: LockFlags, io: Io): Promise<number> {
  const path = await lockFile(flags, io);
  const host = new LocalHost();
  const status = await readLock(host, path, new Date());
  if (status.state === 'none') {
    io.stdout.write(`enabled: there was no lock (${path})\n`);
    return 0;
  }
  await host.remove(path);
  io.stdout.write(`enabled: removed ${path} (was: ${describeLock(status, path, new Date())})\n`);
  return 0;
}

/** --lock, else the config's lifecycle.lock (or its default). A broken config is an error: guessing another path would be worse. */
async function lockFile(flags: LockFlags, io: Io): Promise<string> {
  if (flags.lock) return flags.lock;
  const file = configPath(flags.config, io.env);
  try {
    return lockPathOf((await loadConfig(file)).lifecycle);
  } catch (err) {
    throw new RunnerError(`${describeError(err)}\n(to name the lock file directly: --lock FILE)`);
  }
}

function whoAmI(io: Io): string {
  const user = io.env.SUDO_USER ?? userInfo().username;
  return `${user}@${hostname()}`;
}
