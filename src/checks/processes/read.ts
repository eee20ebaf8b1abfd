import { CommandError, RunnerError, describeError } from '../../core/errors.js';
import type { ReadHost } from '../../core/types.js';
import { matchUsers, parsePasswd } from '../../core/users.js';
import { PS_FIELDS, parseBaseline, parsePidFile, parseSnapshot } from './parse.js';
import type { Baseline } from './schema.js';

/**
 * One command, in this order: the shell's pid (the probe finds itself in what it reads), the users (getent),
 * start times from /proc/PID/stat, ps, then each pid's exe link and the realpath of each allowed program.
 * Start times before ps and exe links after it: a pid reused in between gets a start time that no longer
 * matches (never signalled) and the exe of the newer process (judged by what runs at that pid after ps).
 * Arguments: the number of users, the users, the programs; all positional, never spliced into the script.
 */
export const SNAPSHOT_SCRIPT = [
  'n=$1; shift; rc=0',
  'echo $$',
  'while [ "$n" -gt 0 ]; do getent passwd "$1" || rc=2; shift; n=$((n - 1)); done',
  "printf '\\0\\0'",
  "LC_ALL=C grep -aHZ '' /proc/[0-9]*/stat 2>/dev/null",
  "printf '\\0\\0'",
  `ps -ww -eo ${PS_FIELDS} || exit 3`,
  "printf '\\0\\0'",
  "find /proc -mindepth 2 -maxdepth 2 -name exe -printf '%h\\t%l\\0' 2>/dev/null",
  "printf 'real\\0'",
  'for p; do readlink -fz -- "$p" || printf \'\\0\'; done',
  'exit $rc',
].join('\n');

/**
 * Every process of the host with its start time and exe, the pid of the probe itself (whose ppid chain leads
 * back to runner), `users` resolved, and for each of `programs` the paths its executable may show.
 */
export async function readSnapshot(
  host: ReadHost,
  users: readonly (string | number)[] = [],
  programs: readonly string[] = [],
) {
  const argv = ['-c', SNAPSHOT_SCRIPT, 'sh', String(users.length), ...users.map(String), ...programs];
  const r = await host.run('sh', argv);
  // getent exits 2 when a user is unknown: matchUsers names it
  if (r.exitCode !== 0 && r.exitCode !== 2)
    throw new CommandError(
      ['sh', '-c', 'SNAPSHOT_SCRIPT', 'sh', ...argv.slice(3)],
      r.exitCode,
      r.stderr,
      'reading processes',
    );
  const { self, passwd, procs, real } = parseSnapshot(r.stdout);
  const exes = new Map(programs.map((p, i) => [p, [...new Set([p, real[i] || p])]]));
  return { self, procs, exes, users: users.length ? matchUsers(parsePasswd(passwd), users) : [] };
}

/** null when there is no baseline yet; a file that cannot be read or parsed is an error naming it. */
export async function readBaseline(host: ReadHost, path: string): Promise<Baseline | null> {
  const text = await host.readFile(path).catch((err: unknown) => {
    throw new RunnerError(`cannot read baseline ${path}: ${describeError(err)}`, { cause: err });
  });
  return text === null ? null : parseBaseline(text, path);
}

/** The pids of `protect`: numbers as given, pid files read (a missing file protects nothing). */
export async function readProtected(host: ReadHost, protect: readonly (number | string)[]): Promise<number[]> {
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
