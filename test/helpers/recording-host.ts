import { join } from 'node:path/posix';
import type { CommandResult, Host, RunOptions } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { PIN_SCRIPT } from '../../src/host/pinned-script.js';

/** Entries per group of each pinned verb (src/host/pinned-script.ts). */
const GROUP: Record<string, number> = { retire: 4, remove: 3, owned: 3 };

/** The real LocalHost, recording which paths were measured and which were removed. */
export class RecordingHost extends LocalHost {
  readonly measured: string[] = [];
  readonly removed: string[] = [];
  override async diskUsage(paths: readonly string[]): ReturnType<Host['diskUsage']> {
    this.measured.push(...paths);
    return super.diskUsage(paths);
  }
  /** Pinned removals (src/host/pinned.ts) are recorded too, as dir/name, in the order they were asked for. */
  override async run(file: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<CommandResult> {
    if (file === 'sh' && args[2] === PIN_SCRIPT) {
      const [verb = '', dir = '', , , ...rest] = args.slice(3);
      const size = GROUP[verb];
      const items = verb === 'owned' ? rest.slice(1) : rest;
      if (size) for (let i = 0; i < items.length; i += size) this.removed.push(join(dir, items[i] as string));
    }
    return super.run(file, args, opts);
  }
  override async removeAll(paths: readonly string[]): ReturnType<Host['removeAll']> {
    this.removed.push(...paths);
    return super.removeAll(paths);
  }
}
