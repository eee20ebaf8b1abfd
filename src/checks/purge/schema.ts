import * as z from 'zod';
import { notA } from '../../core/expected.js';
import { nameGlobProblem } from '../../core/glob-rules.js';
import { AbsolutePath, BaseDir, overlaps } from '../../core/path-rules.js';
import { Duration, DurationOrOff, Size, parseDuration } from '../../core/units.js';

export interface KeepRule {
  /** glob matched against a build dir's name */
  glob: string;
  /** protected only while younger than this; undefined = always */
  maxAgeMs?: number;
}

const KEEP_FORM = 'expected NAME-GLOB or NAME-GLOB:DURATION (s, m, h, d, w), like info or rel-*:10d';

/** Why `text` is no keep pattern, or its rule: a colon always starts the age, so a typo in it cannot widen the glob. */
function parseKeep(text: string): KeepRule | string {
  const [glob = '', age, ...more] = text.split(':');
  if (more.length) return "it has more than one ':' (match a ':' in a name with ?)";
  const globWhy = nameGlobProblem(glob);
  if (globWhy) return globWhy;
  if (age === undefined) return { glob };
  const maxAgeMs = parseDuration(age);
  if (maxAgeMs === undefined) return `${JSON.stringify(age)} after the ':' is not a duration`;
  if (maxAgeMs <= 0) return `the age ${JSON.stringify(age)} protects nothing`;
  return { glob, maxAgeMs };
}

/** `info` or `rel-*:10d`: a name glob with an optional age after which the protection ends. */
const KeepPattern = z.string({ error: notA(KEEP_FORM) }).transform((text, ctx): KeepRule => {
  const rule = parseKeep(text);
  if (typeof rule !== 'string') return rule;
  ctx.issues.push({ code: 'custom', input: text, message: `${KEEP_FORM}, got ${JSON.stringify(text)}: ${rule}` });
  return z.NEVER;
});

const BaseDirs = z
  .array(BaseDir)
  .min(1)
  .superRefine((dirs, ctx) => {
    for (const o of overlaps(dirs, 'dirs'))
      ctx.addIssue({
        code: 'custom',
        path: [o.at],
        message: `${o.message}: list each base dir once, none inside another`,
      });
  });

export const PurgeOptions = z
  .object({
    dirs: BaseDirs.describe('base dirs whose immediate subdirectories are build dirs'),
    free: Size.optional().describe("target free space on each base dir's filesystem, e.g. 20GB"),
    max_age: DurationOrOff.prefault('14d').describe(
      'build dirs older than this are deleted whatever the free space; off disables',
    ),
    keep: z
      .array(KeepPattern)
      .default([])
      .describe('name globs never deleted; "rel-*:10d" protects only while younger than 10d'),
    active: z
      .array(AbsolutePath)
      .default([])
      .describe('paths never deleted, nor any dir holding them (the current job)'),
    active_file: AbsolutePath.optional().describe('a file listing more active paths, one per line'),
    min_age: Duration.prefault('1h').describe('build dirs younger than this are never deleted'),
    missing_ok: z
      .boolean()
      .default(false)
      .describe('a base dir that does not exist is fine (a warning); by default it fails the check, naming it'),
    min_free_to_start: Size.optional().describe(
      "runner daemon: no worker starts while a base dir's filesystem has less free than this (pending deletions not counted, deleted first)",
    ),
  })
  .strict();

export type PurgeOptions = z.output<typeof PurgeOptions>;
