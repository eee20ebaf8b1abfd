import { z } from 'zod';
import { Duration, DurationOrOff, Size, parseDuration } from '../../config/units.js';

const AbsolutePath = z.string().refine((p) => p.startsWith('/'), { message: 'expected an absolute path' });

export interface KeepRule {
  /** glob matched against a build dir's name */
  glob: string;
  /** protected only while younger than this; undefined = always */
  maxAgeMs?: number;
}

/** `info` or `rel-*:10d`: a name glob with an optional age after which the protection ends. */
const KeepPattern = z.string().transform((text, ctx): KeepRule => {
  const colon = text.lastIndexOf(':');
  const age = colon > 0 ? parseDuration(text.slice(colon + 1)) : undefined;
  const glob = age === undefined ? text : text.slice(0, colon);
  if (glob === '' || glob.includes('/')) {
    const why = glob === '' ? 'is empty' : "contains '/': keep globs match a build dir's name, not a path";
    ctx.issues.push({ code: 'custom', input: text, message: `keep pattern ${JSON.stringify(text)} ${why}` });
    return z.NEVER;
  }
  return age === undefined ? { glob } : { glob, maxAgeMs: age };
});

export const PurgeOptions = z
  .object({
    dirs: z.array(AbsolutePath).min(1).describe('base dirs whose immediate subdirectories are build dirs'),
    free: Size.optional().describe('target free space on each base dir\'s filesystem, e.g. 20GB'),
    max_age: DurationOrOff.prefault('14d')
      .describe('build dirs older than this are deleted whatever the free space; off disables'),
    keep: z.array(KeepPattern).default([]).describe('name globs never deleted; "rel-*:10d" protects only while younger than 10d'),
    active: z.array(AbsolutePath).default([]).describe('paths never deleted, nor any dir holding them (the current job)'),
    active_file: AbsolutePath.optional().describe('a file listing more active paths, one per line'),
    min_age: Duration.prefault('1h').describe('build dirs younger than this are never deleted'),
  })
  .strict();

export type PurgeOptions = z.output<typeof PurgeOptions>;
