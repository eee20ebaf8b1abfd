import type { Client, SFTPWrapper } from 'ssh2';
import { HostUnreachableError, RunnerError } from '../core/errors.js';
import { limiter } from '../core/limit.js';
import type { CommandResult, DirEntry, FileStat, Host, RemoveResult, RunOptions } from '../core/types.js';
import { diskUsageArgv, parseDiskUsage } from './commands.js';
import { commandLine, scriptLine } from './quote.js';
import { remoteCommand } from './ssh/argv.js';
import { classify } from './ssh/classify.js';
import { connect, type SshOptions, type SshTarget } from './ssh/connect.js';
import { exec, type ExecOptions } from './ssh/exec.js';
import {
  freeBytesCommand,
  lstatCommand,
  parseFreeBytes,
  parseRecords,
  READ_REFUSALS,
  readdirCommand,
  readFileCommand,
  removeCommand,
  runCommand,
} from './ssh/remote-fs.js';
import { DEFAULT_MAX_BYTES } from './read-bounded.js';
import { mountPoints, mountUnder } from './mounts.js';
import { sftpRename, sftpWriteFile } from './ssh/sftp.js';
import { RemoteShell } from './ssh/shell.js';
import { ShellPool } from './ssh/shells.js';

/** What one host's connection cost: the figures the audit bench reports. */
export interface SshStats {
  connectMs: number;
  /** exec channels opened: the long-lived remote shells, and commands that need stdin */
  execs: number;
  /** SFTP requests (writes and renames only: each one request/response on the one SFTP channel) */
  sftpOps: number;
  /** requests answered by the long-lived remote shells (a fork each, no new session) */
  shellOps: number;
  /** waits for answers: each batch of shell requests sent together, each exec channel, each SFTP request (opening a shell not counted) */
  roundTrips: number;
}

/** Long-lived remote shells per connection: a slow command and a lookup side by side. */
const SHELLS = 2;

/** sshd allows 10 sessions per connection (MaxSessions): the shells, the SFTP channel and these exec channels stay clear of it. */
const EXEC_CHANNELS = 6;

/** How long after a command's own `timeout` wrapper must have stopped it we stop waiting for its answer. */
const TIMEOUT_GRACE_MS = 5000;

/**
 * A worker reached over one SSH connection (ssh2). Everything a probe asks (commands, metadata, file
 * contents, free space) is answered by long-lived remote shells, pipelined: a fork per request on the host,
 * where an exec channel costs a new session and a login shell, and SFTP a subsystem process. Metadata comes
 * from one `find -printf` per call, so a directory listing is one round trip with dev/ino/mtime to the
 * nanosecond. Only commands that need stdin get an exec channel, and only writes and renames use SFTP.
 */
export class SshHost implements Host {
  readonly transport = 'ssh';
  readonly name: string;
  readonly stats: SshStats = { connectMs: 0, execs: 0, sftpOps: 0, shellOps: 0, roundTrips: 0 };
  /** set once the connection is gone (or abandoned at a deadline): every later request fails with it */
  private lost: Error | undefined;
  private closing = false;
  private sftp: Promise<SFTPWrapper> | undefined;
  private readonly shells: ShellPool;
  private readonly slot = limiter(EXEC_CHANNELS);

  private constructor(
    private readonly client: Client,
    private readonly target: SshTarget,
  ) {
    this.name = target.name;
    this.shells = new ShellPool(
      () =>
        this.remote(() => {
          this.stats.execs += 1;
          return RemoteShell.open(
            client,
            target.become ? 'exec sudo -n sh' : 'exec sh',
            () => (this.stats.roundTrips += 1),
          );
        }),
      SHELLS,
    );
  }

  static async connect(target: SshTarget, opts: SshOptions): Promise<SshHost> {
    const started = performance.now();
    let host: SshHost | undefined;
    let early: HostUnreachableError | undefined;
    const client = await connect(target, opts, (err) => (host ? host.onLost(err) : (early = err)));
    host = new SshHost(client, target);
    host.stats.connectMs = Math.round(performance.now() - started);
    if (early) host.onLost(early);
    return host;
  }

  private onLost(err: HostUnreachableError): void {
    if (!this.closing) this.lost ??= err;
  }

  /** Runs a remote request; if the connection died meanwhile, that (not the request's own error) is the answer. */
  private async remote<T>(fn: () => Promise<T>): Promise<T> {
    if (this.lost) throw this.lost;
    try {
      const value = await fn();
      if (this.lost) throw this.lost;
      return value;
    } catch (err) {
      if (this.lost) throw this.lost;
      if ((err as { level?: string }).level) throw classify(err, { host: this.name, ready: true, connectTimeoutMs: 0 });
      throw err;
    }
  }

  private exec(command: string, opts: ExecOptions = {}): Promise<CommandResult> {
    return this.remote(() =>
      this.slot(() => {
        this.stats.execs += 1;
        this.stats.roundTrips += 1;
        return exec(this.client, command, opts);
      }),
    );
  }

