import { decodeBytes } from '../../core/bytes.js';
import { DIRSTATE_CAP, REQUIRES_CAP } from './commands.js';
import { listedFiles, type Listed } from './listing.js';

const TYPES: Record<number, string> = { 0o100000: 'f', 0o120000: 'l' }; // by S_IFMT: regular file, symlink
const RANGE = 2 ** 31; // hg keeps sizes and mtimes modulo 2^31 (`_rangemask`)
const V2_MARKER = Buffer.from('dirstate-v2\n');

/** One dirstate-v1 entry: state byte, then mode, size, mtime and name length (int32 BE), then the name. */
interface Entry {
  state: string;
  mode: number;
  size: number;
  mtime: number;
  /** the name's bytes; a NUL and the copy source follow it when the file was copied */
  raw: Buffer;
}

/**
 * hg's status fast path (`dirstate.status` in hg 6.3), natively: undefined when `hg status -mardu` would print
 * nothing, else why only hg itself can tell. Clean means: a dirstate-v1 with no second parent and no `.hgsub`,
 * every entry `n` with a known size and mtime, each matching a listed regular file or symlink in type, size,
 * exec bit and mtime second, and no listed name the dirstate lacks (it may be ignored or unknown: hg's
 * .hgignore is not ours to read, nor a nested `.hg`). Any doubt asks hg, so a "clean" here is one hg gives.
 */
export function whyAskHg(dirstate: Buffer, requires: string, listing: string): string | undefined {
  if (!requires || requires.length > REQUIRES_CAP) return 'no readable .hg/requires';
  const needs = requires.split('\n');
  if (needs.includes('dirstate-v2') || dirstate.subarray(0, 12).equals(V2_MARKER)) return 'dirstate-v2';
  if (needs.includes('largefiles')) return 'largefiles'; // its files live in a dirstate of their own
  if (dirstate.length > DIRSTATE_CAP) return `.hg/dirstate is larger than ${DIRSTATE_CAP / 1024 / 1024} MiB`;
  if (dirstate.length < 40) return 'no dirstate entries';
  if (dirstate.subarray(20, 40).some((b) => b !== 0)) return 'a merge in progress';
  const files = listedFiles(listing);
  if (typeof files === 'string') return files;
  const seen = new Set<string>();
  for (let at = 40; at < dirstate.length; ) {
    const entry = readEntry(dirstate, at);
    if (entry === undefined) return 'a truncated dirstate entry';
    at += 17 + entry.raw.length;
    if (entry.raw.includes(0)) return 'a copy';
    const name = decodeBytes(entry.raw); // as the host decodes the listing: byte for byte
    if (seen.has(name)) return 'a name twice in the dirstate';
    seen.add(name);
    if (name === '.hgsub') return 'subrepositories';
    const why = entryProblem(entry, files.get(name));
    if (why) return why;
  }
  return seen.size === files.size ? undefined : 'a file the dirstate does not track';
}

function readEntry(dirstate: Buffer, at: number): Entry | undefined {
  if (at + 17 > dirstate.length) return undefined;
  const len = dirstate.readInt32BE(at + 13);
  if (len < 1 || at + 17 + len > dirstate.length) return undefined;
  return {
    state: String.fromCharCode(dirstate[at] as number),
    mode: dirstate.readInt32BE(at + 1),
    size: dirstate.readInt32BE(at + 5),
    mtime: dirstate.readInt32BE(at + 9),
    raw: dirstate.subarray(at + 17, at + 17 + len),
  };
}

/** Why hg would not call this entry clean by its fast path, given what is there now. */
function entryProblem(e: Entry, now: Listed | undefined): string | undefined {
  if (e.state !== 'n') return `state ${e.state}`;
  if (e.size < 0 || e.mtime < 0) return 'an entry to compare by content';
  if (now === undefined) return 'a tracked file missing';
  if (TYPES[e.mode & 0o170000] !== now.type) return 'a file of another type';
  if (e.size !== now.size && e.size !== now.size % RANGE) return 'a size changed';
  if ((e.mode ^ now.perm) & 0o100) return 'an exec bit changed';
  if (e.mtime !== ((now.mtime % RANGE) + RANGE) % RANGE) return 'an mtime changed';
  return undefined;
}
