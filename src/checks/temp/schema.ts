import * as z from 'zod';
import { notA } from '../../core/expected.js';
import { unclosedClass } from '../../core/glob-rules.js';
import { componentProblem } from '../../core/path-rules.js';
import { Duration, parseDuration } from '../../core/units.js';
import type { FileType } from '../../core/types.js';
import { UserList } from '../../core/users.js';
import type { Pin } from '../../host/pinned.js';

const GLOB_FORM = "expected an absolute path glob like /tmp/* (no '.', '..' or empty components, no trailing '/')";

/** Why `g` is no absolute path glob; `.`/`..` components are refused so a glob cannot climb out of where it points. */
function pathGlobProblem(g: string): string | undefined {
  if (!g.startsWith('/')) return `${GLOB_FORM}, got ${JSON.stringify(g)}`;
  const why =
    componentProblem(g) ??
    g
      .split('/')
      .map(unclosedClass)
      .find((w) => w !== undefined);
  return why === undefined ? undefined : `${GLOB_FORM}, got ${JSON.stringify(g)}: ${why}`;
}

/** A path glob, also refused when `extra` says why. */
function pathGlob(extra: (g: string) => string | undefined = () => undefined) {
  return z.string({ error: notA(GLOB_FORM) }).superRefine((g, ctx) => {
    const why = pathGlobProblem(g) ?? extra(g);
    if (why) ctx.addIssue({ code: 'custom', input: g, message: why });
  });
}

const CleanGlob = pathGlob((g) =>
  g.split('/').length >= 3 ? undefined : 'a path to clean must be at least two levels deep, e.g. /tmp/*',
);

/** A keep glob; `/tmp/x:1d` (purge's keep syntax) would silently protect nothing, since temp's keep has no age. */
const KeepGlob = pathGlob((g) => {
  const age = /:([^:/]*)$/.exec(g)?.[1];
  if (age === undefined || parseDuration(age) === undefined) return undefined;
  return `${GLOB_FORM}, got ${JSON.stringify(g)}: ":${age}" looks like an age, and temp keeps have none (write the glob alone)`;
});

export const TempOptions = z
  .object({
    paths: z
      .array(CleanGlob)
      .min(1)
      .describe('globs of the entries to clean, e.g. /tmp/* (a * also matches names starting with a dot)'),
    users: UserList.describe('only entries owned by these users are deleted (never root)'),
    older_than: Duration.prefault('15m').describe(
      'only entries (and, in a dir, everything in it) last modified longer ago than this',
    ),
    keep: z
      .array(KeepGlob)
      .default([])
      .describe('path globs never touched, nor anything under them, e.g. /tmp/pulse-*'),
  })
  .strict();

export type TempOptions = z.output<typeof TempOptions>;

/** One entry the plan deletes: a file, a symlink (the link only) or a whole dir. */
export interface TempItem {
  path: string;
  /** the dir holding it, as probed, and its name there: apply deletes only inside that very dir */
  parent: Pin;
  name: string;
  type: Extract<FileType, 'file' | 'dir' | 'symlink'>;
  user: string;
  uid: number;
  mtime: string;
  ageMs: number;
  /** disk space it frees (allocated blocks, the whole tree for a dir) */
  bytes: number;
  /** identity at probe time: apply leaves alone anything replaced or modified since */
  dev: number;
  ino: number;
  mtimeMs: number;
}

export interface TempPlan {
  delete: TempItem[];
  bytes: number;
  /** in-scope entries held back, and why */
  kept: { path: string; why: string }[];
}
