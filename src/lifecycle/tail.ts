import { StringDecoder } from 'node:string_decoder';
import { inodeAt, openFollowed, type FollowedFile } from '../host/log-file.js';

/** Read per poll: a huge log (the build user can write to it) is caught up with over several polls. */
const CHUNK = 1 << 20;
/** What stop() reads at most to deliver the last lines; the rest of a flooded log is skipped. */
const FINAL_BYTES = 64 << 20;
/** A line longer than this is cut: a log without newlines must not grow the daemon. */
const MAX_LINE = 64 * 1024;

/**
 * Follows a log file by polling, like `tail -F`: from the end it had when the tail began, across
 * rotation (a new inode at the path: the rest of the old file is read first) and truncation
 * (the file shrank: read again from its start). Lines are delivered whole, in order.
 * The log lies in the build user's basedir: it is opened by host/log-file, so a FIFO or symlink planted
 * there is reported (`onProblem`), never followed or waited on.
 */
export class Tail {
  private fd: FollowedFile | undefined;
  private ino = -1;
  private pos = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private lastProblem = '';
  private catchingUp = false;

  constructor(
    readonly path: string,
    private readonly onLine: (line: string) => void,
    private readonly pollMs = 100,
    private readonly onProblem: (problem: string) => void = () => {},
  ) {}

  /** Opens the file (if it exists) at its current end; lines written from now on are delivered. Throws when it is not a regular file. */
  async start(): Promise<void> {
    await this.open(true);
    this.timer = setInterval(() => void this.catchUp(), this.pollMs);
  }

  /** Reads chunk after chunk until caught up, yielding to the event loop in between. */
  private async catchUp(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      while (this.timer && (await this.poll())) await new Promise((r) => setImmediate(r));
    } finally {
      this.catchingUp = false;
    }
  }

  /** Reads what is there now (at most 1 MiB); resolves once every complete line read has been delivered. */
  poll(): Promise<boolean> {
    const read = this.busy.then(() => this.readNew()).catch((err: Error) => this.problem(err.message));
    this.busy = read.then(() => {});
    return read.then((more) => more === true);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (let read = 0; read < FINAL_BYTES && (await this.poll()); read += CHUNK);
    await this.fd?.close().catch(() => {});
    this.fd = undefined;
  }

  private problem(message: string): false {
    if (message !== this.lastProblem) this.onProblem(message);
    this.lastProblem = message;
    return false;
  }

  private async open(atEnd: boolean): Promise<void> {
    const file = await openFollowed(this.path);
    if (!file) return;
    this.fd = file;
    this.ino = file.ino;
    this.pos = atEnd ? file.size : 0;
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }

  /** True when more is left to read. */
  private async readNew(): Promise<boolean> {
    if (!this.fd) await this.open(false);
    if (!this.fd) return false;
    if (await this.drain(this.fd)) return true;
    const ino = await inodeAt(this.path);
    if (ino !== undefined && ino !== this.ino) {
      // rotated: the old file is complete (drained above); continue with the new one from its start
      this.flushPartial();
      await this.fd.close().catch(() => {});
      this.fd = undefined;
      await this.open(false);
      if (this.fd) return this.drain(this.fd);
    }
    return false;
  }

  /** One bounded read from where we are; true when the file holds more. */
  private async drain(fd: FollowedFile): Promise<boolean> {
    const size = await fd.sizeNow();
    if (size < this.pos) {
      this.flushPartial();
      this.pos = 0;
    }
    if (this.pos >= size) return false;
    const buf = await fd.read(this.pos, Math.min(size - this.pos, CHUNK));
    if (buf.length === 0) return false;
    this.pos += buf.length;
    this.emit(this.decoder.write(buf));
    return this.pos < size;
  }

  private emit(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = (lines.pop() ?? '').slice(0, MAX_LINE);
    for (const line of lines) this.onLine(line.slice(0, MAX_LINE));
  }

  private flushPartial(): void {
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
  }
}
