import type * as z from 'zod';
import type { RunMemo } from './memo.js';
import type { PendingLedger } from './pending.js';
import type { Fingerprint } from './fingerprint.js';

/**
 * What a read-only probe found. `plan` is data: exactly what apply would do, with its predicted effect.
 * `failed`: apply cannot make this ok (a missing base dir, a target out of reach); its plan, if any, is what
 * apply would still do, and apply still does it.
 */
export type Finding<P> = (
  | { state: 'ok'; summary: string }
  | { state: 'drift'; summary: string; plan: P }
  | { state: 'failed'; summary: string; plan?: P }
  | { state: 'skipped'; summary: string }
) & { warnings?: string[]; space?: SpaceFact[] };

/** Free space a probe measured on a filesystem (purge: each base dir's), kept on the result for monitoring. */
export interface SpaceFact {
  /** the configured dirs on this filesystem */
  dirs: string[];
  freeBytes: number;
  targetBytes?: number;
}

/** Ansible's words plus `drift`, as one tagged union. */
export type Status = 'ok' | 'drift' | 'changed' | 'failed' | 'skipped' | 'unreachable';

interface ResultBase {
  check: string;
  summary: string;
  warnings?: string[];
  /** what the last probe measured (after a fix: the re-probe) */
  space?: SpaceFact[];
  durationMs: number;
}

/**
 * One check's outcome, tagged by status: a drift carries the plan that apply would run; a change the plan it
 * ran; a failure may carry the plan it tried, and `halt` when the only fix is to recycle the machine.
 */
export type Result = ResultBase &
  (
    | { status: 'ok' | 'skipped' | 'unreachable' }
    | { status: 'drift'; plan: unknown }
    | { status: 'changed'; plan: unknown }
    | { status: 'failed'; plan?: unknown; /** the daemon acts on it */ halt?: boolean }
  );

/** The plan a result carries (drift: to run; changed: ran; failed: tried), if any. */
export function planOf(r: Result): unknown {
  return 'plan' in r ? r.plan : undefined;
}

export function halts(r: Result): boolean {
  return r.status === 'failed' && r.halt === true;
}

export type UnreachableReason =
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'auth'
  | 'hostkey-unknown'
  | 'hostkey-changed'
  | 'dropped'
  | 'error';

/**
 * Why a host has no results, or lost the rest of them. `stage`: 'connect' (reaching the host, or keeping the
 * connection), 'config' (reading or validating its runner.yaml), 'interrupted' (not started: the run was stopped).
 */
export interface HostFailure {
  stage: 'connect' | 'config' | 'interrupted';
  /** set exactly when the host was unreachable */
  reason?: UnreachableReason;
  detail: string;
  /** hostkey-unknown / hostkey-changed: the key the host presented and the known_hosts lines that disagree */
  hostKey?: HostKeyReport;
}

export interface HostKeyReport {
  /** the presented key's type (`ssh-ed25519`) and OpenSSH fingerprint (`SHA256:…`) */
  type: string;
  fingerprint: string;
  /** the known_hosts entries for the host that disagree with it (for a revoked key: those revoking it) */
  recorded: { file: string; line: number; type: string; fingerprint: string }[];
}

export interface HostReport {
  host: string;
  results: Result[];
  /** set when the host failed as a whole: before its checks (then `results` is empty), or by losing its connection */
  failure?: HostFailure;
  /** the daemon's disable lock (`runner disable`), when this host has one: reported, never acted on by check or audit */
  lock?: LockNote;
  /** deletions runner deferred on this host (renamed to `.deleteme`, deleted in the background): reported only */
  pending?: PendingNote;
}

export interface PendingNote {
  /** the ledger file */
  path: string;
  entries: number;
  bytes: number;
  summary: string;
}

export interface LockNote {
  path: string;
  state: 'active' | 'expired' | 'invalid';
  summary: string;
  lock?: { reason: string; by: string; since: string; until?: string };
  error?: string;
}

export type Mode = 'check' | 'apply';

