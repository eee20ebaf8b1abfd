import * as z from 'zod';
import { matchesGlob } from '../../core/glob.js';
import { unsafeName } from '../../core/paths.js';
import { pendingAt, type PendingEntry } from '../../core/pending.js';
import type { DirEntry } from '../../core/types.js';
import { MARKER, type ClobberOptions } from './schema.js';

/** One row of clobberer's `GET /clobberer/lastclobber/all`; extra fields are ignored. */
const Row = z.object({
  builddir: z.string(),
  lastclobber: z.number().int().nonnegative(),
  slave: z.string().nullable().optional(),
  branch: z.string().nullable().optional(),
  who: z.string().nullable().optional(),
});
const Feed = z.object({ result: z.array(Row) });

export interface Request {
  builddir: string;
  lastclobber: number;
  who?: string;
}

/** Parses the feed; throws with the reason when it is not JSON or not the clobberer shape. */
export function parseFeed(text: string, source: string): z.output<typeof Feed> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`clobber feed ${source} is not JSON: ${(err as Error).message}`);
  }
  const parsed = Feed.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `clobber feed ${source} is malformed at ${issue?.path.join('.') || 'top level'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** The newest request per builddir that applies to `host` (or to every host); unsafe names are set aside. */
export function requestsFor(feed: z.output<typeof Feed>, host: string) {
  const newest = new Map<string, Request>();
  const rejected: string[] = [];
  for (const row of feed.result) {
    if (row.slave && row.slave !== host) continue;
    const why = unsafeName(row.builddir);
    if (why) {
      rejected.push(`feed builddir ${JSON.stringify(row.builddir)} ${why}: ignored`);
      continue;
    }
    const seen = newest.get(row.builddir);
    if (!seen || row.lastclobber > seen.lastclobber) {
      newest.set(row.builddir, {
        builddir: row.builddir,
        lastclobber: row.lastclobber,
        ...(row.who ? { who: row.who } : {}),
      });
    }
  }
  return { requests: [...newest.values()], rejected: [...new Set(rejected)] };
}

/** The `last-clobber` marker: one integer epoch; null when missing or unreadable (unknown, never "0"). */
export function parseMarker(text: string | null): number | null {
  if (text === null || !/^\s*\d+\s*$/.test(text)) return null;
  return Number(text.trim());
}

/** An entry of build dir `dir` that a clobber leaves: the marker, `skip`, or one pending deletion already. */
export function kept(e: DirEntry, dir: string, opts: ClobberOptions, pending: readonly PendingEntry[]): boolean {
  return [MARKER, ...opts.skip].some((g) => matchesGlob(e.name, g)) || pendingAt(pending, dir, e.name, e) !== undefined;
}
