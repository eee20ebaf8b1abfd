import type { Host } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';

/** The real LocalHost, recording which paths were measured and which were removed. */
export class RecordingHost extends LocalHost {
  readonly measured: string[] = [];
  readonly removed: string[] = [];
  override async diskUsage(paths: readonly string[]): ReturnType<Host['diskUsage']> {
    this.measured.push(...paths);
    return super.diskUsage(paths);
  }
  override async removeAll(paths: readonly string[]): ReturnType<Host['removeAll']> {
    this.removed.push(...paths);
    return super.removeAll(paths);
  }
}
