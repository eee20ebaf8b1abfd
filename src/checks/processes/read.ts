import { RunnerError, describeError } from '../../core/errors.js';
import type { ReadHost } from '../../core/types.js';
import { parseBaseline, parsePidFile } from './parse.js';
import type { Baseline } from './schema.js';
import { snapshotArgv, snapshotOf } from './snapshot.js';

/**
 * Every process of the host with its start time and exe, the pid of the probe itself (whose ppid chain leads
 * back to runner), `users` resolved, and for each of `programs` the paths its executable may show.
 */
export async function readSnapshot(
  host: ReadHost,
  users: readonly (string | number)[] = [],
  programs: readonly string[] = [],
) {
  const argv = snapshotArgv(users, programs);
  return snapshotOf(await host.run('sh', argv), argv, users, programs);
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
