import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { decodeBytes, encodeBytes } from '../../core/bytes.js';
import type { CommandResult } from '../../core/types.js';
import { MAX_STDERR, MAX_STDOUT, overflowed, type Capped, type OutputLimits } from './capped.js';
import { Frames } from './frames.js';

export interface RequestOptions extends OutputLimits {
  /** after this long the request resolves as timed out (its command is stopped by its own `timeout` wrapper) */
  waitMs?: number;
}

interface Pending {
  resolve: (r: CommandResult) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
  /** answered already (timed out): its output, when it comes, is dropped */
  abandoned?: boolean;
}

/** `\0` and the exit code (0–255) before the stdout marker: framing, not counted against the cap. */
const EXIT_FIELD = 4;

/**
 * One long-lived remote `sh` on one exec channel, for runner's own metadata commands (find, du, rm): each
 * request costs a fork on the remote side instead of a new SSH session (sshd child, login shell). Requests
 * are pipelined: written at once, answered in order, each answer framed by a random per-shell marker:
 * stdout `…\0<exit code>\0<marker>\0`, stderr `…\0<marker>\0`. Output is bytes both ways (names that are not
 * UTF-8 round-trip), read in time linear in its size, and capped per request: a flood is counted and dropped.
 */
export class RemoteShell {
  private readonly marker = randomBytes(12).toString('hex');
  private readonly queue: Pending[] = [];
  private readonly out: Frames;
  private readonly err: Frames;
  private failure: Error | undefined;
  /** requests of this turn of the event loop, sent together: one SSH packet and one socket write for all */
  private unsent: Buffer[] = [];

  private constructor(
    private readonly channel: ClientChannel,
    private readonly onSend: () => void,
  ) {
    const needle = Buffer.from(`\0${this.marker}\0`, 'latin1');
    this.out = new Frames('stdout', needle, MAX_STDOUT, EXIT_FIELD);
    this.err = new Frames('stderr', needle, MAX_STDERR);
    channel.on('data', (d: Buffer) => this.onData(this.out, d));
    channel.stderr.on('data', (d: Buffer) => this.onData(this.err, d));
    // only a lost connection (or a killed shell) ends it: classified like a connection error
    channel.on('close', () => this.fail(Object.assign(new Error('the remote shell ended'), { level: 'shell' })));
  }

  /** `onSend` is told of every batch of requests sent: one round trip each. */
  static open(client: Client, command: string, onSend: () => void = () => {}): Promise<RemoteShell> {
    return new Promise((resolve, reject) =>
      client.exec(command, (err, channel) => (err ? reject(err) : resolve(new RemoteShell(channel, onSend)))),
    );
  }

  /**
   * Runs one shell command line, stdin closed; resolves with its exit code, stdout and stderr, or as failed
   * (`truncated`) when a stream passed its cap. After `waitMs` it resolves as timed out.
   */
  request(line: string, opts: RequestOptions = {}): Promise<CommandResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject };
      if (opts.waitMs !== undefined) {
        entry.timer = setTimeout(() => {
          entry.abandoned = true;
          resolve({ exitCode: undefined, stdout: '', stderr: '', timedOut: true });
        }, opts.waitMs);
      }
      this.queue.push(entry);
      this.out.expect(opts.maxStdout ?? MAX_STDOUT);
      this.err.expect(opts.maxStderr ?? MAX_STDERR);
      const m = this.marker;
      if (this.unsent.length === 0) setImmediate(() => this.flush());
      this.unsent.push(
        encodeBytes(`${line} </dev/null; printf '\\000%d\\000${m}\\000' "$?"; printf '\\000${m}\\000' >&2\n`),
      );
    });
  }

  private flush(): void {
    if (this.failure === undefined) {
      this.channel.write(Buffer.concat(this.unsent));
      this.onSend();
    }
    this.unsent = [];
  }

  private onData(frames: Frames, data: Buffer): void {
    frames.push(data);
    // answers complete on both streams leave the queue in order
    while (this.queue.length && this.out.done.length && this.err.done.length) {
      const head = this.queue.shift() as Pending;
      const answer = resultOf(this.out.done.shift() as Capped, this.err.done.shift() as Capped);
      clearTimeout(head.timer);
      if (!head.abandoned) head.resolve(answer);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
  }

  close(): void {
    this.channel.end();
  }
}

/** stdout is `output \0 exit code`: the last NUL splits them (the exit code has none). */
function resultOf(out: Capped, err: Capped): CommandResult {
  const bytes = out.over ? undefined : out.bytes();
  const cut = bytes === undefined ? -1 : bytes.lastIndexOf(0);
  if (bytes === undefined || cut > out.limit) return overflowed(out, '');
  const stdout = decodeBytes(bytes.subarray(0, cut));
  if (err.over) return overflowed(err, stdout);
  return {
    exitCode: Number(bytes.subarray(cut + 1).toString('latin1')),
    stdout,
    stderr: decodeBytes(err.bytes()),
    timedOut: false,
  };
}