  private withSftp<T>(fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    this.sftp ??= this.remote(
      () =>
        new Promise<SFTPWrapper>((resolve, reject) => {
          this.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)));
        }),
    );
    const opened = this.sftp;
    return this.remote(() =>
      this.slot(async () => {
        this.stats.sftpOps += 1;
        this.stats.roundTrips += 1;
        return fn(await opened);
      }),
    );
  }

  /** argv on a remote shell (as root with become: the shell is `sudo -n sh`); on an exec channel when it needs stdin. */
  async run(file: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<CommandResult> {
    if (opts.stop) throw new Error(`${file}: a stoppable command runs only on the local host`);
    const started = performance.now();
    const r =
      opts.input === undefined
        ? await this.shellRun(runCommand(remoteCommand([file, ...args], opts, this.shellLogin())), {
            slow: true,
            ...(opts.timeoutMs ? { waitMs: opts.timeoutMs + TIMEOUT_GRACE_MS } : {}),
          })
        : await this.exec(remoteCommand([file, ...args], opts, this.target), {
            input: opts.input,
            ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
          });
    // `timeout` exits 124 when it had to stop the command
    if (opts.timeoutMs && (r.timedOut || (r.exitCode === 124 && performance.now() - started >= opts.timeoutMs))) {
      return { ...r, exitCode: undefined, timedOut: true, signal: 'SIGTERM' };
    }
    return r;
  }

  /** Who the remote shells run as: root already with become, so commands there need no sudo of their own. */
  private shellLogin(): { user: string; become: boolean } {
    return this.target.become ? { user: 'root', become: false } : this.target;
  }

  /** One request on a long-lived remote shell; `slow` for commands, which may take long, unlike metadata requests. */
  private shellRun(line: string, opts: { slow?: boolean; waitMs?: number } = {}): Promise<CommandResult> {
    return this.remote(() => {
      this.stats.shellOps += 1;
      return this.shells.request(line, opts);
    });
  }

  /** A metadata command whose non-zero exit is a real error (permissions, I/O). */
  private async meta(line: string, doing: string): Promise<string> {
    const r = await this.shellRun(line);
    if (r.exitCode !== 0) throw new Error(`${doing} on ${this.name}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    return r.stdout;
  }

  async lstat(path: string): Promise<FileStat | null> {
    const [entry] = parseRecords(await this.meta(lstatCommand(path), `lstat ${path}`));
    if (!entry) return null;
    const { name: _name, ...stat } = entry;
    return stat;
  }

  async readdir(path: string): Promise<DirEntry[] | null> {
    const out = await this.meta(readdirCommand(path), `reading dir ${path}`);
    return out.startsWith('D\0') ? parseRecords(out.slice(2)) : null;
  }

  async readFile(path: string, opts: { maxBytes?: number } = {}): Promise<string | null> {
    const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    const r = await this.shellRun(readFileCommand(path, max));
    if (r.exitCode === 3) return null;
    const refused = READ_REFUSALS[r.exitCode ?? -1];
    if (refused) throw new RunnerError(`${this.name}:${refused(path, r.stderr)}`);
    if (r.exitCode !== 0)
      throw new Error(`reading ${path} on ${this.name}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    if (Buffer.byteLength(r.stdout) > max)
      throw new RunnerError(`${this.name}:${path} is larger than ${max} bytes: not read`);
    return r.stdout;
  }

  async writeFile(path: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    if (this.target.become) return this.sudoWrite(path, data, opts.mode ?? 0o644);
    await this.withSftp((sftp) => sftpWriteFile(sftp, path, data, opts.mode));
  }

  private async sudoWrite(path: string, data: string, mode: number): Promise<void> {
    const script =
      't=$(mktemp "$1.runner-XXXXXX") && chmod "$2" "$t" && cat > "$t" && sync "$t" && mv -f -T -- "$t" "$1" || { rm -f -- "$t"; exit 1; }';
    const r = await this.exec(`sudo -n -- ${scriptLine(script, [path, mode.toString(8)])}`, { input: data });
    if (r.exitCode !== 0) throw new Error(`writing ${path} on ${this.name}: ${r.stderr.trim()}`);
  }

  async rename(from: string, to: string): Promise<void> {
    if (this.target.become) {
      await this.meta(commandLine(['mv', '-f', '-T', '--', from, to]), `renaming ${from} to ${to}`);
      return;
    }
    await this.withSftp((sftp) => sftpRename(sftp, from, to));
  }

  async remove(path: string): Promise<RemoveResult> {
    return (await this.removeAll([path]))[0] as RemoveResult;
  }

  private async removeOne(path: string): Promise<RemoveResult> {
    const r = await this.shellRun(removeCommand(path));
    const verdict = r.stdout.trim();
    if (verdict === '') return { removed: false };
    if (verdict === 'removed') return { removed: true };
    if (verdict === 'mount') return { removed: false, error: `${path} is a mount point: not removed` };
    return { removed: false, error: r.stderr.trim() || `${path} still exists` };
  }

  /** One remote command per path, pipelined on the one shell: a round trip for all of them. */
  async removeAll(paths: readonly string[]): Promise<RemoveResult[]> {
    // a bind mount of the same filesystem has its parent's device number: only mountinfo tells
    const mounts = paths.length ? await mountPoints(this) : new Set<string>();
    return Promise.all(
      paths.map((p) => {
        const m = mountUnder(mounts, p);
        if (m)
          return {
            removed: false,
            error: `${m === p ? `${p} is a mount point` : `${p} holds a mount point (${m})`}: not removed`,
          };
        return this.removeOne(p);
      }),
    );
  }

  async diskUsage(paths: readonly string[]): Promise<Map<string, number>> {
    if (paths.length === 0) return new Map();
    const r = await this.shellRun(commandLine(['du', ...diskUsageArgv(paths)]));
    return parseDiskUsage(r.stdout, paths);
  }

  async freeBytes(path: string): Promise<number> {
    // f_bavail is what unprivileged users may use, whoever asks: the login user's view is the same as root's
    return parseFreeBytes(await this.meta(freeBytesCommand(path), `statfs ${path}`));
  }

  /** Abandons the host (e.g. at its deadline): pending and later requests fail with `reason`. */
  abort(reason: Error): void {
    this.lost ??= reason;
    this.closing = true;
    this.client.destroy();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.shells.close();
    this.client.end();
  }
}
