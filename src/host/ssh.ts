import type { Client, SFTPWrapper } from 'ssh2';
import { HostUnreachableError } from '../core/errors.js';
import { limiter } from '../core/limit.js';
import type { CommandResult, DirEntry, FileStat, Host, RemoveResult, RunOptions } from '../core/types.js';
import { diskUsageArgv, parseDiskUsage } from './commands.js';
import { commandLine, scriptLine } from './quote.js';
import { remoteCommand } from './ssh/argv.js';
import { classify } from './ssh/classify.js';
import { connect, type SshOptions, type SshTarget } from './ssh/connect.js';
import { exec, type ExecOptions } from './ssh/exec.js';
import { lstatCommand, parseRecords, readdirCommand, removeCommand } from './ssh/remote-fs.js';
import { sftpFreeBytes, sftpReadFile, sftpRename, sftpWriteFile } from './ssh/sftp.js';
import { RemoteShell } from './ssh/shell.js';

/** What one host's connection cost: the figures the audit bench reports. */
export interface SshStats {
  connectMs: number;
  /** exec channels opened (each one a remote command) */
  execs: number;
  /** SFTP requests (each one request/response on the one SFTP channel) */
  sftpOps: number;
  /** metadata requests answered by the one long-lived remote shell (a fork each, no new session) */
  shellOps: number;
}

/** sshd allows 10 sessions per connection (MaxSessions); keep clear of it, the SFTP channel included. */
const CHANNELS = 8;

/**
 * A worker reached over one SSH connection (ssh2): exec channels for commands and metadata, SFTP for
 * file contents, renames and free space, multiplexed on that connection. Metadata comes from one
 * `find -printf` per call, so a directory listing is one round trip with dev/ino/mtime to the nanosecond.
 */
export class SshHost implements Host {
  readonly transport = 'ssh';
  readonly name: string;
  readonly stats: SshStats = { connectMs: 0, execs: 0, sftpOps: 0, shellOps: 0 };
  /** set once the connection is gone (or abandoned at a deadline): every later request fails with it */
  private lost: Error | undefined;
  private closing = false;
  private sftp: Promise<SFTPWrapper> | undefined;
  private shell: Promise<RemoteShell> | undefined;
  private readonly slot = limiter(CHANNELS);

  private constructor(
    private readonly client: Client,
    private readonly target: SshTarget,
  ) {
    this.name = target.name;
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
      const value = await this.slot(fn);
      if (this.lost) throw this.lost;
      return value;
    } catch (err) {
      if (this.lost) throw this.lost;
      if ((err as { level?: string }).level) throw classify(err, { host: this.name, ready: true, connectTimeoutMs: 0 });
      throw err;
    }
  }

  private exec(command: string, opts: ExecOptions = {}): Promise<CommandResult> {
    return this.remote(() => {
      this.stats.execs += 1;
      return exec(this.client, command, opts);
    });
  }

  private withSftp<T>(fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    this.sftp ??= this.remote(() => new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)));
    }));
    const opened = this.sftp;
    return this.remote(async () => {
      this.stats.sftpOps += 1;
      return fn(await opened);
    });
  }

  async run(file: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<CommandResult> {
    const command = remoteCommand([file, ...args], opts, this.target);
    const started = performance.now();
    const r = await this.exec(command, { ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
    // `timeout` exits 124 when it had to stop the command
    if (opts.timeoutMs && (r.timedOut || (r.exitCode === 124 && performance.now() - started >= opts.timeoutMs))) {
      return { ...r, exitCode: undefined, timedOut: true, signal: 'SIGTERM' };
    }
    return r;
  }

  /** One of our own metadata commands, on the long-lived remote shell (as root with become). */
  private shellRun(line: string): Promise<CommandResult> {
    return this.remote(async () => {
      this.stats.shellOps += 1;
      this.shell ??= (this.stats.execs += 1, RemoteShell.open(this.client, this.target.become ? 'exec sudo -n sh' : 'exec sh'));
      return (await this.shell).request(line);
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

  async readFile(path: string): Promise<string | null> {
    if (this.target.become) {
      const r = await this.shellRun(scriptLine('[ -e "$1" ] || exit 3; exec cat -- "$1"', [path]));
      if (r.exitCode === 3) return null;
      if (r.exitCode !== 0) throw new Error(`reading ${path} on ${this.name}: ${r.stderr.trim()}`);
      return r.stdout;
    }
    return this.withSftp((sftp) => sftpReadFile(sftp, path));
  }

  async writeFile(path: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    if (this.target.become) return this.sudoWrite(path, data, opts.mode ?? 0o644);
    await this.withSftp((sftp) => sftpWriteFile(sftp, path, data, opts.mode));
  }

  private async sudoWrite(path: string, data: string, mode: number): Promise<void> {
    const script = 't=$(mktemp "$1.runner-XXXXXX") && chmod "$2" "$t" && cat > "$t" && sync "$t" && mv -f -T -- "$t" "$1" || { rm -f -- "$t"; exit 1; }';
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
    const r = await this.shellRun(removeCommand(path));
    const verdict = r.stdout.trim();
    if (verdict === '') return { removed: false };
    if (verdict === 'removed') return { removed: true };
    if (verdict === 'mount') return { removed: false, error: `${path} is a mount point: not removed` };
    return { removed: false, error: r.stderr.trim() || `${path} still exists` };
  }

  /** One remote command per path, pipelined on the one shell: a round trip for all of them. */
  async removeAll(paths: readonly string[]): Promise<RemoveResult[]> {
    return Promise.all(paths.map((p) => this.remove(p)));
  }

  async diskUsage(paths: readonly string[]): Promise<Map<string, number>> {
    if (paths.length === 0) return new Map();
    const r = await this.shellRun(commandLine(['du', ...diskUsageArgv(paths)]));
    return parseDiskUsage(r.stdout, paths);
  }

  async freeBytes(path: string): Promise<number> {
    // f_bavail is what unprivileged users may use, whoever asks: the login user's view is the same as root's
    return this.withSftp((sftp) => sftpFreeBytes(sftp, path));
  }

  /** Abandons the host (e.g. at its deadline): pending and later requests fail with `reason`. */
  abort(reason: Error): void {
    this.lost ??= reason;
    this.closing = true;
    this.client.destroy();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.shell) await this.shell.then((sh) => sh.close(), () => undefined);
    this.client.end();
  }
}
