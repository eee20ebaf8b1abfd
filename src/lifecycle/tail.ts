import { promises as fs } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * Follows a log file by polling, like `tail -F`: from the end it had when the tail began, across
 * rotation (a new inode at the path: the rest of the old file is read first) and truncation
 * (the file shrank: read again from its start). Lines are delivered whole, in order.
 */
export class Tail {
  private fd: fs.FileHandle | undefined;
  private ino = -1;
  private pos = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly onLine: (line: string) => void,
    private readonly pollMs = 100,
  ) {}

  /** Opens the file (if it exists) at its current end; lines written from now on are delivered. */
  async start(): Promise<void> {
    await this.open(true);
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  /** Reads what is there now; resolves once every complete line so far has been delivered. */
  poll(): Promise<void> {
    this.busy = this.busy.then(() => this.readNew()).catch(() => {});
    return this.busy;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.poll();
    await this.fd?.close().catch(() => {});
    this.fd = undefined;
  }

  private async open(atEnd: boolean): Promise<void> {
    const handle = await fs.open(this.path, 'r').catch(() => undefined);
    if (!handle) return;
    const st = await handle.stat();
    this.fd = handle;
    this.ino = st.ino;
    this.pos = atEnd ? st.size : 0;
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }

  private async readNew(): Promise<void> {
    if (!this.fd) await this.open(false);
    if (!this.fd) return;
    await this.drain(this.fd);
    const now = await fs.stat(this.path).catch(() => undefined);
    if (now && now.ino !== this.ino) {
      // rotated: the old file is complete (drained above); continue with the new one from its start
      this.flushPartial();
      await this.fd.close().catch(() => {});
      this.fd = undefined;
      await this.open(false);
      if (this.fd) await this.drain(this.fd);
    }
  }

  private async drain(fd: fs.FileHandle): Promise<void> {
    const { size } = await fd.stat();
    if (size < this.pos) {
      this.flushPartial();
      this.pos = 0;
    }
    while (this.pos < size) {
      const buf = Buffer.alloc(Math.min(size - this.pos, 1 << 20));
      const { bytesRead } = await fd.read(buf, 0, buf.length, this.pos);
      if (bytesRead === 0) break;
      this.pos += bytesRead;
      this.emit(this.decoder.write(buf.subarray(0, bytesRead)));
    }
  }

  private emit(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  private flushPartial(): void {
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
  }
}
