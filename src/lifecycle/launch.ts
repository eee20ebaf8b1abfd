import type { Lifecycle } from '../config/lifecycle.js';
import { workerCommand } from '../config/lifecycle.js';
import { ConfigError } from '../core/errors.js';
import type { ReadHost } from '../core/types.js';
import { lookupUser } from '../core/users.js';
import type { SpawnSpec } from '../host/spawn.js';

/**
 * How the worker is started: its argv (through setpriv when it runs as another user, which execs, so
 * the pid stays the worker's) and a minimal environment, since the worker logs its whole environment
 * into twistd.log and every build log. `host` is the local one: it looks the user up.
 */
export async function launchSpec(host: ReadHost, worker: Lifecycle['worker']): Promise<SpawnSpec> {
  const argv = workerCommand(worker);
  const base = { PATH: workerPath(), LANG: process.env.LANG ?? 'C.UTF-8' };
  const who = worker.user ?? (process.getuid?.() as number);
  const pw = await lookupUser(host, who);
  if (!pw) throw new ConfigError(`worker user '${who}' does not exist (getent passwd ${who})`);
  const env = { ...base, HOME: pw.home, USER: pw.name, LOGNAME: pw.name, ...worker.env };
  if (worker.user === undefined) return { argv, cwd: worker.basedir, env };
  const setpriv = ['setpriv', `--reuid=${pw.uid}`, `--regid=${pw.gid}`, '--init-groups', '--'];
  return { argv: [...setpriv, ...argv], cwd: worker.basedir, env };
}

/** The PATH the worker gets, and its command is looked up in: runner's own. */
export function workerPath(): string {
  return process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
}
