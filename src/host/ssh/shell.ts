import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import type { CommandResult } from '../../core/types.js';

interface Pending {
  resolve: (r: CommandResult) => void;
  reject: (err: Error) => void;
  out?: Buffer;
  err?: Buffer;
  exitCode?: number;
}

/**
 * One long-lived remote `sh` on one exec channel, for runner's own metadata commands (find, du, rm): each
 * request costs a fork on the remote side instead of a new SSH session (sshd child, login shell). Requests
 * are pipelined: written at once, answered in order, each answer framed by a random per-shell marker.
 */
export class RemoteShell {
  private readonly marker = randomBytes(12).toString('hex');
  private readonly queue: Pending[] = [];
  private out = Buffer.alloc(0);
  private err = Buffer.alloc(0);
  private failure: Error | undefined;

  private constructor(private readonly channel: ClientChannel) {
    channel.on('data', (d: Buffer) => this.onData('out', d));
    channel.stderr.on('data', (d: Buffer) => this.onData('err', d));
    // only a lost connection (or a killed shell) ends it: classified like a connection error
    channel.on('close', () => this.fail(Object.assign(new Error('the remote shell ended'), { level: 'shell' })));
  }

  static open(client: Client, command: string): Promise<RemoteShell> {
    return new Promise((resolve, reject) => client.exec(command, (err, channel) => (err ? reject(err) : resolve(new RemoteShell(channel)))));
  }

  /** Runs one shell command line, stdin closed; resolves with its exit code, stdout and stderr. */
  request(line: string): Promise<CommandResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      const m = this.marker;
      this.channel.write(`${line} </dev/null; printf '\\000${m} %d\\000' "$?"; printf '\\000${m}\\000' >&2\n`);
    });
  }

  private onData(stream: 'out' | 'err', data: Buffer): void {
    if (stream === 'out') this.out = Buffer.concat([this.out, data]);
    else this.err = Buffer.concat([this.err, data]);
    this.settle();
  }

  /** Takes complete answers off the front of the queue: stdout up to `\0marker rc\0`, stderr up to `\0marker\0`. */
  private settle(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      if (head.out === undefined) {
        const start = this.out.indexOf(`\0${this.marker} `, 0, 'latin1');
        const end = start === -1 ? -1 : this.out.indexOf(0, start + 1);
        if (end !== -1) {
          head.out = this.out.subarray(0, start);
          head.exitCode = Number(this.out.subarray(start + this.marker.length + 2, end).toString('latin1'));
          this.out = this.out.subarray(end + 1);
        }
      }
      if (head.err === undefined) {
        const end = this.err.indexOf(`\0${this.marker}\0`, 0, 'latin1');
        if (end !== -1) {
          head.err = this.err.subarray(0, end);
          this.err = this.err.subarray(end + this.marker.length + 2);
        }
      }
      if (head.out === undefined || head.err === undefined) return;
      this.queue.shift();
      head.resolve({ exitCode: head.exitCode, stdout: head.out.toString('utf8'), stderr: head.err.toString('utf8'), timedOut: false });
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.queue.splice(0)) p.reject(this.failure);
  }

  close(): void {
    this.channel.end();
  }
}
