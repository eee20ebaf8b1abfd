import { describeError } from '../core/errors.js';
import { LEFTOVER_SUFFIX } from '../core/paths.js';
import type { Host } from '../core/types.js';

/**
 * Deletes `path` the crash-safe way: rename it to `<path>.deleteme` (atomic, in place), then remove that.
 * A kill at any point leaves either the untouched dir or a `.deleteme` leftover, never a half-deleted dir
 * under its real name. Returns an error message, or undefined on success.
 */
export async function retire(host: Host, path: string, expect?: { dev: number; ino: number }): Promise<string | undefined> {
  const st = await host.lstat(path);
  if (st === null) return undefined;
  if (expect && (st.dev !== expect.dev || st.ino !== expect.ino)) return 'replaced since the probe: left alone';
  const trash = `${path}${LEFTOVER_SUFFIX}`;
  const stale = await host.remove(trash);
  if (stale.error) return `could not clear ${trash}: ${stale.error}`;
  const moved = await host.rename(path, trash).then(() => undefined, describeError);
  if (moved) return moved;
  return (await host.remove(trash)).error;
}

/** Removes a leftover `.deleteme` entry directly. */
export async function removeLeftover(host: Host, path: string): Promise<string | undefined> {
  return (await host.remove(path)).error;
}
