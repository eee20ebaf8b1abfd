import { randomBytes } from 'node:crypto';
import type { Host } from '../core/types.js';
import { chunkGroups, rawArgsArgv } from './raw-args.js';
import { PIN_SCRIPT } from './pinned-script.js';

/** A directory as a probe saw it. Acted on only while it is still that one: reached with no symlink on the way, same device and inode. */
export interface Pin {
  path: string;
  dev: number;
  ino: number;
}

/** An entry of a pinned dir, by name; with dev/ino, only while it is still the probed one. */
export interface PinnedEntry {
  name: string;
  dev?: number;
  ino?: number;
}

/** `taken`: a rename found its new name already there (and moved nothing) */
export type EntryStatus = 'gone' | 'missing' | 'replaced' | 'failed' | 'remaining' | 'taken';

export interface EntryOutcome {
  status: EntryStatus;
  /** what the tool said (hostile bytes: print with `printable`) */
  detail?: string;
}

/** The pinned dir itself is not what the probe saw: nothing in it was touched. */
export class PinError extends Error {
  override name = 'PinError';
  constructor(
    readonly pin: Pin,
    readonly why: 'missing' | 'moved' | 'replaced',
  ) {
    super(`${pin.path} ${PIN_WHY[why]}: left alone`);
  }
}

const PIN_WHY = {
  missing: 'is gone or not a directory',
  moved: 'is reached through a symlink (or was moved) since the probe',
  replaced: 'was replaced since the probe (another device or inode)',
} as const;

/**
 * Inside `pin`, renames each entry (still the probed one) to its trash name (`trash(name)`) and deletes that,
 * relative to the pinned dir: a swap of any path component after the probe cannot redirect it.
 */
export async function retireIn(
  host: Host,
  pin: Pin,
  entries: readonly PinnedEntry[],
  trash: (name: string) => string,
): Promise<EntryOutcome[]> {
  return pinned(
    host,
    pin,
    'retire',
    [],
    entries.map((e) => [e.name, idOf(e.dev), idOf(e.ino), trash(e.name)]),
  );
}

/** Inside `pin`, deletes each named entry (e.g. runner's own `.deleteme` leftovers) with rm --one-file-system. */
export async function removeIn(host: Host, pin: Pin, entries: readonly PinnedEntry[]): Promise<EntryOutcome[]> {
  return pinned(
    host,
    pin,
    'remove',
    [],
    entries.map((e) => [e.name, idOf(e.dev), idOf(e.ino)]),
  );
}

/**
 * Inside `pin`, as `user`, deletes each entry (still the probed one) and what is under it, but only what `uid`
 * owns and never on another filesystem: an entry someone else put inside stays, and the dir with it.
 */
export async function deleteOwnedIn(
  host: Host,
  pin: Pin,
  entries: readonly PinnedEntry[],
  owner: { user: string; uid: number },
): Promise<EntryOutcome[]> {
  return pinned(
    host,
    pin,
    'owned',
    [String(owner.uid)],
    entries.map((e) => [e.name, idOf(e.dev), idOf(e.ino)]),
    { user: owner.user },
  );
}

/**
 * Inside `pin`, as `user` when given, writes `name` atomically: a new temp file (O_EXCL), then rename over it;
 * with `onlyIfAbsent`, creates `name` itself (O_EXCL) and fails when it exists.
 */
export async function writeIn(
  host: Host,
  pin: Pin,
  name: string,
  data: string,
  opts: { user?: string; umask?: string; onlyIfAbsent?: boolean } = {},
): Promise<void> {
  const tmp = `.${name.slice(0, 100)}.runner-${randomBytes(6).toString('hex')}`;
  const verb = opts.onlyIfAbsent ? 'create' : 'write';
  const [outcome] = await pinned(host, pin, verb, [opts.umask ?? '022'], [[name, tmp, data]], {
    ...(opts.user ? { user: opts.user } : {}),
  });
  if (outcome?.status !== 'gone') throw new Error(`writing ${pin.path}/${name}: ${outcome?.detail ?? 'failed'}`);
}

export function idOf(n: number | undefined): string {
  return n === undefined ? '-' : String(n);
}

/** Runs PIN_SCRIPT's `verb` inside `pin`, one group of arguments per entry (chunked under the argv limit). */
export async function pinned(
  host: Host,
  pin: Pin,
  verb: string,
  fixed: readonly string[],
  groups: readonly string[][],
  o: { user?: string; idle?: boolean; stop?: AbortSignal } = {},
): Promise<EntryOutcome[]> {
  const head = [verb, pin.path, String(pin.dev), String(pin.ino), ...fixed];
  const outcomes: EntryOutcome[] = [];
  for (const chunk of chunkGroups(groups, head.join(' ').length * 4)) {
    const args = [...head, ...chunk.flatMap((i) => groups[i] as string[])];
    const argv = ['sh', ...rawArgsArgv(PIN_SCRIPT, args)];
    const [file, ...rest] = (o.idle ? [...IDLE, ...argv] : argv) as [string, ...string[]];
    const r = await host.run(file, rest, {
      env: { LC_ALL: 'C', PATH: SAFE_PATH },
      ...(o.user ? { user: o.user } : {}),
      ...(o.stop ? { stop: o.stop } : {}),
    });
    outcomes.push(...parseOutcomes(r.stdout, chunk.length, pin, r.stderr));
  }
  return outcomes;
}

/** Idle I/O class (honoured by the BFQ and CFQ schedulers) and the lowest CPU priority. */
const IDLE = ['ionice', '-c', '3', 'nice', '-n', '19'];

/** Only system binaries: the build user may own dirs on root's PATH elsewhere. */
const SAFE_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** One `INDEX STATUS [detail]` line per entry; a `pin …` line when the dir itself failed its check. */
function parseOutcomes(stdout: string, n: number, pin: Pin, stderr: string): EntryOutcome[] {
  const lines = stdout.split('\n');
  const pinLine = /^pin (missing|moved|replaced)$/.exec(lines[0] ?? '');
  if (pinLine) throw new PinError(pin, pinLine[1] as 'missing' | 'moved' | 'replaced');
  const out: EntryOutcome[] = Array.from({ length: n }, () => ({
    status: 'failed',
    detail: stderr.trim().slice(0, 400) || 'no answer',
  }));
  for (const line of lines) {
    const m = /^(\d+) (gone|missing|replaced|failed|remaining|taken)(?: ([\s\S]*))?$/.exec(line);
    if (!m) continue;
    const i = Number(m[1]);
    if (i < n) out[i] = { status: m[2] as EntryStatus, ...(m[3] ? { detail: m[3] } : {}) };
  }
  return out;
}
