import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import type { Lifecycle } from '../config/lifecycle.js';
import { workerCommand } from '../config/lifecycle.js';
import type { SpawnSpec } from './worker.js';

const run = promisify(execFile);

/**
 * How the worker is started: its argv (through setpriv when it runs as another user, which execs, so
 * the pid stays the worker's) and a minimal environment, since the worker logs its whole environment
 * into twistd.log and every build log.
 */
export async function launchSpec(worker: Lifecycle['worker']): Promise<SpawnSpec> {
  const argv = workerCommand(worker);
  const base = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8' };
  if (worker.user === undefined) {
    const me = userInfo();
    const env = { ...base, HOME: me.homedir, USER: me.username, LOGNAME: me.username, ...worker.env };
    return { argv, cwd: worker.basedir, env };
  }
  const pw = await lookupUser(worker.user);
  const env = { ...base, HOME: pw.home, USER: pw.name, LOGNAME: pw.name, ...worker.env };
  const setpriv = ['setpriv', `--reuid=${pw.uid}`, `--regid=${pw.gid}`, '--init-groups', '--'];
  return { argv: [...setpriv, ...argv], cwd: worker.basedir, env };
}

interface Passwd {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

async function lookupUser(name: string): Promise<Passwd> {
  const out = await run('getent', ['passwd', name]).catch(() => undefined);
  const fields = out?.stdout.trim().split('\n')[0]?.split(':');
  if (!fields || fields.length < 7) throw new Error(`worker user '${name}' does not exist (getent passwd ${name})`);
  return { name: fields[0] as string, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] as string };
}
