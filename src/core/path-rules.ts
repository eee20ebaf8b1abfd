import * as z from 'zod';
import { notA } from '../core/expected.js';

/** Trees of the OS itself: runner never deletes, checks out or keeps state at or anywhere under them. */
export const SYSTEM_TREES = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/sbin',
  '/sys',
  '/usr',
];

/** Dirs shared by everyone: never a base dir themselves (a base dir's entries are deleted), a dir below them may be. */
export const SYSTEM_DIRS = [
  '/',
  '/home',
  '/media',
  '/mnt',
  '/opt',
  '/root',
  '/run',
  '/srv',
  '/tmp',
  '/var',
  '/var/backups',
  '/var/cache',
  '/var/lib',
  '/var/local',
  '/var/lock',
  '/var/log',
  '/var/mail',
  '/var/opt',
  '/var/run',
  '/var/spool',
  '/var/tmp',
];

const FORM = "an absolute path like /builds/worker (no '.', '..' or empty components, no trailing '/')";

/** Why `p` is not a canonical absolute path (written as it is meant: nothing to normalise), or undefined. */
export function pathProblem(p: string): string | undefined {
  const got = `expected ${FORM}, got ${JSON.stringify(p)}`;
  if (!p.startsWith('/')) return got;
  const why = componentProblem(p);
  return why === undefined ? undefined : `${got}: ${why}`;
}

/** Why the components of `p` (absolute) are not canonical: a NUL, '..', '.', a trailing '/' or '//'. */
export function componentProblem(p: string): string | undefined {
  if (p.includes('\0')) return 'it holds a NUL byte';
  if (p === '/') return undefined;
  const parts = p.slice(1).split('/');
  if (parts.includes('..')) return "it has a '..' component";
  if (parts.includes('.')) return "it has a '.' component";
  if (p.endsWith('/')) return "it ends with '/'";
  if (parts.includes('')) return 'it has an empty component (//)';
  return undefined;
}

/** Why `p` (a canonical absolute path) cannot be a dir runner works in, or undefined. */
export function systemDirProblem(p: string): string | undefined {
  const got = `expected a dir of its own like /builds/worker or /home/cltbld/builds, got ${JSON.stringify(p)}`;
  const tree = SYSTEM_TREES.find((t) => p === t || p.startsWith(`${t}/`));
  if (tree) return `${got}: it is in the system tree ${tree}`;
  if (p === '/') return `${got}: it is the root of the machine`;
  if (SYSTEM_DIRS.includes(p)) return `${got}: it is a system dir, shared with everything else on the machine`;
  return undefined;
}

/** `inner` is `outer` or lies below it (both canonical). */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || outer === '/' || inner.startsWith(`${outer}/`);
}

const refuse = (why: (p: string) => string | undefined) => (p: string, ctx: z.core.$RefinementCtx<string>) => {
  const problem = why(p);
  if (problem) ctx.addIssue({ code: 'custom', input: p, message: problem });
};
const text = () => z.string({ error: notA(`expected ${FORM}`) });

/** Any configured path: absolute and canonical (see pathProblem). */
export const AbsolutePath = text().superRefine(refuse(pathProblem));

/** A dir runner deletes in, checks out to or keeps state in: an AbsolutePath that is no system dir nor in a system tree. */
export const BaseDir = text().superRefine(refuse((p) => pathProblem(p) ?? systemDirProblem(p)));

/** Each dir of `dirs` that is, holds or lies inside an earlier one: its index and why, naming both (`name` labels the list). */
export function overlaps(dirs: readonly string[], name: string): { at: number; message: string }[] {
  const found: { at: number; message: string }[] = [];
  const fine = (p: string) => (pathProblem(p) ?? systemDirProblem(p)) === undefined; // the others are refused on their own
  dirs.forEach((p, j) => {
    if (!fine(p)) return;
    const i = dirs.findIndex((q, k) => k < j && fine(q) && (isWithin(p, q) || isWithin(q, p)));
    if (i === -1) return;
    const other = `${name}[${i}] ${JSON.stringify(dirs[i])}`;
    const how =
      p === dirs[i]
        ? `is listed twice (also ${name}[${i}])`
        : isWithin(p, dirs[i] as string)
          ? `lies inside ${other}`
          : `holds ${other}`;
    found.push({ at: j, message: `${JSON.stringify(p)} ${how}` });
  });
  return found;
}