export interface Context {
  mode: Mode;
  now(): Date;
  signal: AbortSignal;
  log: (line: string) => void;
  /** controller-side HTTP GET (feeds, image ids); results may be shared across hosts */
  fetchText(url: string, timeoutMs: number): Promise<string>;
  /** run-wide memo shared by every host of the run (an audit's included): the tools check's remote look-ups */
  once: RunMemo;
  /** checks that compare against a recorded baseline (processes) record it anew instead; `runner apply --rebaseline` */
  rebaseline?: boolean;
  /**
   * deletions are deferred (the daemon, `--defer-deletes`): fixes only rename what they delete to `.deleteme`
   * and record it here; probes leave recorded entries out of their plans and count their bytes as being freed
   */
  pending?: PendingLedger;
}

/** Read-only: never changes the host. */
export interface Check<O = unknown, P = unknown> {
  readonly id: string;
  readonly summary: string;
  readonly options: z.ZodType<O>;
  /** drift cannot be fixed in place: it is `failed` with `halt: true`, and the daemon recycles the machine */
  readonly recycle?: boolean;
  probe(host: ReadHost, opts: O, ctx: Context): Promise<Finding<P>>;
  /** the plan as lines for people; JSON output shows the plan itself */
  explain?(plan: P): string[];
  /** apply: why the plan it ran differs from the first probe's (undefined: it does not), e.g. space freed earlier */
  replanned?(first: P, now: P | undefined): string | undefined;
  /** what the plan depends on, entry by entry (`runner check --plan-out`); without it, every leaf of the plan */
  fingerprint?(plan: P): Fingerprint;
}

/** Executes a plan; never called in check mode. Returns what it did, in the past tense. */
export interface Remediation<O = unknown, P = unknown> {
  readonly id: string;
  apply(host: Host, plan: P, opts: O, ctx: Context): Promise<string>;
}

export interface CommandResult {
  /** undefined when killed by a signal or the command could not be spawned */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  signal?: string;
  /** output past the request's cap was dropped: a failure (exitCode undefined), stderr says which stream and the cap */
  truncated?: true;
}

export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string>;
  /** run as this user (sudo -n -u / runuser); undefined = as the host's user */
  user?: string;
  /** a dir the command cannot write to (a private read-only bind mount); honoured only where runner is root */
  readOnly?: string;
  /** stops the command when it aborts: its whole process group is killed (LocalHost only; SshHost refuses it) */
  stop?: AbortSignal;
}

export type FileType = 'file' | 'dir' | 'symlink' | 'socket' | 'fifo' | 'block' | 'char' | 'unknown';

/** lstat result: a symlink is reported as a symlink, never followed. */
export interface FileStat {
  type: FileType;
  size: number;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
  dev: number;
  ino: number;
}

export interface DirEntry extends FileStat {
  name: string;
}

export interface RemoveResult {
  removed: boolean;
  /** what stopped a complete removal, e.g. "skipping 'x', since it's on a different device" */
  error?: string;
}

/** The only door to side effects. Every method rejects only when the host itself fails or is unreachable. */
export interface Host {
  readonly name: string;
  readonly transport: 'local' | 'ssh';
  /** argv, never a shell string; resolves on a non-zero exit */
  run(file: string, args?: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  /** null when the path does not exist */
  lstat(path: string): Promise<FileStat | null>;
  /** the entries of a directory with lstat data; null when it does not exist */
  readdir(path: string): Promise<DirEntry[] | null>;
  /**
   * utf-8 contents of a regular file; null when it does not exist. Bounded and safe on paths others control:
   * a symlink (last component or on the way), FIFO, device or dir is an error naming the path, never followed
   * or waited on; more than `maxBytes` (default 1 MiB) is an error.
   */
  readFile(path: string, opts?: { maxBytes?: number }): Promise<string | null>;
  /** atomic: a temp file beside `path`, then rename */
  writeFile(path: string, data: string, opts?: { mode?: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** recursive, never follows symlinks, never crosses into another filesystem */
  remove(path: string): Promise<RemoveResult>;
  /** `remove` for many paths in one go (one process, one round trip); results in the same order */
  removeAll(paths: readonly string[]): Promise<RemoveResult[]>;
  /** bytes on disk under each path (same filesystem only), for many paths in one go */
  diskUsage(paths: readonly string[]): Promise<Map<string, number>>;
  /** bytes available to unprivileged users on the filesystem holding `path` (statfs f_bavail × f_bsize) */
  freeBytes(path: string): Promise<number>;
  close(): Promise<void>;
}

/** The read half of Host, all a probe gets: check mode is read-only by type (no write, rename or remove). */
export type ReadHost = Omit<Host, 'writeFile' | 'rename' | 'remove' | 'removeAll'>;
