import { z } from 'zod';
import { Duration } from '../../config/units.js';
import type { FileType } from '../../core/types.js';
import { UserList } from '../../core/users.js';
import type { Pin } from '../../host/pinned.js';

/** An absolute path glob; `.`/`..` components are refused so a glob cannot climb out of where it points. */
const PathGlob = z.string().superRefine((g, ctx) => {
  const parts = g.split('/').slice(1);
  if (!g.startsWith('/')) ctx.addIssue({ code: 'custom', message: `expected an absolute path glob, got ${JSON.stringify(g)}` });
  else if (parts.some((p) => p === '.' || p === '..' || p === '')) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(g)} has an empty, '.' or '..' component` });
});

const CleanGlob = PathGlob.refine((g) => g.split('/').length >= 3, {
  message: 'a path to clean must be at least two levels deep, e.g. /tmp/*',
});

export const TempOptions = z
  .object({
    paths: z.array(CleanGlob).min(1).describe('globs of the entries to clean, e.g. /tmp/* (a * also matches names starting with a dot)'),
    users: UserList.describe('only entries owned by these users are deleted (never root)'),
    older_than: Duration.prefault('15m').describe('only entries (and, in a dir, everything in it) last modified longer ago than this'),
    keep: z.array(PathGlob).default([]).describe('path globs never touched, nor anything under them, e.g. /tmp/pulse-*'),
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
