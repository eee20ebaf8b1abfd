import type { CommandResult } from '../../core/types.js';
import type { RemoteShell, RequestOptions } from './shell.js';

interface Slot {
  shell: Promise<RemoteShell>;
  /** commands (run) written and not answered yet: they may take long */
  slow: number;
}

/**
 * Up to `max` long-lived remote shells of one connection, opened only when needed. Quick metadata requests
 * (find, du, cat) go to the shell with the fewest commands ahead of them, pipelined; a command goes to a
 * shell with no other command pending, opening one more while fewer than `max` are open. So a slow command
 * (hg status) and a lookup run side by side, and a host that never has two commands at once costs one session.
 */
export class ShellPool {
  private readonly slots: Slot[] = [];

  constructor(
    private readonly open: () => Promise<RemoteShell>,
    private readonly max: number,
  ) {}

  /** `slow` for commands, which may take long; the rest of `opts` (timeout, output caps) goes to the shell. */
  async request(line: string, opts: RequestOptions & { slow?: boolean } = {}): Promise<CommandResult> {
    const slot = this.pick(opts.slow === true);
    if (opts.slow) slot.slow += 1;
    try {
      const { slow: _slow, ...rest } = opts;
      return await (await slot.shell).request(line, rest);
    } finally {
      if (opts.slow) slot.slow -= 1;
    }
  }

  private pick(slow: boolean): Slot {
    const least = this.slots.reduce<Slot | undefined>(
      (a, b) => (a === undefined || b.slow < a.slow ? b : a),
      undefined,
    );
    if (least && (least.slow === 0 || !slow || this.slots.length >= this.max)) return least;
    const slot = { shell: this.open(), slow: 0 };
    this.slots.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.slots.map((s) =>
        s.shell.then(
          (sh) => sh.close(),
          () => undefined,
        ),
      ),
    );
  }
}
