import { CommandError, RunnerError, describeError } from '../../core/errors.js';
import type { Host } from '../../core/types.js';
import { PS_FIELDS, parseBaseline, parsePidFile, parsePs, parseSnapshot } from './parse.js';
import type { Baseline, Proc } from './schema.js';

/** One command: the shell prints its own pid, then becomes ps, so the probe finds itself in what it reads. */
export const SNAPSHOT_ARGV = ['-c', `echo $$; exec ps -ww -eo ${PS_FIELDS}`] as const;

/** Every process of the host, and the pid of the probe itself (whose ppid chain leads back to runner). */
export async function readSnapshot(host: Host): Promise<{ self: number; procs: Proc[] }> {
  const r = await host.run('sh', SNAPSHOT_ARGV);
  if (r.exitCode !== 0) throw new CommandError(['sh', ...SNAPSHOT_ARGV], r.exitCode, r.stderr, 'reading processes');
  return parseSnapshot(r.stdout);
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
