import { CommandError, RunnerError, describeError } from '../../core/errors.js';
import type { Host } from '../../core/types.js';
import { matchUsers, parsePasswd } from '../../core/users.js';
import { PS_FIELDS, SNAPSHOT_SEPARATOR, parseBaseline, parsePidFile, parsePs, parseSnapshot } from './parse.js';
import type { Baseline, Proc } from './schema.js';

/**
 * One command: the shell prints its own pid, resolves the users (getent), then becomes ps, so the probe
 * finds itself in what it reads. Users are positional arguments, never spliced into the script.
 */
export const SNAPSHOT_SCRIPT = `echo $$; [ $# -eq 0 ] || getent passwd "$@"; echo '${SNAPSHOT_SEPARATOR}'; exec ps -ww -eo ${PS_FIELDS}`;

/** Every process of the host, the pid of the probe itself (whose ppid chain leads back to runner), and `users` resolved. */
export async function readSnapshot(host: Host, users: readonly (string | number)[] = []) {
  const argv = ['-c', SNAPSHOT_SCRIPT, 'sh', ...users.map(String)];
  const r = await host.run('sh', argv);
  // getent exits 2 when a user is unknown: matchUsers names it
  if (r.exitCode !== 0 && r.exitCode !== 2) throw new CommandError(['sh', ...argv], r.exitCode, r.stderr, 'reading processes');
  const { self, passwd, procs } = parseSnapshot(r.stdout);
  return { self, procs, users: users.length ? matchUsers(parsePasswd(passwd), users) : [] };
}

/** The given pids that still exist (ps exits 1 when none does). */
export async function readPids(host: Host, pids: readonly number[]): Promise<Map<number, Proc>> {
  if (pids.length === 0) return new Map();
  const argv = ['-ww', '-o', PS_FIELDS, '-p', pids.join(',')];
  const r = await host.run('ps', argv);
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new CommandError(['ps', ...argv], r.exitCode, r.stderr, 'reading processes');
  return new Map(parsePs(r.stdout).map((p) => [p.pid, p]));
}

/** null when there is no baseline yet; a file that cannot be read or parsed is an error naming it. */
export async function readBaseline(host: Host, path: string): Promise<Baseline | null> {
  const text = await host.readFile(path).catch((err: unknown) => {
    throw new RunnerError(`cannot read baseline ${path}: ${describeError(err)}`, { cause: err });
  });
  return text === null ? null : parseBaseline(text, path);
}

/** The pids of `protect`: numbers as given, pid files read (a missing file protects nothing). */
export async function readProtected(host: Host, protect: readonly (number | string)[]): Promise<number[]> {
  const pids: number[] = [];
  for (const item of protect) {
    if (typeof item === 'number') {
      pids.push(item);
      continue;
    }
    const text = await host.readFile(item).catch((err: unknown) => {
      throw new RunnerError(`cannot read pid file ${item}: ${describeError(err)}`, { cause: err });
    });
    if (text !== null) pids.push(...parsePidFile(text, item));
  }
  return pids;
}
