import { describeError } from '../core/errors.js';
import { LEFTOVER_SUFFIX } from '../core/paths.js';
import type { Host } from '../core/types.js';

export interface Doomed {
  path: string;
  /** identity at probe time: anything replaced since is left alone */
  expect?: { dev: number; ino: number };
}

/**
 * Deletes each path the crash-safe way: rename it to `<path>.deleteme` (atomic, in place), then remove all of
 * them in one go. A kill at any point leaves either the untouched entry or a `.deleteme` leftover, never a
 * half-deleted entry under its real name. Returns "path: why" for each one that could not be deleted.
 */
export async function retireAll(host: Host, doomed: readonly Doomed[]): Promise<string[]> {
  const errors: string[] = [];
  const moved: { path: string; trash: string }[] = [];
  const live = await checkIdentity(host, doomed, errors);
  const stale = await host.removeAll(live.map((d) => `${d.path}${LEFTOVER_SUFFIX}`));
  for (const [i, d] of live.entries()) {
    const trash = `${d.path}${LEFTOVER_SUFFIX}`;
    const blocked = stale[i]?.error;
    const failed = blocked ? `could not clear ${trash}: ${blocked}` : await host.rename(d.path, trash).then(() => undefined, describeError);
    if (failed) errors.push(`${d.path}: ${failed}`);
    else moved.push({ path: d.path, trash });
  }
  const results = await host.removeAll(moved.map((m) => m.trash));
  for (const [i, m] of moved.entries()) if (results[i]?.error) errors.push(`${m.path}: ${results[i]?.error}`);
  return errors;
}

async function checkIdentity(host: Host, doomed: readonly Doomed[], errors: string[]): Promise<Doomed[]> {
  const live: Doomed[] = [];
  for (const d of doomed) {
    const st = await host.lstat(d.path);
    if (st === null) continue;
    if (d.expect && (st.dev !== d.expect.dev || st.ino !== d.expect.ino)) errors.push(`${d.path}: replaced since the probe: left alone`);
    else live.push(d);
  }
  return live;
}

/** Removes leftover `.deleteme` entries directly, in one go. */
export async function removeLeftovers(host: Host, paths: readonly string[]): Promise<string[]> {
  const results = await host.removeAll(paths);
  return results.flatMap((r, i) => (r.error ? [`${paths[i]}: ${r.error}`] : []));
}
