import { CommandError } from '../../core/errors.js';
import type { CommandResult } from '../../core/types.js';
import { matchUsers, parsePasswd } from '../../core/users.js';
import { PS_FIELDS, parseSnapshot } from './parse.js';

/**
 * One command, in this order: the shell's pid (the probe finds itself in what it reads), the users (getent),
 * start times from /proc/PID/stat, ps, then (when programs are given: allow rules) each pid's exe link and
 * the realpath of each allowed program.
 * Start times before ps and exe links after it: a pid reused in between gets a start time that no longer
 * matches (never signalled) and the exe of the newer process (judged by what runs at that pid after ps).
 * Arguments: the number of users, the users, the programs; all positional, never spliced into the script.
 */
export const SNAPSHOT_SCRIPT = [
  'n=$1; shift; rc=0',
  'echo $$',
  'while [ "$n" -gt 0 ]; do getent passwd "$1" || rc=2; shift; n=$((n - 1)); done',
  "printf '\\0\\0'",
  // of each stat only its last `)` and the 20 fields after it, state to start time: a third of the bytes
  "LC_ALL=C grep -aHZoE ')( [^ )]*){20}' /proc/[0-9]*/stat 2>/dev/null",
  "printf '\\0\\0'",
  `ps -ww -eo ${PS_FIELDS} || exit 3`,
  "printf '\\0\\0'",
  // only allow rules look at exe links: none asked, none read (a readdir of every /proc/PID cost more than ps)
  "[ $# -eq 0 ] || find /proc/[0-9]*/exe -maxdepth 0 -printf '%h\\t%l\\0' 2>/dev/null",
  "printf 'real\\0'",
  'for p; do readlink -fz -- "$p" || printf \'\\0\'; done',
  'exit $rc',
].join('\n');

/** `sh` arguments of the snapshot: the number of users, the users, the programs. */
export function snapshotArgv(users: readonly (string | number)[], programs: readonly string[]): string[] {
  return ['-c', SNAPSHOT_SCRIPT, 'sh', String(users.length), ...users.map(String), ...programs];
}

/** The snapshot read from what the script printed (pure: the probe and the kill's re-check both run it). */
export function snapshotOf(
  r: CommandResult,
  argv: readonly string[],
  users: readonly (string | number)[],
  programs: readonly string[],
) {
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
