import { join } from 'node:path/posix';
import * as z from 'zod';
import { RunnerError } from '../../core/errors.js';
import { LedgerWriteError, type PendingEntry, type PendingLedger } from '../../core/pending.js';
import type { Host } from '../../core/types.js';

/** The ledger's file in the state dir (root's alone: the daemon checks it before it starts). */
export const LEDGER_FILE = 'pending.json';

/** Thousands of records fit in a few MB; past this it is not runner's ledger. */
const LEDGER_MAX_BYTES = 32 * 1024 * 1024;

const Id = z.number().int().nonnegative();
const Entry = z.object({
  dir: z.object({ path: z.string().startsWith('/'), dev: Id, ino: Id }),
  name: z.string().min(1),
  was: z.string().min(1),
  dev: Id,
  ino: Id,
  uid: Id,
  type: Id,
  bytes: z.number().nonnegative(),
  tries: z.number().int().nonnegative().optional(),
  owner: z.object({ user: z.string().min(1), uid: Id }).optional(),
  by: z.string(),
  since: z.string(),
});
const File = z.object({ version: z.literal(1), entries: z.array(Entry) });

/**
 * STATE_DIR/pending.json: the entries runner renamed to `.deleteme` and has not deleted yet. Every change is
 * written (temp file, fsync, rename) before the call resolves, one write at a time, so a kill at any point
 * leaves the last whole ledger; records are written before their rename and dropped after their deletion.
 * It keeps the record objects it is given, so callers may find their own records by identity.
 */
export class Ledger implements PendingLedger {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly host: Host,
    readonly path: string,
    private list: PendingEntry[],
  ) {}

  /** Reads the ledger of `stateDir` (none yet: empty); a malformed one is an error naming the file. */
  static async open(host: Host, stateDir: string): Promise<Ledger> {
    const path = join(stateDir, LEDGER_FILE);
    return new Ledger(host, path, await readLedger(host, path));
  }

  entries(): readonly PendingEntry[] {
    return this.list;
  }

  async add(entries: readonly PendingEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.list = [...this.list, ...entries];
    await this.save().catch((err: Error) => {
      // not on disk, so not recorded: the caller must not rename them
      this.list = this.list.filter((e) => !entries.includes(e));
      throw new LedgerWriteError(`cannot record in ${this.path}: ${err.message}`);
    });
  }

  async drop(gone: (e: PendingEntry) => boolean): Promise<PendingEntry[]> {
    const dropped = this.list.filter(gone);
    if (dropped.length === 0) return [];
    this.list = this.list.filter((e) => !dropped.includes(e));
    await this.save();
    return dropped;
  }

  async update(change: (e: PendingEntry) => PendingEntry): Promise<void> {
    const next = this.list.map(change);
    if (next.every((e, i) => e === this.list[i])) return;
    this.list = next;
    await this.save();
  }

  private save(): Promise<void> {
    const text = `${JSON.stringify({ version: 1, entries: this.list })}\n`;
    const write = this.chain.catch(() => {}).then(() => this.host.writeFile(this.path, text, { mode: 0o644 }));
    this.chain = write;
    return write;
  }
}

/** The records of a ledger file; [] when there is none. */
export async function readLedger(host: Pick<Host, 'readFile'>, path: string): Promise<PendingEntry[]> {
  const text = await host.readFile(path, { maxBytes: LEDGER_MAX_BYTES });
  if (text === null) return [];
  let parsed: z.ZodSafeParseResult<z.output<typeof File>>;
  try {
    parsed = File.safeParse(JSON.parse(text));
  } catch (err) {
    throw new RunnerError(`${path}: not JSON (${(err as Error).message}): move it away to start a new ledger`);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunnerError(
      `${path}: not a ledger of pending deletions (${issue?.path.join('.') || 'top'}: ${issue?.message}): move it away to start a new ledger`,
    );
  }
  return parsed.data.entries as PendingEntry[];
}
