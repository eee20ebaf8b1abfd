import type { CommandResult } from '../../core/types.js';
import type { RemoteShell } from './shell.js';

/**
 * Up to `max` long-lived remote shells of one connection, opened only when needed: a request goes to an
 * idle shell, else to a new one while fewer than `max` are open, else behind the shortest queue (pipelined).
 * Two shells let a slow command (hg status) and a lookup run side by side; more buy little and cost a session each.
 */
export class ShellPool {
  private readonly shells: { shell: Promise<RemoteShell>; pending: number }[] = [];

  constructor(
    private readonly open: () => Promise<RemoteShell>,
    private readonly max: number,
  ) {}

  async request(line: string, waitMs?: number): Promise<CommandResult> {
    const slot = this.pick();
    slot.pending += 1;
    try {
      return await (await slot.shell).request(line, waitMs);
    } finally {
      slot.pending -= 1;
    }
  }

  private pick() {
    const idle = this.shells.find((s) => s.pending === 0);
    if (idle) return idle;
    if (this.shells.length < this.max) {
      const slot = { shell: this.open(), pending: 0 };
      this.shells.push(slot);
      return slot;
    }
    return this.shells.reduce((a, b) => (b.pending < a.pending ? b : a));
  }

  async close(): Promise<void> {
    await Promise.all(this.shells.map((s) => s.shell.then((sh) => sh.close(), () => undefined)));
  }
}
