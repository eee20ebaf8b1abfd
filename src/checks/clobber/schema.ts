import * as z from 'zod';
import { NameGlob } from '../../core/glob-rules.js';
import { BaseDir, pathProblem } from '../../core/path-rules.js';
import { Duration } from '../../core/units.js';
import type { FileType } from '../../core/types.js';
import type { Pin } from '../../host/pinned.js';

/** The file in a builddir that records the last clobber done there (its content: the request's time). */
export const MARKER = 'last-clobber';

const Feed = z.string().superRefine((f, ctx) => {
  if (/^https?:\/\//.test(f)) return;
  const why = f.startsWith('/')
    ? pathProblem(f)
    : `expected an http(s) URL or an absolute file path, got ${JSON.stringify(f)}`;
  if (why) ctx.addIssue({ code: 'custom', input: f, message: why });
});

export const ClobberOptions = z
  .object({
    dir: BaseDir.describe('the build root holding one dir per builddir'),
    feed: Feed.describe("clobberer's lastclobber/all JSON: an http(s) URL, or a file on the host"),
    host: z.string().min(1).optional().describe("this worker's name in per-host rows; default its short hostname"),
    skip: z
      .array(NameGlob)
      .default(['scripts', 'buildprops.json'])
      .describe('entries of a build dir never deleted (globs); last-clobber is always kept'),
    timeout: Duration.prefault('30s').describe('how long to wait for the feed'),
    missing_ok: z
      .boolean()
      .default(false)
      .describe('a dir that does not exist is ok (nothing to clobber); by default it fails the check, naming it'),
  })
  .strict();

export type ClobberOptions = z.output<typeof ClobberOptions>;

export interface ClobberAction {
  builddir: string;
  path: string;
  /** clobber: delete the entries, then write the marker; record: a dir seen for the first time gets a marker only */
  kind: 'clobber' | 'record';
  /** the request's lastclobber, epoch seconds: written as the new marker */
  requestedAt: number;
  who?: string;
  /** the marker before, epoch seconds; null when there was none */
  markerBefore: number | null;
  /** names of the entries to delete (clobber only) */
  delete: string[];
  /** the build dir as probed, and the identity of each entry to delete: apply acts only on these */
  pin: Pin;
  entries: { name: string; dev: number; ino: number; uid: number; type: FileType }[];
}

export interface ClobberPlan {
  actions: ClobberAction[];
}
