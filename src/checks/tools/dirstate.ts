import { decodeBytes } from '../../core/bytes.js';
import { DIRSTATE_CAP } from './commands.js';
import { listedFiles, type Listed } from './listing.js';

const S_IFMT = 0o170000;
const TYPES: Record<number, string> = { 0o100000: 'f', 0o120000: 'l' };
const RANGE = 2 ** 31; // hg keeps sizes and mtimes modulo 2^31 (`_rangemask`)
const V2_MARKER = Buffer.from('dirstate-v2\n');

/**
 * hg's status fast path (`dirstate.status` in hg 6.3), natively: undefined when `hg status -mardu` would print
 * nothing, else why only hg itself can tell. Clean means: a dirstate-v1 with no second parent and no `.hgsub`,
 * every entry `n` with a known size and mtime, each matching a listed regular file or symlink in type, size,
 * exec bit and mtime second, and no listed name the dirstate lacks (it may be ignored or unknown: hg's
 * .hgignore is not ours to read, nor a nested `.hg`). Any doubt asks hg, so a "clean" here is one hg gives.
 */
export function whyAskHg(dirstate: Buffer, requires: string, listing: string): string | undefined {
  if (!requires) return 'no readable .hg/requires';
  if (requires.split('\n').includes('dirstate-v2') || dirstate.subarray(0, 12).equals(V2_MARKER)) return 'dirstate-v2';
  if (dirstate.length > DIRSTATE_CAP) return `.hg/dirstate is larger than ${DIRSTATE_CAP / 1024 / 1024} MiB`;
  if (dirstate.length < 40) return 'no dirstate entries';
  if (dirstate.subarray(20, 40).some((b) => b !== 0)) return 'a merge in progress';
  const files = listedFiles(listing);
  if (typeof files === 'string') return files;
  const seen = new Set<string>();
  for (let at = 40; at < dirstate.length; ) {
    if (at + 17 > dirstate.length) return 'a truncated dirstate entry';
    const [state, mode, size, mtime, len] = [
      dirstate[at],
      ...[1, 5, 9, 13].map((o) => dirstate.readInt32BE(at + o)),
    ] as number[];
    const raw = dirstate.subarray(at + 17, at + 17 + (len as number));
    at += 17 + (len as number);
    if ((len as number) < 1 || raw.length !== len) return 'a truncated dirstate entry';
    if (raw.includes(0)) return 'a copy';
    const name = decodeBytes(raw);
    if (seen.has(name)) return 'a name twice in the dirstate';
    seen.add(name);
    if (name === '.hgsub') return 'subrepositories';
    const why = entryProblem(
      String.fromCharCode(state as number),
      mode as number,
      size as number,
      mtime as number,
      files.get(name),
    );
    if (why) return why;
  }
  if (seen.size !== files.size) return 'a file the dirstate does not track';
  return undefined;
}

/** Why hg would not call this dirstate entry clean by its fast path, given what is there now. */
function entryProblem(
  state: string,
  mode: number,
  size: number,
  mtime: number,
  now: Listed | undefined,
): string | undefined {
  if (state !== 'n') return `state ${state}`;
  if (size < 0 || mtime < 0) return 'an entry to compare by content';
  if (now === undefined) return 'a tracked file missing';
  if (TYPES[mode & S_IFMT] !== now.type) return 'a file of another type';
  if (size !== now.size && size !== now.size % RANGE) return 'a size changed';
  if ((mode ^ now.perm) & 0o100) return 'an exec bit changed';
  if (mtime !== ((now.mtime % RANGE) + RANGE) % RANGE) return 'an mtime changed';
  return undefined;
}
