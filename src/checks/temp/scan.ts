import { CommandError } from '../../core/errors.js';
import type { ReadHost } from '../../core/types.js';
import type { Match } from './expand.js';
import { FIND_FORMAT, findErrors, parseFind, type Found } from './parse.js';
import { byStart } from './select.js';

/** Keeps each find command line well under ARG_MAX, local or remote. */
const MAX_ARGV_CHARS = 64_000;

export interface Scanned {
  records: Found[];
  /** find could not read all of it */
  error?: string;
}

/** Every entry under each match, in as few `find` runs as the argv length allows: never following links or leaving a filesystem. */
export async function scanTrees(host: ReadHost, matches: readonly Match[]): Promise<Map<string, Scanned>> {
  const out = new Map<string, Scanned>();
  for (const batch of batches(matches.map((m) => m.path))) {
    const argv = ['-P', ...batch, '-xdev', '-printf', FIND_FORMAT];
    const r = await host.run('find', argv, { env: { LC_ALL: 'C' } });
    // 1: some entries could not be read (reported on stderr, per start point below)
    if (r.exitCode !== 0 && r.exitCode !== 1)
      throw new CommandError(['find', ...argv], r.exitCode, r.stderr, 'scanning temp entries');
    const errors = findErrors(r.stderr, batch);
    for (const [start, records] of byStart(parseFind(r.stdout), batch)) {
      const error = errors.get(start);
      out.set(start, error === undefined ? { records } : { records, error });
    }
  }
  return out;
}

function batches(paths: readonly string[]): string[][] {
  const out: string[][] = [];
  let size = 0;
  for (const p of paths) {
    if (out.length === 0 || size + p.length > MAX_ARGV_CHARS) [out[out.length], size] = [[], 0];
    (out[out.length - 1] as string[]).push(p);
    size += p.length + 1;
  }
  return out;
}
